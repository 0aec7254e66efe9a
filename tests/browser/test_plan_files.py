"""The plans' file pages in Chromium (issue 17 §3, §4): a 999 uploaded on 834 Files, the
batch page naming the loop in error, a roster reconciled, and Enrollment Operations'
overview; every page checked by axe and the label check (pages.Walk.panel).

The batch is made as the panels make it (enrollment_submit, then the cut), and the 999 is
the one a plan's translator would return (``manage.py make_999``); the plan clerk uploads
it through the page, as the job would.
"""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from enrollment.services import batch_cut, enrollment_submit
from posc import clock
from posc.members.demo import CCA_SCO
from posc.members.models import Plan
from tests.browser.pages import Walk, button, click, field, log_in
from tests.factories import MemberFactory


@pytest.fixture
def rejected_999(demo_data, tmp_path):
    """Batch 1 of CCA's SCO plan with one enrollment, and the 999 rejecting its loop."""
    clerk = get_user_model().objects.get(username="cca.sco")
    member = MemberFactory()
    txn = enrollment_submit(token=uuid.uuid4(), program="SCO", provider_id=CCA_SCO,
                            member=member, last_name=member.last_name,
                            first_name=member.first_name, actor=clerk, today=clock.today())
    assert txn.accepted, txn.errors
    batch_cut(plan=Plan.objects.get(provider_id=CCA_SCO), actor=clerk)
    path = tmp_path / "batch1.999"
    call_command("make_999", "--provider-id", CCA_SCO, "--batch", "1", "--reject-loop",
                 txn.reference, "--output", str(path))
    return path, member


def test_the_plan_uploads_a_999_and_reconciles_its_roster(page, rejected_999, tmp_path):
    path, member = rejected_999
    walk = Walk(page, "plan_files")
    log_in(walk, "cca.sco")
    walk.follow("834 Files", "files")
    page.set_input_files("input[type=file]", str(path))
    click(button(page, "Upload"))
    walk.panel("batch_rejected", f"834 batch 1 for {CCA_SCO}")
    expect(page.get_by_text("Rejected").first).to_be_visible()
    expect(page.get_by_text(member.member_id).first).to_be_visible()

    roster = tmp_path / "roster.csv"
    roster.write_text("Member ID,Rate Cell,Start Date\n100000009999,SCO-CW-GB,01/01/2026\n")
    walk.follow("Reconciliation", "reconciliation")
    field(page, "Roster (.csv)").set_input_files(str(roster))
    click(button(page, "Reconcile"))
    walk.panel("reconciliation_differences")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reconciliation for")
    expect(page.get_by_text("100000009999").first).to_be_visible()


def test_enrollment_operations_see_every_plans_last_reconciliation(page, demo_data):
    walk = Walk(page, "plan_reconciliations")
    log_in(walk, "ops")
    walk.follow("Plan Reconciliations", "overview")
