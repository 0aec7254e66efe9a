"""The plans' acknowledgments of our 834 files (issue 17 §3): load a 999 or TA1 and match it to
its batch, and send a rejected batch again. Docs: docs/834.md, "Acknowledgments".
"""

import bisect
import hashlib
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from enrollment.models import (
    Acknowledgment,
    AcknowledgmentError,
    Batch834,
    BatchStatus,
    EnrollmentTransaction,
)
from enrollment.selectors import batch_first, batch_status
from enrollment.services import batch_interchange
from posc.clock import EASTERN
from posc.exceptions import DomainError
from posc.members.models import Plan
from posc.mmis import x12_999, x12_999_codes
from posc.mmis.x12_834 import transaction_header


def _refuse_unread(ack: x12_999.Ack, plans: Sequence[Plan]) -> tuple[Plan, int]:
    """Return the plan that sent *ack* and the batch number it answers, or refuse it.

    Refusals (issue 17): a file from a plan other than the loader's (ISA06 is the plan's
    provider ID), one not addressed to MassHealth, or one that answers no 834 of ours.
    """
    if ack.receiver_id != settings.X12_SENDER_ID:
        raise DomainError(f"This acknowledgment is addressed to {ack.receiver_id!r}, not to "
                          f"MassHealth ({settings.X12_SENDER_ID}). Nothing was loaded.",
                          code="ACK_INVALID")
    plan = next((p for p in plans if p.provider_id == ack.sender_id), None)
    if plan is None:
        mine = ", ".join(p.provider_id for p in plans) or "none"
        raise DomainError(f"This acknowledgment belongs to another plan: it was sent by "
                          f"{ack.sender_id!r}, and can be loaded only by that plan "
                          f"(yours: {mine}). Nothing was loaded.", code="ACK_OTHER_PLAN")
    numbers: set[str] = {ta1.control for ta1 in ack.ta1s}
    if ack.has_999:
        # AK2 is situational: a 999 rejecting the whole group may name no transaction set.
        if ack.group_id != "BE" or len(ack.transactions) > 1 or any(
                answer.set_id != "834" for answer in ack.transactions):
            raise DomainError("This 999 does not answer an 834 file (AK101 must be BE and "
                              "AK2 name one 834). Nothing was loaded.", code="ACK_NO_BATCH")
        numbers |= {ack.group_control, *(answer.control for answer in ack.transactions)}
    try:
        values = {int(n) for n in numbers}
    except ValueError:
        values = set()
    if len(values) != 1:
        raise DomainError("The control numbers of this acknowledgment (AK102, AK202, TA101) "
                          "do not name one 834 batch. Nothing was loaded.", code="ACK_NO_BATCH")
    return plan, values.pop()



def _outcome(ack: x12_999.Ack) -> tuple[str, str, str, str]:
    """Return (kind, outcome, code, plain-English reason) of *ack*.

    A TA1 rejecting the interchange counts as Rejected (issue 17), whatever a 999 says.
    """
    Outcome = Acknowledgment.Outcome
    rejected = next((t for t in ack.ta1s if t.rejected), None)
    if rejected is not None:
        return (Acknowledgment.Kind.TA1, Outcome.REJECTED, rejected.code,
                f"{x12_999.TA1_CODES['R']}: {rejected.reason}")
    if not ack.has_999:
        ta1 = ack.ta1s[0]
        return Acknowledgment.Kind.TA1, Outcome.INTERCHANGE_ACCEPTED, ta1.code, ta1.reason
    answer = ack.transactions[0] if ack.transactions else None
    code = answer.code if answer is not None else ack.group_code
    if code in x12_999_codes.ACCEPTED_CODES:
        outcome = Outcome.ACCEPTED
    elif code in x12_999_codes.ACCEPTED_WITH_ERRORS_CODES:
        outcome = Outcome.ACCEPTED_WITH_ERRORS
    else:
        outcome = Outcome.REJECTED
    reason = x12_999_codes.TRANSACTION_CODES.get(code, code)
    if answer is not None and answer.syntax_codes:
        reason += ": " + x12_999_codes.reasons(answer.syntax_codes,
                                                 x12_999_codes.TRANSACTION_ERRORS)
    return Acknowledgment.Kind.ACK_999, outcome, code, reason



def batch_loop_positions(batch: Batch834) -> tuple[list[int], list[tuple[int, str]]]:
    """Return where each member loop of *batch*'s 834 starts (IK302 counting, ST = 1), and
    each loop's transaction and member ID, in file order."""
    interchange = batch_interchange(batch=batch)
    position = len(transaction_header(interchange)) + 1
    starts, loops = [], []
    rows = (EnrollmentTransaction.objects.filter(entry__batch=batch_first(batch)).order_by("pk")
            .values_list("pk", "member_id", "loop_segments").iterator(chunk_size=10_000))
    for pk, member_id, segment_count in rows:
        starts.append(position)
        loops.append((pk, member_id))
        position += segment_count
    starts.append(position)  # the SE: past the last loop
    return starts, loops



def _errors(ack: x12_999.Ack, acknowledgment: Acknowledgment,
            batch: Batch834) -> list[AcknowledgmentError]:
    """Return one row per segment the 999 named, with the member loop that holds it."""
    notes = [note for answer in ack.transactions for note in answer.segments]
    if not notes:
        return []
    starts, loops = batch_loop_positions(batch)
    rows = []
    for note in notes:
        index = bisect.bisect_right(starts, note.position) - 1
        txn_pk, member_id = (loops[index] if 0 <= index < len(loops)
                             else (None, note.member_id))
        rows.append(AcknowledgmentError(
            acknowledgment=acknowledgment, transaction_id=txn_pk, member_id=member_id[:50],
            segment_id=note.segment_id[:3], position=note.position, loop_id=note.loop_id[:6],
            code=note.code[:3], reason=note.reason[:1000],
            elements=[{"position": e.position, "reference": e.reference, "code": e.code,
                       "value": e.bad_value} for e in note.elements]))
    return rows



@transaction.atomic(durable=True)
def acknowledgment_load(*, data: bytes, filename: str, plans: Sequence[Plan],
                        actor: AbstractBaseUser | None) -> Acknowledgment:
    """Load a 999 or TA1 a plan returned; return the stored acknowledgment.

    *plans* are the plans the loader answers for (a plan user's own; the command's one).
    Refused, with nothing stored: a file that is not a valid 999/TA1 (ACK_INVALID), one
    another plan sent (ACK_OTHER_PLAN), one that matches no batch (ACK_NO_BATCH), and a file
    already loaded for the batch (ACK_DUPLICATE). The batch row is locked, so two loads of
    one file wait for each other and the second is refused.
    """
    try:
        ack = x12_999.ack_read(data)
    except x12_999.AckInvalid as exc:
        raise DomainError(f"{exc} Nothing was loaded.", code="ACK_INVALID") from None
    plan, number = _refuse_unread(ack, plans)
    # order_by(): the default ordering joins Plan, and FOR UPDATE would lock it too.
    batch = (Batch834.objects.select_for_update().filter(plan=plan, number=number)
             .order_by().first())
    if batch is None:
        raise DomainError(f"This acknowledgment answers 834 batch {number} of {plan.provider_id}, "
                          "and no such batch was sent. Nothing was loaded.", code="ACK_NO_BATCH")
    batch.plan = plan
    sha = hashlib.sha256(data).hexdigest()
    earlier = Acknowledgment.objects.filter(batch=batch, sha256=sha).first()
    if earlier is not None:
        raise DomainError(f"This acknowledgment was already loaded for batch {number} on "
                          f"{earlier.created_at.astimezone(EASTERN):%m/%d/%Y %I:%M %p}. "
                          "Nothing was loaded again.", code="ACK_DUPLICATE")
    kind, outcome, code, reason = _outcome(ack)
    acknowledgment = Acknowledgment.objects.create(
        batch=batch, kind=kind, outcome=outcome, code=code, reason=reason[:500],
        control=ack.control[:9], filename=Path(filename).name[:255], sha256=sha,
        content=data.decode("ascii"), loaded_by=actor)
    errors = AcknowledgmentError.objects.bulk_create(_errors(ack, acknowledgment, batch))
    audit_record(AuditAction.CREATE, "834 acknowledgment", batch.label,
                 member_ids=list(dict.fromkeys(e.member_id for e in errors if e.member_id)),
                 detail=f"{kind} {acknowledgment.get_outcome_display()}, {len(errors)} "
                        f"segment{'s' if len(errors) != 1 else ''} in error", user=actor)
    return acknowledgment



@transaction.atomic(durable=True)
def batch_resend(*, batch: Batch834, actor: AbstractBaseUser | None) -> Batch834:
    """Send a rejected batch again: a new batch, the plan's next number (a new ISA13, GS06
    and ST02), the same member loops. Written out like any batch cut and not yet written
    (the daily task, or ``export_834 --batch``); the plan downloads it from 834 Files.

    Refused: a batch whose latest acknowledgment is not a rejection (BATCH_NOT_REJECTED),
    and one already sent again (BATCH_RESENT).
    """
    Plan.objects.select_for_update().get(pk=batch.plan_id)  # numbers: as batch_cut
    locked = Batch834.objects.select_for_update().filter(pk=batch.pk).order_by().get()
    if batch_status(batch=locked) != BatchStatus.REJECTED:
        raise DomainError(f"Batch {locked.number} was not rejected by the plan; only a rejected "
                          "batch is sent again.", code="BATCH_NOT_REJECTED")
    already = Batch834.objects.filter(resend_of=locked).first()
    if already is not None:
        raise DomainError(f"Batch {locked.number} was already sent again as batch "
                          f"{already.number}.", code="BATCH_RESENT")
    last = Batch834.objects.filter(plan_id=locked.plan_id).aggregate(n=Max("number"))["n"]
    again = Batch834.objects.create(plan_id=locked.plan_id, number=last + 1, cut_by=actor,
                                    loop_count=locked.loop_count, resend_of=locked)
    audit_record(AuditAction.CREATE, "834 batch", again.label,
                 detail=f"batch {locked.number} sent again after its rejection: "
                        f"{again.loop_count} member loops", user=actor)
    return again
