"""The steps every recoupment move takes, in this order: lock, guard, change, record.

``lock`` re-reads the request under a row lock, ``guard`` asks the transition table
(``workflow.TRANSITIONS``) whether the move may start from the current status, and
``record`` applies the move's target status and writes its history row, then its audit
row, in the move's transaction. Shared by ``services`` and ``claim_services``.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from posc.exceptions import DomainError, InvalidTransition
from posc.members.models import Plan, Program
from recoupments.models import (
    TRANSITIONS,
    ApprovalPath,
    MceContact,
    Recoupment,
    RecoupmentEvent,
    RecoupmentLine,
)


def lock(recoupment: Recoupment) -> Recoupment:
    """Lock the request's row and read it again: the move decides on the committed state."""
    locked = Recoupment.objects.select_for_update().filter(pk=recoupment.pk).first()
    if locked is None:
        raise DomainError("No such recoupment request.", code="NOT_FOUND")
    return locked


def guard(recoupment: Recoupment, move: str) -> None:
    """Refuse a move the transition table does not allow from the current status."""
    refusal = recoupment.move_refusal(move)
    if refusal:
        raise InvalidTransition(refusal, extra={"move": move, "status": recoupment.status})


def record(*, recoupment: Recoupment, move: str, actor: AbstractBaseUser,
            now: datetime.datetime, note: str = "", internal_note: str = "") -> RecoupmentEvent:
    """Apply *move* (already checked) to the locked request; write its history and audit rows."""
    before = recoupment.status
    target = TRANSITIONS[move].target
    if target is not None:
        recoupment.status = target
    recoupment.save()
    event = RecoupmentEvent.objects.create(recoupment=recoupment, move=move, from_status=before,
                                           to_status=recoupment.status, actor=actor, at=now,
                                           note=note.strip(), internal_note=internal_note.strip())
    # HIPAA 45 CFR 164.312(b): every move is audited in the move's transaction.
    audit_record(AuditAction.CHANGE, "recoupment", recoupment.reference,
                 member_ids=recoupment.member_ids, user=actor,
                 detail=f"{move}: {before} -> {recoupment.status}")
    return event


def line_of(recoupment: Recoupment, number: int) -> RecoupmentLine:
    line = recoupment.lines.filter(number=number).first()
    if line is None:
        raise DomainError(f"{recoupment.reference} has no service line {number}.", code="LINE")
    return line


def check_path(path: str) -> None:
    """Refuse an approval that is not one of seed 004's (a) to (d)."""
    if path not in ApprovalPath.values:
        raise DomainError("Choose the approval: (a), (b), (c) or (d).", code="PATH")


def paying_entity(recoupment: Recoupment, path: str, provider_id: str) -> Plan:
    """Return the entity that pays on path (a)–(c), refusing one the path does not allow."""
    original = list(recoupment.mces.all())
    if path == ApprovalPath.MBHP:
        plans = Plan.objects.filter(program=Program.MBHP)
        plan = plans.filter(provider_id=provider_id).first() if provider_id else (
            plans.first() if plans.count() == 1 else None)
        if plan is None:
            raise DomainError("Choose the MBHP as the paying entity for approval (c).",
                              code="PAYING_MCE")
        return plan
    if not provider_id and path == ApprovalPath.ORIGINAL_MCE and len(original) == 1:
        return original[0]
    plan = Plan.objects.filter(provider_id=provider_id).exclude(program=Program.MBHP).first()
    if plan is None:
        raise DomainError("Choose the MCE that will process and pay the claims.",
                          code="PAYING_MCE")
    if path == ApprovalPath.ORIGINAL_MCE and plan not in original:
        raise DomainError(f"{plan.name} is not an MCE named on the form: approval (a) is the "
                          f"original MCE.", code="PAYING_MCE")
    if path == ApprovalPath.OTHER_MCE and plan in original:
        raise DomainError(f"{plan.name} is named on the form: approval (b) is a different MCE.",
                          code="PAYING_MCE")
    return plan


def mce_contact(plan: Plan) -> MceContact:
    """Return where the paying MCE's instructions go; refuse a plan without one."""
    contact = MceContact.objects.filter(plan=plan).first()
    if contact is None:
        raise DomainError(f"No recoupment contact e-mail is set for {plan.name}: add it "
                          f"under MCE recoupment contacts first.", code="MCE_CONTACT")
    return contact
