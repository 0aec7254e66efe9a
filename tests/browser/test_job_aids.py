"""The SCO and One Care job aids (seeds 000–002) clicked through in Chromium, word for word.

Every control is found by the visible name ui.md gives it; every page is screenshot under
test-artifacts/<purpose>/ and checked with axe-core.
"""

import calendar
import datetime

import pytest
from playwright.sync_api import expect

from enrollment.forms import CERTIFY_LABEL
from enrollment.models import DisenrollmentReason, EnrollmentTransaction
from enrollment.services import batch_cut
from posc import clock
from posc.members.demo import demo_case, demo_member
from posc.members.models import Member, Plan
from tests.browser.pages import MENU_ENTRY, Walk, button, click, field, log_in


def mmddyyyy(day: datetime.date) -> str:
    return day.strftime("%m/%d/%Y")


def open_member_search(walk: Walk, program: str) -> None:
    """Job aid steps 1–3: Manage Members → Enrollment → Enroll/Disenroll … Members."""
    walk.follow("Manage Members", "manage_members")
    walk.follow("Enrollment", "enrollment")
    walk.follow(MENU_ENTRY[program], "member_search", "Member Search")


def search(walk: Walk, case, *, step: str = "member_search_filled") -> None:
    """Job aid steps 4–8: check the Provider ID default, type the member, click Search."""
    page = walk.page
    expect(field(page, "Provider ID")).to_have_value(case.provider_id)
    field(page, "Member ID").fill(case.member_id)
    field(page, "Last Name").fill(case.last_name)
    field(page, "First Name").fill(case.first_name)
    walk.screenshot(step)
    click(button(page, "Search"))


def summary_value(walk: Walk, term: str):
    """Return the <dd> that follows the <dt> *term* on the panel."""
    return walk.page.locator(f"dl.summary dt:text-is('{term}') + dd")


@pytest.mark.parametrize("purpose", ["sco_enroll", "oc_enroll"])
def test_enroll_job_aid(page, purpose):
    case = demo_case(purpose)
    member = demo_member(case.member_id)
    walk = Walk(page, purpose)
    log_in(walk, case.account)
    open_member_search(walk, case.program)
    search(walk, case)

    walk.panel("verification", "Verification")
    today = clock.today()
    first_of_next_month = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    expect(summary_value(walk, "Member ID")).to_have_text(case.member_id)
    expect(summary_value(walk, "Date of birth")).to_have_text(mmddyyyy(member.date_of_birth))
    rate_cell = case.note.rpartition("rate cell ")[2]  # the demo case's note names it
    expect(summary_value(walk, "Rate cell")).to_contain_text(rate_cell)
    expect(summary_value(walk, "Enrollment effective date")).to_have_text(
        mmddyyyy(first_of_next_month))
    click(button(page, "Confirm"))

    walk.panel("certification", "Certification")
    field(page, CERTIFY_LABEL).check()
    walk.screenshot("certification_checked")
    click(button(page, "Submit"))

    walk.panel("confirmation", "Confirmation")
    txn = EnrollmentTransaction.objects.get()
    assert txn.accepted and txn.member_id == case.member_id
    expect(page.get_by_text("Enrollment validated by MMIS", exact=True)).to_be_visible()
    expect(summary_value(walk, "Transaction reference")).to_have_text(txn.reference)
    expect(summary_value(walk, "Effective date")).to_have_text(mmddyyyy(first_of_next_month))
    expect(page.get_by_role("main")).to_contain_text("834 batch file")

    # Step 14: Enroll/Disenroll Another Member opens an empty Member Search panel.
    click(button(page, "Enroll/Disenroll Another Member"))
    walk.panel("member_search_again", "Member Search")
    expect(field(page, "Member ID")).to_have_value("")

    # The daily batch carries the enrollment: the 834 Files page lists it for download.
    batch = batch_cut(plan=Plan.objects.get(provider_id=case.provider_id))
    walk.follow("834 Files", "834_files")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download {batch.filename}", exact=True).click()
    body = download.value.path().read_text(encoding="ascii")
    assert body.startswith("ISA") and case.member_id in body


@pytest.mark.parametrize("purpose", ["sco_disenroll", "oc_disenroll"])
def test_disenroll_job_aid(page, purpose):
    case = demo_case(purpose)
    member = demo_member(case.member_id)
    walk = Walk(page, purpose)
    log_in(walk, case.account)
    open_member_search(walk, case.program)
    search(walk, case)

    walk.panel("disenrollment", "Disenrollment")
    plan = Plan.objects.get(provider_id=case.provider_id)
    expect(summary_value(walk, "Member ID")).to_have_text(case.member_id)
    expect(summary_value(walk, "Current plan")).to_contain_text(plan.name)
    expect(summary_value(walk, "Start date")).to_have_text(mmddyyyy(member.current_plan_start))
    reason = field(page, "Disenrollment Reason")
    reason.select_option(label=DisenrollmentReason.MBR_REQ.label)
    walk.screenshot("disenrollment_reason")
    click(button(page, "Submit"))

    walk.panel("disenrollment_confirmation", "Disenrollment Confirmation")
    today = clock.today()
    last_day = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    txn = EnrollmentTransaction.objects.get()
    assert txn.accepted and txn.member_id == case.member_id
    expect(page.get_by_text("Disenrollment validated by MMIS", exact=True)).to_be_visible()
    expect(summary_value(walk, "Transaction reference")).to_have_text(txn.reference)
    expect(summary_value(walk, "Effective date")).to_have_text(mmddyyyy(last_day))
    expect(page.get_by_role("main")).to_contain_text("834 batch file")

    # Reloading the confirmation never makes a second transaction (ui.md).
    page.reload()
    assert EnrollmentTransaction.objects.count() == 1

    click(button(page, "Enroll/Disenroll Another Member"))
    walk.panel("member_search_again", "Member Search")
    expect(field(page, "Member ID")).to_have_value("")

    # The same member again: the Member Search panel answers DUPLICATE with the end date.
    search(walk, case, step="member_search_again_filled")
    walk.panel("duplicate", "Member Search")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("DUPLICATE")
    expect(summary).to_contain_text(mmddyyyy(last_day))
    assert EnrollmentTransaction.objects.count() == 1


def test_rejections_shown_on_the_panel(page):
    """Form errors and MMIS refusals appear in the error summary, linked to their fields."""
    case = demo_case("sco_enroll")
    walk = Walk(page, "sco_rejections")
    page.goto("/login/")
    field(page, "Username").fill(case.account)
    field(page, "Password").fill("not-the-password")
    click(button(page, "Log in"))
    walk.panel("login_failed", "Log in")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    field(page, "Password").fill("")
    log_in(walk, case.account)
    open_member_search(walk, case.program)

    # Nothing typed: each missing field is listed at the top and named again beside it.
    field(page, "Member ID").fill("")
    click(button(page, "Search"))
    walk.panel("search_missing_fields", "Member Search")
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link", name="Enter the Member ID.", exact=True)).to_be_visible()
    member_id = field(page, "Member ID")
    # The red asterisk is hidden from screen readers, which hear "(required)" instead.
    expect(member_id).to_have_accessible_name("Member ID (required)")
    expect(member_id).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_member_id-error")).to_contain_text("Enter the Member ID.")
    summary.get_by_role("link", name="Enter the Member ID.", exact=True).click()
    expect(member_id).to_be_focused()

    # A member MMIS refuses: the code and its sentence, and no transaction.
    deceased = demo_case("sco_deceased")
    search(walk, deceased, step="search_deceased_filled")
    walk.panel("search_rejected", "Member Search")
    expect(page.get_by_role("alert")).to_contain_text("DECEASED")
    assert not EnrollmentTransaction.objects.exists()

    # Certification without the checkbox: the panel says so and keeps the member.
    search(walk, case, step="search_eligible_filled")
    walk.panel("verification", "Verification")
    click(button(page, "Confirm"))
    click(button(page, "Submit"))
    walk.panel("certification_unchecked", "Certification")
    expect(page.get_by_role("alert")).to_contain_text("Select the Certification checkbox")
    assert not EnrollmentTransaction.objects.exists()

    # MMIS checks again at Submit: the member died meanwhile, so the same panel shows it.
    Member.objects.filter(pk=case.member_id).update(date_of_death=datetime.date(2025, 1, 2))
    field(page, CERTIFY_LABEL).check()
    click(button(page, "Submit"))
    walk.panel("certification_rejected", "Certification")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("MMIS rejected the request")
    expect(summary).to_contain_text("DECEASED")
    assert not EnrollmentTransaction.objects.filter(
        status=EnrollmentTransaction.Status.ACCEPTED).exists()

    # Another program's panel is refused; an unknown page is not found.
    page.goto("/enrollment/one-care/search/")
    walk.panel("forbidden", "Not allowed")
    page.goto("/no-such-page/")
    walk.panel("not_found", "Page not found")
