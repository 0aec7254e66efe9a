"""The transition table: every (status, move) pair is allowed or refused exactly as it says."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.forms.models import model_to_dict

from posc.exceptions import InvalidTransition
from posc.members.models import Plan
from recoupments.models import (
    TRANSITIONS,
    ClaimUpdate,
    DeniedClaim,
    Move,
    Recoupment,
    RecoupmentEvent,
    Status,
)
from recoupments.moves import MOVES
from recoupments.roles import ROLE_PERMISSIONS
from tests.recoupments.factories import RecoupmentFactory
from tests.recoupments.helpers import NOW, TUFTS_TOGETHER, WELLSENSE_MCO, form_input

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


# What each move needs besides the request, the actor and the moment; the service that
# takes them is the one the move table (recoupments.moves.MOVES) names.
ARGUMENTS = {
    Move.RESUBMIT: {"data": form_input()},
    Move.CONFIRM_COMPLETE: {},
    Move.RETURN_INCOMPLETE: {"missing_fields": ["member_ids"]},
    Move.RECORD_RESEARCH: {"enrollments_documented": "Spans documented."},
    Move.APPROVE_MCE: {"path": "A"},
    Move.APPROVE_MASSHEALTH: {"path": "D"},
    Move.RECORD_MCE_UPDATE: {"line_number": 1, "status": "PAID"},
    Move.RECORD_DENIED_CLAIM: {"line_number": 1, "icn": "2226327000002", "edit_codes": ["2017"]},
    Move.SEND_CLAIMS_SUPPORT: {},
    Move.CONFIRM_PAYMENT: {},
    Move.CORRECT_DENIED_CLAIM: {"line_number": 1, "icn": "2226327000003",
                                "edit_codes": ["2017", "0850"]},
    Move.REAPPROVE_MCE: {"line_number": 1, "path": "B", "paying_mce": WELLSENSE_MCO},
    Move.REAPPROVE_MASSHEALTH: {"line_number": 1, "path": "D"},
    Move.CLOSE_LINE: {"line_number": 1, "reason": "Member not eligible."},
    Move.CLOSE_REQUEST: {},
}


def _make(move: str, recoupment: Recoupment, user) -> None:
    """Make *move* through the service the move table names."""
    MOVES[move].service(recoupment=recoupment, actor=user, now=NOW, **ARGUMENTS[move])


def test_every_move_of_the_table_has_a_service_and_arguments():
    assert set(MOVES) == set(TRANSITIONS) == set(ARGUMENTS)


def test_every_ops_move_has_a_page_and_the_role_holds_its_permission():
    ops_permissions = set(ROLE_PERMISSIONS["Enrollment Operations"])
    for move, edge in MOVES.items():
        # Only the provider's own move (resubmit) has no permission and no admin page.
        assert bool(edge.page) == bool(edge.permission) == (move != Move.RESUBMIT), move
        assert not edge.permission or edge.permission in ops_permissions, move
    assert dict(Recoupment._meta.permissions).keys() == {
        t.permission for t in TRANSITIONS.values() if t.permission}


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
        _make(move, recoupment, hospital)
        recoupment.refresh_from_db()
        assert recoupment.status == (transition.target or status)
        event = RecoupmentEvent.objects.filter(recoupment=recoupment).latest("pk")
        assert (event.move, event.from_status, event.to_status, event.actor) == (
            move, status, recoupment.status, hospital)
    else:
        with pytest.raises(InvalidTransition) as refused:
            _make(move, recoupment, hospital)
        assert (refused.value.code, refused.value.extra) == (
            "INVALID_TRANSITION", {"move": move, "status": status})
        assert _snapshot(recoupment) == before


@pytest.mark.parametrize("move", list(MOVES))
def test_every_move_service_is_a_durable_entry_point(move, hospital):
    """A service owns its transaction: called inside another one, it refuses to start."""
    recoupment = RecoupmentFactory(status=Status.RETURNED, submitted_by=hospital)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        _make(move, recoupment, hospital)
