"""Issue 17 §1 in Chromium: from a recoupment under review, Enrollment Operations retro-
disenroll the member from one plan and retro-enroll them in another, approve path (b), and
the next 834 of each plan carries the change; the capitation export lists the months.

Every admin page of the walk is screenshot under test-artifacts/adjustments/ and checked
with axe-core (serious or critical violations fail).
"""

import csv
import datetime
import io
import re

from playwright.sync_api import Page, expect

from enrollment.models import CapitationAdjustment, EnrollmentAdjustment
from enrollment.services import batch_cut, batch_stream
from posc import clock
from posc.members.demo import CCA_SCO, SWH_SCO
from posc.members.models import EnrollmentSpan, Member, Plan
from tests.browser.pages import Walk, axe_once, click, log_in, menu_link
from tests.x12check import pyx12_errors, strict_errors

REASON = "The member moved to Senior Whole Health on 03/01/2025 (recoupment research)."


def ops_page(ops: Walk, step: str) -> None:
    """Screenshot and axe-check an admin page of the walk."""
    ops.screenshot(step)
    axe_once(ops.page)


def recoupment_under_review():
    """The hospital's request for ROSE EXAMPLE, confirmed complete: research has started.

    ROSE is enrolled with CCA SCO since 10/01/2024, so the dates of service (03/2025 and
    04/2025) fall in CCA's span although she had moved to Senior Whole Health.
    """
    from django.contrib.auth import get_user_model

    from recoupments import services
    from tests.recoupments.helpers import form_input

    users = get_user_model().objects
    EnrollmentSpan.objects.create(member=Member.objects.get(pk="100000000001"),
                                  plan=Plan.objects.get(provider_id=CCA_SCO), program="SCO",
                                  start_date=datetime.date(2024, 10, 1),
                                  source=EnrollmentSpan.Source.FEED)
    recoupment = services.recoupment_submit(
        actor=users.get(username="hospital"), now=clock.now(),
        data=form_input(mce_provider_ids=(CCA_SCO,)))
    services.recoupment_confirm_complete(recoupment=recoupment,
                                         actor=users.get(username="ops"), now=clock.now())
    return recoupment


def adjust(ops: Walk, link: str | re.Pattern, step: str, fill) -> None:
    """From the recoupment's page, start an adjustment, open *link*, fill and submit it."""
    page = ops.page
    click(page.get_by_role("link", name="Make an enrollment adjustment", exact=True))
    ops_page(ops, f"{step}_start")
    expect(page.get_by_text(re.compile(r"Reference: recoupment:\d+"))).to_be_visible()
    click(page.get_by_role("link", name=link).first)
    ops_page(ops, step)
    fill(page)
    page.get_by_label("Reason (required)").fill(REASON)
    click(page.locator(".submit-row input[type=submit]"))
    expect(page.locator(".messagelist")).to_contain_text("done; the 834 loops wait")
    ops_page(ops, f"{step}_done")


def test_retro_disenroll_and_enroll_from_a_recoupment_then_path_b(page: Page):
    recoupment = recoupment_under_review()
    ops = Walk(page, "adjustments")
    log_in(ops, "ops")
    click(menu_link(page, "Administration"))
    click(page.get_by_role("link", name="Recoupments", exact=True))
    click(page.get_by_role("link", name=recoupment.reference, exact=True))
    ops_page(ops, "request_under_review")
    change_url = page.url
    expect(page.locator("#enrollment-adjustments")).to_contain_text("None yet.")

    def end_in_february(p: Page) -> None:
        # Pre-filled from the recoupment: the month end before the first date of service.
        expect(p.get_by_label("New end date (required)")).to_have_value("02/28/2025")
        expect(p.get_by_label("Reference (required)")).to_have_value(
            f"recoupment:{recoupment.pk}")
    adjust(ops, re.compile("^Retro-disenroll$"), "retro_disenroll", end_in_february)
    page.goto(change_url)

    def enroll_in_swh(p: Page) -> None:
        p.get_by_label("Plan (required)").select_option(
            label=f"Senior Whole Health SCO ({SWH_SCO})")
        expect(p.get_by_label("Start date (required)")).to_have_value("03/01/2025")
    adjust(ops, re.compile(r"^Retro-enroll ROSE A EXAMPLE$"), "retro_enroll", enroll_in_swh)
    page.goto(change_url)

    # The request lists the adjustments made for it.
    adjustments = page.locator("#enrollment-adjustments")
    for adjustment in EnrollmentAdjustment.objects.filter(
            reference=f"recoupment:{recoupment.pk}"):
        expect(adjustments).to_contain_text(adjustment.number)
    expect(adjustments).to_contain_text("Retro-disenroll")
    expect(adjustments).to_contain_text("Retro-enroll")
    ops_page(ops, "request_with_adjustments")

    # Research, then approval on path (b): Senior Whole Health processes and pays.
    click(page.get_by_role("link", name="Record research", exact=True).first)
    ops_page(ops, "record_research")
    click(page.get_by_role("button", name="Record research", exact=True))
    expect(page.locator(".messagelist")).to_contain_text("Record research done.")
    click(page.get_by_role("link", name="Approve reimbursement", exact=True).first)
    expect(page.locator("#enrollment-adjustments")).to_contain_text("Retro-enroll")
    page.get_by_label("(b) A different MCE processes and pays").check()
    page.get_by_label(re.compile(r"^Paying MCE")).select_option(
        label=f"Senior Whole Health SCO ({SWH_SCO})")
    ops_page(ops, "approve")
    click(page.get_by_role("button", name="Approve reimbursement", exact=True))
    expect(page.locator(".messagelist")).to_contain_text("Approve reimbursement done.")
    ops_page(ops, "approved")

    # Both plans' next 834s carry the change, valid under pyx12.
    cca = batch_stream(batch=batch_cut(plan=Plan.objects.get(provider_id=CCA_SCO)))
    cca = b"".join(cca).decode("ascii")
    swh = batch_stream(batch=batch_cut(plan=Plan.objects.get(provider_id=SWH_SCO)))
    swh = b"".join(swh).decode("ascii")
    assert "INS*Y*18*024*AI*A*C~" in cca and "DTP*357*D8*20250228~" in cca
    assert "INS*Y*18*021*28*A*C~" in swh and "DTP*356*D8*20250301~" in swh
    assert "REF*0F*100000000001~" in cca and "REF*0F*100000000001~" in swh
    for text in (cca, swh):
        assert pyx12_errors(text) == [] and strict_errors(text) == []

    # The capitation export lists the months: −1 for CCA, +1 for SWH, from 03/2025.
    page.goto(page.url.split("/admin/")[0] + "/admin/enrollment/capitationadjustment/")
    ops_page(ops, "capitation_lines")
    click(page.get_by_role("link", name="Export capitation adjustments", exact=True))
    ops_page(ops, "capitation_export")
    months = CapitationAdjustment.objects.filter(plan__provider_id=CCA_SCO).count()
    paid_through = clock.today().replace(day=1)
    assert months == (paid_through.year - 2025) * 12 + paid_through.month - 2
    row = page.get_by_role("row").filter(has_text="03/2025").filter(has_text=CCA_SCO)
    expect(row).to_contain_text("-1")
    with page.expect_download() as download:
        row.get_by_role("link", name="csv", exact=True).click()
    rows = list(csv.reader(io.StringIO(open(download.value.path()).read())))
    assert rows[1][:8] == [CCA_SCO, "Commonwealth Care Alliance SCO", "100000000001",
                           "EXAMPLE", "ROSE", "03/2025", "SCO-CW-GB", "-1"]
    row = page.get_by_role("row").filter(has_text="03/2025").filter(has_text=SWH_SCO)
    with page.expect_download() as download:
        row.get_by_role("link", name="csv", exact=True).click()
    rows = list(csv.reader(io.StringIO(open(download.value.path()).read())))
    assert rows[1][2] == "100000000001" and rows[1][7] == "1"
