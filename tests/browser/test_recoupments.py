"""A Recoupment Form (seed 004) submitted in Chromium, rejected, uploaded, and paid on path (d).

Every control is found by the visible name seed 004 and ui.md give it; every portal page is
screenshot under test-artifacts/<walk>/ and checked with axe-core. In the Django admin,
where Enrollment Operations work, the recoupment list, change form and move forms are
checked too (serious or critical violations fail).
"""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

from django.core import mail
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from posc.members.demo import HOSPITAL
from recoupments.models import Recoupment, Status
from tests.browser.pages import Walk, axe_once, button, click, field, heading, log_in, menu_link

NPI = "1234567893"  # passes the NPI Luhn check (domain.md F); invented
MCE = "Tufts Health Together"
MCE_CHOICE = f"{MCE} (130000001A)"  # the MCE Name(s) box: name and provider ID
MEMBER_IDS = ("100000000001", "100000000091")
LINES = (("03/04/2025", "99213 Office visit", "145.00"),
         ("03/18/2025", "99214 Office visit", "210.50"),
         ("04/02/2025", "93000 Electrocardiogram", "62.25"))
ICNS = ("2226327000101", "2226327000102", "2226327000103")
REFERENCE = re.compile(r"^RCP-\d{8}-\d{6}$")


def line_rows(page: Page) -> Locator:
    """Return the "Service line N" groups of the Recoupment Form."""
    return page.get_by_role("group", name=re.compile(r"^Service line \d+$"))


def line_row(page: Page, number: int) -> Locator:
    return page.get_by_role("group", name=f"Service line {number}", exact=True)


def mce_choices(page: Page) -> Locator:
    return page.get_by_role("group", name=re.compile(r"^MCE Name\(s\)"))


def fill_line(page: Page, number: int, day: str, service: str, amount: str) -> None:
    row = line_row(page, number)
    field(row, "Date(s) of Service Recouped").fill(day)
    field(row, "Service Code or Name").fill(service)
    field(row, "Amount Recouped").fill(amount)


def summary_value(page: Page, term: str) -> Locator:
    """Return the <dd> that follows the <dt> *term*."""
    return page.locator(f"dl.summary dt:text-is('{term}') + dd")


def open_form(walk: Walk, step: str = "submit_form") -> None:
    """Home → left menu Recoupments → Submit Recoupment Form."""
    walk.follow("Recoupments", "recoupments")
    click(walk.page.get_by_role("link", name="Submit Recoupment Form", exact=True))
    walk.panel(step, "Submit Recoupment Form")


def fill_form(page: Page) -> None:
    """Type every field of the Recoupment Form but the service lines."""
    field(page, "Provider Name").fill("Example Community Hospital")
    field(page, "Provider NPI").fill(NPI)
    mce_choices(page).get_by_label(MCE_CHOICE, exact=True).check()
    field(page, "Member First Name").fill("ROSE")
    field(page, "Member Last Name").fill("EXAMPLE")
    field(page, "Member MassHealth ID(s)").fill("\n".join(MEMBER_IDS))


def new_recoupment(before: set[str]) -> Recoupment:
    (recoupment,) = Recoupment.objects.exclude(reference__in=before)
    return recoupment


def check_request_page(walk: Walk, step: str, before: set[str]) -> Recoupment:
    """The request page after Submit: its reference, status and lines, as stored."""
    page = walk.page
    walk.panel(step)
    recoupment = new_recoupment(before)
    assert REFERENCE.match(recoupment.reference)
    expect(heading(page, f"Recoupment {recoupment.reference}")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        f"Recoupment Form received: reference {recoupment.reference}.")
    expect(summary_value(page, "Reference")).to_have_text(recoupment.reference)
    expect(summary_value(page, "Status")).to_have_text("Received: completeness review")
    expect(summary_value(page, "Provider NPI")).to_have_text(NPI)
    expect(summary_value(page, "MCE Name(s)")).to_have_text(MCE)
    expect(summary_value(page, "Member MassHealth ID(s)")).to_have_text(", ".join(MEMBER_IDS))
    rows = page.get_by_role("table", name="Service lines and claim status").locator("tbody tr")
    expect(rows).to_have_count(len(LINES))
    for row, (day, service, amount) in zip(rows.all(), LINES):
        expect(row).to_contain_text(f"{day}{service}${amount}")
    assert recoupment.status == Status.SUBMITTED
    assert recoupment.member_ids == list(MEMBER_IDS)
    assert [(f"{x.date_of_service:%m/%d/%Y}", x.service, f"{x.amount}")
            for x in recoupment.lines.order_by("number")] == list(LINES)
    assert mail.outbox[-1].subject == f"Recoupment {recoupment.reference} received"
    return recoupment


def check_listed(walk: Walk, step: str, recoupment: Recoupment, status: str) -> None:
    """Back in Recoupments: the list shows the request with its status."""
    walk.follow("Recoupments", step)
    page = walk.page
    row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name=recoupment.reference, exact=True))
    expect(row).to_contain_text("ROSE EXAMPLE")
    expect(row).to_contain_text(status)


def test_recoupment_submitted_and_paid_on_path_d(page, browser, live_server):
    walk = Walk(page, "recoupment_submit")
    log_in(walk, "hospital")
    before = set(Recoupment.objects.values_list("reference", flat=True))
    open_form(walk)
    # The provider's own name, NPI and ID are filled in already.
    expect(field(page, "Provider Name")).to_have_value("Example Community Hospital")
    expect(field(page, "Provider NPI")).to_have_value(NPI)
    expect(field(page, "MassHealth Provider ID")).to_have_value(HOSPITAL)
    fill_form(page)
    while line_rows(page).count() < len(LINES):
        click(button(page, "Add another line"))
    for number, line in enumerate(LINES, start=1):
        fill_line(page, number, *line)
    walk.screenshot("submit_form_filled")
    click(button(page, "Submit"))
    recoupment = check_request_page(walk, "request", before)
    check_listed(walk, "recoupments_listed", recoupment, "Received: completeness review")

    # Path (d), as Enrollment Operations in the admin and the provider in the portal.
    context = browser.new_context(base_url=live_server.url, locale="en-US",
                                  timezone_id="America/New_York",
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    try:
        ops = Walk(context.new_page(), "recoupment_ops_path_d")
        ops_path_d(ops, walk, recoupment)
    finally:
        context.close()


def admin_move(ops: Walk, move: str, step: str,
               fill: Callable[[Page], None] | None = None) -> None:
    """Open *move* from the request's change page, fill its form, submit it, check the result."""
    page = ops.page
    click(page.get_by_role("link", name=move, exact=True).first)
    ops.screenshot(step)
    axe_once(page)  # the move forms are our own templates, inside the admin's frame
    if fill is not None:
        fill(page)
    click(page.get_by_role("button", name=move, exact=True))
    expect(page.locator(".messagelist")).to_contain_text(f": {move} done.")
    ops.screenshot(f"{step}_done")


def ops_path_d(ops: Walk, walk: Walk, recoupment: Recoupment) -> None:
    """Seed 004 (d): ops approves, the provider records the denied claims, ops confirms payment."""
    page = ops.page
    log_in(ops, "ops")
    click(menu_link(page, "Administration"))
    ops.screenshot("admin_index")
    click(page.get_by_role("link", name="Recoupments", exact=True))
    ops.screenshot("admin_recoupments")
    axe_once(page)  # the list with our days-left and overdue columns
    click(page.get_by_role("link", name=recoupment.reference, exact=True))
    ops.screenshot("admin_request")
    axe_once(page)  # our change form: the moves, research and history
    expect(page.get_by_text("Received: completeness review").first).to_be_visible()

    admin_move(ops, "Confirm complete", "confirm_complete",
               lambda p: p.get_by_label("Note to the provider (the provider reads it)").fill(
                   "All fields present."))
    admin_move(ops, "Record research", "record_research")  # starts from the spans listed
    admin_move(ops, "Approve reimbursement", "approve",
               lambda p: p.get_by_label("(d) MassHealth processes and pays").check())
    recoupment.refresh_from_db()
    assert recoupment.status == Status.MASSHEALTH_BILLING and recoupment.approval_path == "D"
    assert mail.outbox[-1].subject == f"Recoupment {recoupment.reference} approved: bill MassHealth"

    # The provider bills MassHealth and records each denied claim's ICN in the portal.
    provider = walk.page
    click(provider.get_by_role("link", name=recoupment.reference, exact=True))
    walk.panel("request_bill_masshealth", f"Recoupment {recoupment.reference}")
    expect(summary_value(provider, "Status")).to_have_text("Approved: bill MassHealth")
    for number, (icn, (day, service, amount)) in enumerate(zip(ICNS, LINES), start=1):
        click(provider.get_by_role("link", name="Record denied claim", exact=True))
        walk.panel(f"denied_claim_{number}", "Record denied claim")
        field(provider, "Service line").select_option(
            label=f"Line {number}: {day} {service} ${amount}")
        field(provider, "ICN").fill(icn)
        edits = provider.get_by_role("group", name=re.compile(r"^Edit codes on the denial"))
        expect(edits.get_by_label(re.compile(r"^2017 "))).to_be_checked()  # the default
        edits.get_by_label(re.compile(r"^0850 ")).check()
        click(button(provider, "Record denied claim"))
        walk.panel(f"denied_claim_{number}_recorded", f"Recoupment {recoupment.reference}")
        expect(provider.get_by_role("status")).to_contain_text(
            f"Denied claim {icn} recorded for line {number}.")
        expect(provider.get_by_role("table", name="Service lines and claim status")
               .locator("tbody tr").nth(number - 1)).to_contain_text(
            f"Denied claim ICN {icn}, edits 0850, 2017")

    admin_move(ops, "Send ClaimsSupport e-mail", "send_claims_support")
    assert "override" in mail.outbox[-1].subject.lower()
    assert all(icn in mail.outbox[-1].body for icn in ICNS)
    admin_move(ops, "Confirm payment", "confirm_payment", lambda p: p.get_by_label(
        re.compile(r"^Capitation reconciliation note")).fill("Reconciliation sent to MMIS."))
    recoupment.refresh_from_db()
    assert recoupment.status == Status.PAID
    assert mail.outbox[-1].subject == f"Recoupment {recoupment.reference}: payment confirmed"

    # The provider sees the payment confirmed, on the request and in the list.
    provider.reload()
    walk.panel("request_paid", f"Recoupment {recoupment.reference}")
    expect(summary_value(provider, "Status")).to_have_text("Payment confirmed")
    expect(summary_value(provider, "Payment target")).to_have_text(
        f"Paid {recoupment.paid_on:%m/%d/%Y}")
    check_listed(walk, "recoupments_paid", recoupment, f"Paid {recoupment.paid_on:%m/%d/%Y}")


# Each refused field: the link text of the error summary and the id of the error beside it.
REFUSED = (
    ("Provider Name: Enter the Provider Name.", "id_provider_name"),
    ("Provider NPI: Enter the Provider NPI as 10 digits.", "id_provider_npi"),
    ("MCE Name(s): Choose at least one MCE Name.", "id_mces"),
    ("Member Last Name: Enter the Member Last Name.", "id_member_last_name"),
    ("Member MassHealth ID(s): Each Member MassHealth ID is 12 digits; check 12345.",
     "id_member_ids"),
    ("Service line 1: Enter the Date(s) of Service Recouped as MM/DD/YYYY.",
     "id_lines-0-date_of_service"),
    ("Service line 1: Do not start with =, +, -, @ or a tab.", "id_lines-0-service"),
    ("Service line 1: Enter the Amount Recouped in dollars and cents, e.g. 125.00.",
     "id_lines-0-amount"),
    ("Service line 2: Enter the Date(s) of Service Recouped.", "id_lines-1-date_of_service"),
    ("Service line 2: Enter the Amount Recouped.", "id_lines-1-amount"),
)


def test_recoupment_rejected_then_lines_uploaded(page, tmp_path):
    walk = Walk(page, "recoupment_rejected_upload")
    log_in(walk, "hospital")
    before = set(Recoupment.objects.values_list("reference", flat=True))
    open_form(walk)

    # Missing and malformed fields: listed at the top, named again beside each, nothing saved.
    field(page, "Provider Name").fill("")
    field(page, "Provider NPI").fill("12345")
    field(page, "Member First Name").fill("ROSE")
    field(page, "Member MassHealth ID(s)").fill(f"{MEMBER_IDS[0]}\n12345")
    fill_line(page, 1, "02/30/2025", "=SUM(A1)", "12.345")
    field(line_row(page, 2), "Service Code or Name").fill("99213 Office visit")
    walk.screenshot("submit_form_malformed")
    click(button(page, "Submit"))
    walk.panel("rejected", "Submit Recoupment Form")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_count(len(REFUSED))
    for text, input_id in REFUSED:
        expect(summary.get_by_role("link", name=text, exact=True)).to_have_attribute(
            "href", f"#{input_id}_0" if input_id == "id_mces" else f"#{input_id}")
        expect(page.locator(f"[id='{input_id}-error']")).to_contain_text(text.split(": ", 1)[1])
    expect(field(page, "Member Last Name")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name=REFUSED[3][0], exact=True).click()
    expect(field(page, "Member Last Name")).to_be_focused()
    summary.get_by_role("link", name=REFUSED[2][0], exact=True).click()
    expect(mce_choices(page).get_by_role("checkbox").first).to_be_focused()
    # What was typed is kept, to be corrected.
    expect(field(page, "Member MassHealth ID(s)")).to_have_value(f"{MEMBER_IDS[0]}\n12345")
    expect(field(line_row(page, 1), "Service Code or Name")).to_have_value("=SUM(A1)")
    assert set(Recoupment.objects.values_list("reference", flat=True)) == before

    # Add another line: one more row, the typed ones kept, nothing saved (no JavaScript).
    rows = line_rows(page).count()
    click(button(page, "Add another line"))
    walk.panel("another_line", "Submit Recoupment Form")
    expect(line_rows(page)).to_have_count(rows + 1)
    expect(field(line_row(page, 2), "Service Code or Name")).to_have_value("99213 Office visit")
    assert set(Recoupment.objects.values_list("reference", flat=True)) == before

    # The lines from a sheet: the portal's own template, filled in with openpyxl.
    fill_form(page)
    for number in (1, 2):
        for label in ("Date(s) of Service Recouped", "Service Code or Name", "Amount Recouped"):
            field(line_row(page, number), label).fill("")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the sheet template (.xlsx)").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    bad = tmp_path / "bad.xlsx"
    workbook = load_workbook(template)
    workbook.active.append([datetime.date(2025, 3, 4), '=HYPERLINK("http://x")', 145])
    workbook.active.append(["2099-01-01", "99214 Office visit", "12.345"])
    workbook.save(bad)
    sheet_field = field(page, "Service lines spreadsheet (.xlsx)")
    sheet_field.set_input_files(bad)
    click(button(page, "Upload lines"))
    walk.panel("sheet_rejected", "Submit Recoupment Form")
    summary = page.get_by_role("alert")
    for problem in (
            "Row 2, column B (Service Code or Name): formulas are not accepted; type the value.",
            "Row 3, column A (Date(s) of Service Recouped): enter a date as MM/DD/YYYY.",
            "Row 3, column C (Amount Recouped): enter dollars and cents, e.g. 125.00."):
        link = f"Service lines spreadsheet (.xlsx): {problem}"
        expect(summary.get_by_role("link", name=link, exact=True)).to_be_visible()
        expect(page.locator("[id='id_lines_file-error']")).to_contain_text(problem)
    assert set(Recoupment.objects.values_list("reference", flat=True)) == before

    good = tmp_path / "lines.xlsx"
    workbook = load_workbook(template)
    for day, service, amount in LINES:
        workbook.active.append([datetime.datetime.strptime(day, "%m/%d/%Y"), service,
                                float(amount)])
    workbook.save(good)
    sheet_field.set_input_files(good)
    click(button(page, "Upload lines"))
    walk.panel("sheet_read", "Submit Recoupment Form")
    expect(page.get_by_role("status")).to_contain_text(
        f"{len(LINES)} service line(s) read from the sheet. Check them, then choose Submit.")
    for number, (day, service, amount) in enumerate(LINES, start=1):
        row = line_row(page, number)
        expect(field(row, "Date(s) of Service Recouped")).to_have_value(day)
        expect(field(row, "Service Code or Name")).to_have_value(service)
        expect(field(row, "Amount Recouped")).to_have_value(amount)
    expect(mce_choices(page).get_by_label(MCE_CHOICE, exact=True)).to_be_checked()
    click(button(page, "Submit"))
    recoupment = check_request_page(walk, "request", before)
    check_listed(walk, "recoupments_listed", recoupment, "Received: completeness review")


def ops_page(ops: Walk, step: str) -> None:
    """Check an ops page: screenshot, axe, and no sideways scroll at 1280 px."""
    page = ops.page
    ops.screenshot(step)
    axe_once(page)
    assert page.viewport_size["width"] == 1280
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1280, f"{step}: the page is {width} px wide"


def ops_move(ops: Walk, move: str, step: str, fill: Callable[[Page], None],
             button_name: str | None = None, done: bool = True) -> None:
    """Open *move* from the request's page, fill its form and submit it."""
    page = ops.page
    click(page.get_by_role("link", name=move, exact=True).first)
    ops_page(ops, step)
    fill(page)
    click(page.get_by_role("button", name=button_name or move, exact=True))
    if done:
        expect(page.locator(".messagelist")).to_contain_text(f": {move} done.")
        ops_page(ops, f"{step}_done")


def test_ops_day_denied_line_reapproved_on_masshealth(page):
    """Issue 13: ops take a request from receipt through a denied line re-approved on (d)."""
    from django.contrib.auth import get_user_model

    from posc import clock
    from recoupments.services import recoupment_submit
    from tests.recoupments.helpers import form_input

    hospital = get_user_model().objects.get(username="hospital")
    recoupment = recoupment_submit(actor=hospital, data=form_input(), now=clock.now())
    ops = Walk(page, "recoupment_ops_day")
    log_in(ops, "ops")
    click(menu_link(page, "Administration"))
    click(page.get_by_role("link", name="Recoupments", exact=True))
    ops_page(ops, "admin_recoupments")
    click(page.get_by_role("link", name=recoupment.reference, exact=True))
    ops_page(ops, "request_received")
    # Ops see the lines and the receipt e-mail on the request's page.
    lines = page.locator("#lines-group")
    expect(lines).to_contain_text("99214 Office visit")
    expect(lines).to_contain_text("$210.50")
    expect(page.locator("#emails-group")).to_contain_text(
        f"Recoupment {recoupment.reference} received")

    def notes(provider_note: str, internal: str) -> Callable[[Page], None]:
        def fill(p: Page) -> None:
            p.get_by_label("Note to the provider (the provider reads it)").fill(provider_note)
            p.get_by_label(re.compile(r"^Internal note \(Enrollment Operations only")).fill(
                internal)
        return fill

    ops_move(ops, "Confirm complete", "confirm_complete",
             notes("All fields present.", "INTERNAL: provider may be double billing."))
    ops_move(ops, "Record research", "record_research", lambda p: None)

    def approve_a(p: Page) -> None:
        p.get_by_label("(a) The original MCE processes and pays").check()
    ops_move(ops, "Approve reimbursement", "approve", approve_a)

    for number, status in ((1, "Reprocessed and paid"), (2, "Denied by the MCE"),
                           (3, "Reprocessed and paid")):
        day, service, amount = LINES[number - 1]

        def mce_update(p: Page, number=number, status=status, day=day, service=service,
                       amount=amount) -> None:
            p.get_by_label("Service line").select_option(
                label=f"Line {number}: {day} {service} ${amount}")
            p.get_by_label("Claim status reported by the MCE").select_option(label=status)
        ops_move(ops, "Record MCE claim status", f"mce_update_{number}", mce_update)

    # Payment cannot be confirmed: the message says why and what to do.
    ops_move(ops, "Confirm payment", "confirm_payment_refused", lambda p: None, done=False)
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.get_by_text("The MCE denied line(s) 2: approve them again on another path "
                            "or close them with a reason.")).to_be_visible()
    click(page.get_by_role("link", name="Cancel", exact=True))

    def reapprove_d(p: Page) -> None:
        p.get_by_label("Denied service line").select_option(
            label=f"Line 2: {LINES[1][0]} {LINES[1][1]} ${LINES[1][2]}")
        p.get_by_label("(d) MassHealth processes and pays").check()
        p.get_by_label("Note to the provider (the provider reads it)").fill(
            "Bill MassHealth for line 2.")
    ops_move(ops, "Re-approve denied line", "reapprove_line", reapprove_d)
    recoupment.refresh_from_db()
    assert recoupment.status == Status.MASSHEALTH_BILLING

    def denied_claim(p: Page) -> None:
        p.get_by_label("Service line").select_option(
            label=f"Line 2: {LINES[1][0]} {LINES[1][1]} ${LINES[1][2]}")
        p.get_by_label("ICN").fill(ICNS[1])
        p.get_by_role("checkbox", name=re.compile(r"^\s*2017 ")).check()
    ops_move(ops, "Record denied claim", "record_denied_claim", denied_claim)
    ops_move(ops, "Send ClaimsSupport e-mail", "send_claims_support", lambda p: None)
    ops_move(ops, "Confirm payment", "confirm_payment", lambda p: None)
    recoupment.refresh_from_db()
    assert recoupment.status == Status.PAID

    # The request's page: lines with their status, every move, every e-mail.
    expect(page.locator("#lines-group")).to_contain_text("Reprocessed and paid")
    expect(page.locator("#lines-group")).to_contain_text(f"{ICNS[1]} (2017)")
    history = page.locator("#events-group")
    for text in ("Re-approve denied line: MassHealth pays", "Bill MassHealth for line 2.",
                 "INTERNAL: provider may be double billing.", "Confirm payment"):
        expect(history).to_contain_text(text)
    emails = page.locator("#emails-group")
    for subject in (f"Recoupment {recoupment.reference}, line 2: Denied by the MCE",
                    f"Recoupment {recoupment.reference}, line 2: approved again",
                    f"Recoupment {recoupment.reference}: override approval for MCE coverage "
                    f"edit", f"Recoupment {recoupment.reference}: payment confirmed"):
        expect(emails).to_contain_text(subject)
    click(page.get_by_role("link", name="History", exact=True))
    ops_page(ops, "history")
    expect(page.get_by_role("table", name="History")).to_contain_text(
        "Re-approve denied line: MassHealth pays")
    expect(page.get_by_role("table", name="E-mails sent")).to_contain_text("override approval")


def test_provider_sees_paused_clock_changes_and_corrects_an_icn(page):
    """Issue 13 on the provider's screens: a paused target, money with separators, what a
    resubmission changed, only confirmed edit wording, and a wrong ICN corrected."""
    from django.contrib.auth import get_user_model

    from posc import clock
    from recoupments import services
    from recoupments.inputs import LineInput
    from tests.recoupments.helpers import form_input

    users = get_user_model().objects
    hospital, ops_user = users.get(username="hospital"), users.get(username="ops")
    now = clock.now()
    recoupment = services.recoupment_submit(actor=hospital, now=now, data=form_input(
        member_last_name="EXMPLE", lines=(LineInput(datetime.date(2025, 3, 4), "99213 Office visit",
                                                    Decimal("1038.00")),)))
    services.recoupment_return(recoupment=recoupment, actor=ops_user, now=now,
                               missing_fields=["member_last_name"],
                               internal_note="INTERNAL: second return this month.")
    walk = Walk(page, "recoupment_provider_day")
    log_in(walk, "hospital")
    walk.follow("Recoupments", "recoupments_returned")
    row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name=recoupment.reference, exact=True))
    expect(row).to_contain_text("Paused: returned to you")
    click(page.get_by_role("link", name=recoupment.reference, exact=True))
    walk.panel("request_returned", f"Recoupment {recoupment.reference}")
    expect(summary_value(page, "Payment target")).to_have_text(
        "Paused: returned to you. The 15 business days start again when you resubmit.")
    expect(page.get_by_role("table", name="Service lines and claim status")).to_contain_text(
        "$1,038.00")
    expect(page.get_by_text("INTERNAL")).to_have_count(0)
    click(page.get_by_role("link", name="Correct and resubmit", exact=True))
    walk.panel("correct_form", "Correct Recoupment Form")
    field(page, "Member Last Name").fill("EXAMPLE")
    click(button(page, "Submit"))
    walk.panel("request_resubmitted", f"Recoupment {recoupment.reference}")
    expect(page.get_by_role("table", name="History")).to_contain_text(
        "Changed: Member Last Name: EXMPLE → EXAMPLE.")

    for call in (services.recoupment_confirm_complete, services.recoupment_research_record,
                 services.recoupment_approve):
        extra = ({"enrollments_documented": "Checked."}
                 if call is services.recoupment_research_record else
                 {"path": "D"} if call is services.recoupment_approve else {})
        call(recoupment=recoupment, actor=ops_user, now=clock.now(), **extra)
    page.reload()
    click(page.get_by_role("link", name="Record denied claim", exact=True))
    walk.panel("denied_claim", "Record denied claim")
    edits = page.get_by_role("group", name=re.compile(r"^Edit codes on the denial"))
    expect(edits.get_by_label("2017 MCE coverage", exact=True)).to_be_checked()
    expect(page.get_by_text(re.compile("Meaning not confirmed|Edit this description"))) \
        .to_have_count(0)
    field(page, "Service line").select_option(label="Line 1: 03/04/2025 99213 Office visit "
                                                    "$1,038.00")
    field(page, "ICN").fill("2226327000701")
    click(button(page, "Record denied claim"))
    walk.panel("denied_claim_recorded", f"Recoupment {recoupment.reference}")
    # The ICN was mistyped: the same page corrects it, and the history says from what.
    click(page.get_by_role("link", name="Record denied claim", exact=True))
    field(page, "Service line").select_option(
        label="Line 1: 03/04/2025 99213 Office visit $1,038.00 (recorded: ICN 2226327000701)")
    field(page, "ICN").fill("2226327000710")
    click(button(page, "Record denied claim"))
    walk.panel("denied_claim_corrected", f"Recoupment {recoupment.reference}")
    expect(page.get_by_role("status")).to_contain_text(
        "Denied claim 2226327000710 corrected for line 1.")
    expect(page.get_by_role("table", name="History")).to_contain_text(
        "Line 1: ICN 2226327000701 → 2226327000710.")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
