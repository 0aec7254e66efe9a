"""The transition table: every (status, move) pair is allowed or refused exactly as it says."""

import datetime

import pytest
from django.core import mail
from django.forms.models import model_to_dict

from posc.exceptions import InvalidTransition
from posc.members.models import Plan
from recoupments import services
from recoupments.models import (
    TRANSITIONS,
    ClaimUpdate,
    DeniedClaim,
    Move,
    Recoupment,
    RecoupmentEvent,
    Status,
)
from tests.recoupments.conftest import NOW, TUFTS_TOGETHER, WELLSENSE_MCO, form_input
from tests.recoupments.factories import RecoupmentFactory

pytestmark = pytest.mark.django_db

# Rows in the later statuses carry what the earlier moves wrote (the model's constraint).
PATH_OF_STATUS = {Status.MCE_REPROCESSING: "A", Status.MASSHEALTH_BILLING: "D",
                  Status.OVERRIDE_REQUESTED: "D", Status.PAID: "A"}


def _prepare(move: str, recoupment: Recoupment, user) -> None:
    """Meet the move's other conditions, so that only the status can refuse it."""
    line = recoupment.lines.get()
    denied_line_moves = (Move.REAPPROVE_MCE, Move.REAPPROVE_MASSHEALTH, Move.CLOSE_LINE)
    if move in (Move.RECORD_MCE_UPDATE, *denied_line_moves) and recoupment.approval_path == "D":
        # A line re-approved to an MCE while the request bills MassHealth.
        line.path, line.paying_mce = "A", Plan.objects.get(provider_id=TUFTS_TOGETHER)
        line.reapproved_at = NOW - datetime.timedelta(days=1)
        line.save()
    if move in denied_line_moves:
        ClaimUpdate.objects.create(line=line, status=ClaimUpdate.ClaimStatus.DENIED,
                                   recorded_by=user, recorded_at=NOW)
    if move == Move.CLOSE_REQUEST:
        line.closed_at, line.closed_reason = NOW, "Not covered."
        line.save()
    if move == Move.CORRECT_DENIED_CLAIM:
        DeniedClaim.objects.create(line=line, icn="2226327000009", recorded_by=user,
                                   recorded_at=NOW).edits.set(["2017"])
    if move == Move.SEND_CLAIMS_SUPPORT:
        DeniedClaim.objects.create(line=line, icn="2226327000001", recorded_by=user,
                                   recorded_at=NOW).edits.set(["2017"])
    if move == Move.CONFIRM_PAYMENT:
        ClaimUpdate.objects.create(line=line, status=ClaimUpdate.ClaimStatus.PAID,
                                   recorded_by=user, recorded_at=NOW)


CALLS = {
    Move.RESUBMIT: lambda r, u: services.recoupment_resubmit(
        recoupment_id=r.pk, user=u, data=form_input(), now=NOW),
    Move.CONFIRM_COMPLETE: lambda r, u: services.recoupment_confirm_complete(
        recoupment_id=r.pk, user=u, now=NOW),
    Move.RETURN_INCOMPLETE: lambda r, u: services.recoupment_return(
        recoupment_id=r.pk, user=u, missing_fields=["member_ids"], now=NOW),
    Move.RECORD_RESEARCH: lambda r, u: services.recoupment_research_record(
        recoupment_id=r.pk, user=u, enrollments_documented="Spans documented.", now=NOW),
    Move.APPROVE_MCE: lambda r, u: services.recoupment_approve(
        recoupment_id=r.pk, user=u, path="A", now=NOW),
    Move.APPROVE_MASSHEALTH: lambda r, u: services.recoupment_approve(
        recoupment_id=r.pk, user=u, path="D", now=NOW),
    Move.RECORD_MCE_UPDATE: lambda r, u: services.recoupment_mce_update_record(
        recoupment_id=r.pk, user=u, line_number=1, status="PAID", now=NOW),
    Move.RECORD_DENIED_CLAIM: lambda r, u: services.recoupment_denied_claim_record(
        recoupment_id=r.pk, user=u, line_number=1, icn="2226327000002", edit_codes=["2017"],
        now=NOW),
    Move.SEND_CLAIMS_SUPPORT: lambda r, u: services.recoupment_claims_support_send(
        recoupment_id=r.pk, user=u, now=NOW),
    Move.CONFIRM_PAYMENT: lambda r, u: services.recoupment_payment_confirm(
        recoupment_id=r.pk, user=u, now=NOW),
    Move.CORRECT_DENIED_CLAIM: lambda r, u: services.recoupment_denied_claim_correct(
        recoupment_id=r.pk, user=u, line_number=1, icn="2226327000003",
        edit_codes=["2017", "0850"], now=NOW),
    Move.REAPPROVE_MCE: lambda r, u: services.recoupment_line_reapprove(
        recoupment_id=r.pk, user=u, line_number=1, path="B", paying_mce=WELLSENSE_MCO,
        now=NOW),
    Move.REAPPROVE_MASSHEALTH: lambda r, u: services.recoupment_line_reapprove(
        recoupment_id=r.pk, user=u, line_number=1, path="D", now=NOW),
    Move.CLOSE_LINE: lambda r, u: services.recoupment_line_close(
        recoupment_id=r.pk, user=u, line_number=1, reason="Member not eligible.", now=NOW),
    Move.CLOSE_REQUEST: lambda r, u: services.recoupment_close(
        recoupment_id=r.pk, user=u, now=NOW),
}


def test_every_move_of_the_table_has_a_service():
    assert set(CALLS) == set(TRANSITIONS)


def _snapshot(recoupment: Recoupment) -> tuple:
    fresh = Recoupment.objects.get(pk=recoupment.pk)
    return (model_to_dict(fresh, exclude=["mces"]), RecoupmentEvent.objects.count(),
            ClaimUpdate.objects.count(), DeniedClaim.objects.count(), len(mail.outbox),
            list(fresh.lines.values_list("id", "service")))


@pytest.mark.parametrize("move", list(TRANSITIONS))
@pytest.mark.parametrize("status", Status.values)
def test_status_move_pair(status, move, hospital):
    tufts = Plan.objects.get(provider_id=TUFTS_TOGETHER)
    path = PATH_OF_STATUS.get(status, "")
    recoupment = RecoupmentFactory(
        status=status, submitted_by=hospital, mces=[tufts], approval_path=path,
        paying_mce=tufts if path == "A" else None,
        mce_update_due=datetime.date(2026, 12, 7) if path == "A" else None)
    _prepare(move, recoupment, hospital)
    transition = TRANSITIONS[move]
    before = _snapshot(recoupment)
    if status in transition.sources:
        CALLS[move](recoupment, hospital)
        recoupment.refresh_from_db()
        assert recoupment.status == (transition.target or status)
        event = RecoupmentEvent.objects.filter(recoupment=recoupment).latest("pk")
        assert (event.move, event.from_status, event.to_status, event.actor) == (
            move, status, recoupment.status, hospital)
    else:
        with pytest.raises(InvalidTransition) as refused:
            CALLS[move](recoupment, hospital)
        assert Move(move).label in refused.value.message
        assert Status(status).label in refused.value.message
        assert _snapshot(recoupment) == before
