"""Issue 13 points 1, 3 and 5: ops see all of a request; internal notes stay internal.

As the Enrollment Operations role (not a superuser), the request's admin page lists its
lines with their latest MCE status and ICNs, every move with who, when and both notes,
and every e-mail sent for it; its History page shows the same moves. A note typed as
internal never reaches the provider's page nor an e-mail.
"""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from recoupments import claim_services, services
from recoupments.models import ClaimUpdate, RecoupmentEmail, Status
from tests.recoupments.helpers import NOW, TUFTS_TOGETHER, form_input

pytestmark = pytest.mark.django_db

INTERNAL = "INTERNAL: provider may be double billing, check the 835s."


def change_url(recoupment) -> str:
    return reverse("admin:recoupments_recoupment_change", args=[recoupment.pk])


def move_url(recoupment, page: str) -> str:
    return reverse("admin:recoupments_recoupment_move", args=[recoupment.pk, page])


@pytest.fixture
def reprocessing(hospital, ops):
    """A request approved on (a), Tufts reporting line 1 paid, line 2 denied."""
    recoupment = services.recoupment_submit(actor=hospital, data=form_input(
        mce_provider_ids=(TUFTS_TOGETHER,)), now=NOW)
    services.recoupment_confirm_complete(recoupment=recoupment, actor=ops, now=NOW)
    services.recoupment_research_record(recoupment=recoupment, actor=ops, now=NOW,
                                        enrollments_documented="Tufts on every date.")
    services.recoupment_approve(recoupment=recoupment, actor=ops, path="A", now=NOW,
                                note="Tufts reprocesses.", internal_note=INTERNAL)
    claim_services.recoupment_mce_update_record(recoupment=recoupment, actor=ops, line_number=1,
                                          status=ClaimUpdate.ClaimStatus.PAID, now=NOW,
                                          note="Check 4411")
    claim_services.recoupment_mce_update_record(recoupment=recoupment, actor=ops, line_number=2,
                                          status=ClaimUpdate.ClaimStatus.DENIED, now=NOW)
    recoupment.refresh_from_db()
    return recoupment


def test_ops_sees_lines_statuses_history_and_emails(ops, reprocessing, client_for):
    assert not ops.is_superuser
    page = client_for(ops).get(change_url(reprocessing)).content.decode()
    # The lines, with the MCE's latest status per claim.
    for text in ("99213 Office visit", "$145.00", "99214 Office visit", "$210.50",
                 "Reprocessed and paid (11/23/2026): Check 4411",
                 "Denied by the MCE (11/23/2026)", "Tufts Health Together"):
        assert text in page, text
    # Every move, with who and both notes.
    for text in ("Approve: MCE or MBHP pays", "Record MCE claim status", "Tufts reprocesses.",
                 INTERNAL, "ops", "hospital"):
        assert text in page, text
    # Every e-mail sent for the request: recipients, subject and body.
    subjects = list(RecoupmentEmail.objects.filter(recoupment=reprocessing)
                    .values_list("subject", flat=True))
    assert subjects == [m.subject for m in mail.outbox]
    assert len(subjects) == 5  # receipt, MCE instructions, approval, two claim statuses
    for email in mail.outbox:
        assert email.subject in page
        assert ", ".join(email.to) in page
    assert "Please send the status of the reprocessing of each claim" in page


def test_ops_history_page_shows_the_moves(ops, reprocessing, client_for):
    url = reverse("admin:recoupments_recoupment_history", args=[reprocessing.pk])
    page = client_for(ops).get(url).content.decode()
    assert "doesn’t have a change history" not in page
    assert "Record MCE claim status" in page and "Line 2: Denied by the MCE." in page
    assert INTERNAL in page
    assert f"Recoupment {reprocessing.reference}: reprocess and pay the claims" in page


def test_internal_note_never_reaches_the_provider(ops, hospital, reprocessing):
    admin = Client()
    admin.force_login(ops)
    form = admin.get(move_url(reprocessing, "record_mce_update")).content.decode()
    # Each note field says who will read it.
    assert "Note to the provider (the provider reads it)" in form
    assert "Internal note (Enrollment Operations only, never shown to the provider)" in form
    response = admin.post(move_url(reprocessing, "record_mce_update"), {
        "line_number": 3, "status": "PAID", "note": "Paid on check 4412.",
        "internal_note": "INTERNAL: MCE rep was rude, escalate."})
    assert response.status_code == 302
    provider = Client()
    provider.force_login(hospital)
    detail = provider.get(reverse("recoupments:detail",
                                  args=[reprocessing.reference])).content.decode()
    assert "Paid on check 4412." in detail and "Tufts reprocesses." in detail
    assert "INTERNAL" not in detail
    provider_mail = [m for m in mail.outbox if m.to == [hospital.email]]
    assert provider_mail and not any("INTERNAL" in m.body for m in provider_mail)
    assert reprocessing.events.filter(internal_note__startswith="INTERNAL: MCE rep").exists()
    reprocessing.refresh_from_db()
    assert reprocessing.status == Status.MCE_REPROCESSING


def test_provider_told_of_approval_and_each_claim_status(hospital, reprocessing):
    to_provider = [m for m in mail.outbox if m.to == [hospital.email]]
    assert [m.subject for m in to_provider] == [
        f"Recoupment {reprocessing.reference} received",
        f"Recoupment {reprocessing.reference} approved: Tufts Health Together reprocesses "
        f"the claims",
        f"Recoupment {reprocessing.reference}, line 1: Reprocessed and paid",
        f"Recoupment {reprocessing.reference}, line 2: Denied by the MCE"]
    assert "Claim status: Reprocessed and paid" in to_provider[2].body
    assert "Check 4411" in to_provider[2].body
