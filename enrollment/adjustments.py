"""Enrollment adjustments: the moves that change the past (issue 17 §1).

Four services, one per move, each of THE WRITE SHAPE (docs/architecture.md): lock the
member (then the one-time form token), guard (dates, reason, reference), ask the MMIS stub
as of the dates the move touches (``validate_period`` / ``validate_period_end``: every
failing rule at once), change the spans (the exclusion constraint still refuses an
overlap), then the history row (EnrollmentAdjustment), the 834 loops of each plan it
affects (EnrollmentTransaction rows put in that plan's outbox: its next batch), the
capitation adjustment lines, and the audit row.

Capitation lines cover the months MMIS has already paid or is paying: from the first month
the move changes through the month of the request. Later months are not paid yet, and the
834 loops alone tell the plans about them.
"""

import datetime
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from enrollment.adjustment_steps import (
    AdjustmentWriter,
    adjustment_row,
    guard_first,
    guard_integrated,
    guard_month_end,
    guard_text,
    mmis_accepted,
    mmis_facts_of,
    mmis_request,
    move_lock,
    span_create,
    span_text,
    spans_without,
)
from enrollment.models import (
    EnrollmentAdjustment,
    EnrollmentTransaction,
)
from posc.exceptions import DomainError
from posc.members.models import EnrollmentSpan, Member, Plan
from posc.mmis.dates import (
    disenrollment_effective_date,
    enrollment_effective_date,
    format_date,
)
from posc.mmis.period_rules import validate_period, validate_period_end
from posc.mmis.types import Action

Move = EnrollmentAdjustment.Move
Kind = EnrollmentTransaction.Kind

# INS04 of each adjustment loop (X12 005010X220A1 INS04 code list): 28 initial enrollment,
# AI no reason given (an administrative correction, as ADMIN_ERR in models.INS04_FOR_REASON),
# 41 re-enrollment.
INS04_RETRO_ADD = "28"
INS04_RETRO_TERM = "AI"
INS04_REINSTATE = "41"


# ---------------------------------------------------------------------------- helpers


# ---------------------------------------------------------------------------- the moves

@transaction.atomic(durable=True)
def adjustment_retro_disenroll(*, span: EnrollmentSpan, end_date: datetime.date, reason: str,
                               reference: str, token: uuid.UUID, actor: AbstractBaseUser,
                               today: datetime.date) -> EnrollmentAdjustment:
    """End *span* at an earlier month end, *end_date* (issue 17 §1, retro-disenroll).

    The losing plan gets a 024 with the retro end date; a −1 capitation line goes to each
    paid month after it.
    """
    locked = move_lock(member=span.member, span=span, token=token, actor=actor)
    if locked.replay is not None:
        return locked.replay
    member, span = locked.member, locked.span
    reason, reference = guard_text(reason, reference)
    guard_integrated(span.plan)
    guard_month_end(end_date, "new end date")
    if span.cancelled:
        raise DomainError("This enrollment was cancelled; there is nothing to end.",
                          code="CANCELLED")
    if end_date >= disenrollment_effective_date(today):
        raise DomainError("A retro end date is before the end of this month; use the "
                          "Disenrollment panel otherwise.", code="NOT_RETRO")
    if span.end_date is not None and end_date >= span.end_date:
        raise DomainError(f"The new end date must be before the enrollment's current end "
                          f"({span}).", code="DATE")
    facts = mmis_facts_of(span.plan, member)
    mmis_accepted(validate_period_end(
        mmis_request(facts, action=Action.DISENROLL, plan=span.plan, member=member), end=end_date))
    before = span_text(span)
    old_end = span.end_date
    span.end_date = end_date
    span.save(update_fields=["end_date", "updated_at"])
    adjustment = adjustment_row(
        move=Move.RETRO_DISENROLL, member=member, token=token, actor=actor, today=today,
        reason=reason, reference=reference, from_plan=span.plan, end_date=end_date,
        detail={"before": [before], "after": [span_text(span)]})
    writer = AdjustmentWriter(adjustment, member, today)
    writer.loop(kind=Kind.RETRO_TERM, plan=span.plan, span=span, ins03="024",
                ins04=INS04_RETRO_TERM, end=end_date)
    writer.capitation(plan=span.plan, facts=facts, first=end_date + datetime.timedelta(days=1),
                      last=old_end, months=-1)
    writer.audit()
    return adjustment


@transaction.atomic(durable=True)
def adjustment_retro_enroll(*, member: Member, plan: Plan, start_date: datetime.date,
                            end_date: datetime.date | None = None, reason: str, reference: str,
                            token: uuid.UUID, actor: AbstractBaseUser,
                            today: datetime.date) -> EnrollmentAdjustment:
    """Enroll *member* with *plan* from an earlier 1st, *start_date* (issue 17 §1).

    The rate cell is the one in force on *start_date*; the gaining plan gets a 021 with the
    retro start (and the end, when the period is closed); +1 capitation lines follow.
    """
    locked = move_lock(member=member, token=token, actor=actor)
    if locked.replay is not None:
        return locked.replay
    member = locked.member
    reason, reference = guard_text(reason, reference)
    guard_integrated(plan)
    guard_first(start_date, "start date")
    if start_date >= enrollment_effective_date(today):
        raise DomainError("A retro start date is the 1st of this month or earlier; use the "
                          "enrollment panels otherwise.", code="NOT_RETRO")
    if end_date is not None:
        guard_month_end(end_date, "end date")
        if end_date < start_date:
            raise DomainError("The end date is before the start date.", code="DATE")
    facts = mmis_facts_of(plan, member)
    response = mmis_accepted(validate_period(
        mmis_request(facts, action=Action.ENROLL, plan=plan, member=member),
        start=start_date, end=end_date))
    span = span_create(member=member, plan=plan, program=plan.program, start_date=start_date,
                        end_date=end_date)
    adjustment = adjustment_row(
        move=Move.RETRO_ENROLL, member=member, token=token, actor=actor, today=today,
        reason=reason, reference=reference, to_plan=plan, start_date=start_date,
        end_date=end_date,
        detail={"before": [], "after": [span_text(span)], "rate_cell": response.rate_cell.code})
    writer = AdjustmentWriter(adjustment, member, today)
    writer.loop(kind=Kind.RETRO_ADD, plan=plan, span=span, ins03="021", ins04=INS04_RETRO_ADD,
                begin=start_date, end=end_date, facts=facts)
    writer.capitation(plan=plan, facts=facts, first=start_date, last=end_date, months=1)
    writer.audit()
    return adjustment


@transaction.atomic(durable=True)
def adjustment_move(*, span: EnrollmentSpan, to_plan: Plan, start_date: datetime.date,
                    end_date: datetime.date, reason: str, reference: str, token: uuid.UUID,
                    actor: AbstractBaseUser, today: datetime.date) -> EnrollmentAdjustment:
    """Move the past period *start_date*–*end_date* of *span* to *to_plan* (issue 17 §1).

    The losing plan's span ends the day before the period (or is cancelled when the period
    is its start) and, when it went on after the period, continues in a span of its own
    from the day after. Loops: the losing plan a 024 (and a 021 for its continuation), the
    gaining plan a 021 with both dates. Capitation: −1 for the losing plan and +1 for the
    gaining plan in each paid month of the period.
    """
    locked = move_lock(member=span.member, span=span, token=token, actor=actor)
    if locked.replay is not None:
        return locked.replay
    member, span = locked.member, locked.span
    losing = span.plan
    reason, reference = guard_text(reason, reference)
    guard_integrated(losing)
    guard_integrated(to_plan)
    if to_plan.pk == losing.pk:
        raise DomainError("Choose another plan to move the period to.", code="SAME_PLAN")
    guard_first(start_date, "period's first day")
    guard_month_end(end_date, "period's last day")
    if end_date < start_date:
        raise DomainError("The period's last day is before its first day.", code="DATE")
    if end_date >= enrollment_effective_date(today):
        raise DomainError("Only a past period (through this month) can be moved.",
                          code="NOT_RETRO")
    if span.cancelled or span.start_date > start_date or (
            span.end_date is not None and span.end_date < end_date):
        raise DomainError(f"The period must fall within the enrollment ({span}).", code="DATE")
    one_day = datetime.timedelta(days=1)
    pieces = []
    if span.start_date < start_date:
        pieces.append((span.start_date, start_date - one_day))
    continues = span.end_date is None or span.end_date > end_date
    if continues:
        pieces.append((end_date + one_day, span.end_date))
    losing_facts = mmis_facts_of(losing, member)
    gaining_facts = mmis_facts_of(to_plan, member)
    if span.start_date < start_date:
        mmis_accepted(validate_period_end(
            mmis_request(losing_facts, action=Action.DISENROLL, plan=losing, member=member),
            end=start_date - one_day))
    mmis_accepted(validate_period(
        mmis_request(gaining_facts, action=Action.ENROLL, plan=to_plan, member=member,
                 spans=spans_without(gaining_facts.spans, span, *pieces)),
        start=start_date, end=end_date))
    before = span_text(span)
    old_end = span.end_date
    if span.start_date < start_date:
        span.end_date = start_date - one_day
    else:  # mmis-rules.md: ending a span at its start cancels it (kept, never deleted)
        span.end_date, span.cancelled = span.start_date, True
    span.save(update_fields=["end_date", "cancelled", "updated_at"])
    moved = span_create(member=member, plan=to_plan, program=to_plan.program,
                         start_date=start_date, end_date=end_date)
    continuation = None
    if continues:
        continuation = span_create(member=member, plan=losing, program=losing.program,
                                    start_date=end_date + one_day, end_date=old_end)
    after = [span_text(s) for s in (span, moved, continuation) if s is not None]
    adjustment = adjustment_row(
        move=Move.MOVE, member=member, token=token, actor=actor, today=today, reason=reason,
        reference=reference, from_plan=losing, to_plan=to_plan, start_date=start_date,
        end_date=end_date, detail={"before": [before], "after": after})
    writer = AdjustmentWriter(adjustment, member, today)
    writer.loop(kind=Kind.RETRO_TERM, plan=losing, span=span, ins03="024",
                ins04=INS04_RETRO_TERM, end=span.end_date)
    if continuation is not None:
        writer.loop(kind=Kind.RETRO_ADD, plan=losing, span=continuation, ins03="021",
                    ins04=INS04_RETRO_ADD, begin=continuation.start_date,
                    end=continuation.end_date, facts=losing_facts)
    writer.loop(kind=Kind.RETRO_ADD, plan=to_plan, span=moved, ins03="021",
                ins04=INS04_RETRO_ADD, begin=start_date, end=end_date, facts=gaining_facts)
    writer.capitation(plan=losing, facts=losing_facts, first=start_date, last=end_date,
                      months=-1)
    writer.capitation(plan=to_plan, facts=gaining_facts, first=start_date, last=end_date,
                      months=1)
    writer.audit()
    return adjustment


@transaction.atomic(durable=True)
def adjustment_reinstate(*, span: EnrollmentSpan, reason: str, reference: str,
                         token: uuid.UUID, actor: AbstractBaseUser,
                         today: datetime.date) -> EnrollmentAdjustment:
    """Reinstate a disenrollment or cancellation made in error (issue 17 §1).

    Coverage continues with no gap: a continuation span, open, starts the day after the
    erroneous end (on the original start for a cancellation); the ended span keeps its
    history. The plan gets a 025 with the original dates; +1 capitation lines follow.
    """
    locked = move_lock(member=span.member, span=span, token=token, actor=actor)
    if locked.replay is not None:
        return locked.replay
    member, span = locked.member, locked.span
    plan = span.plan
    reason, reference = guard_text(reason, reference)
    guard_integrated(plan)
    if span.end_date is None:
        raise DomainError("This enrollment has not ended; there is nothing to reinstate.",
                          code="NOT_ENDED")
    resume = span.start_date if span.cancelled else span.end_date + datetime.timedelta(days=1)
    facts = mmis_facts_of(plan, member)
    mmis_accepted(validate_period(
        mmis_request(facts, action=Action.ENROLL, plan=plan, member=member),
        start=resume, end=None))
    continuation = span_create(member=member, plan=plan, program=plan.program,
                                start_date=resume, end_date=None)
    adjustment = adjustment_row(
        move=Move.REINSTATE, member=member, token=token, actor=actor, today=today,
        reason=reason, reference=reference, to_plan=plan, start_date=span.start_date,
        end_date=span.end_date,
        detail={"before": [span_text(span)], "after": [span_text(continuation)],
                "resumes": resume.isoformat()})
    writer = AdjustmentWriter(adjustment, member, today)
    writer.loop(kind=Kind.REINSTATE, plan=plan, span=continuation, ins03="025",
                ins04=INS04_REINSTATE, begin=span.start_date, facts=facts)
    writer.capitation(plan=plan, facts=facts, first=resume, last=None, months=1)
    writer.audit()
    return adjustment


def adjustment_summary(adjustment: EnrollmentAdjustment) -> str:
    """Return the plans and dates of *adjustment* in a line (MM/DD/YYYY, ui.md)."""
    parts = []
    if adjustment.from_plan_id:
        parts.append(f"from {adjustment.from_plan.provider_id}")
    if adjustment.to_plan_id:
        parts.append(f"to {adjustment.to_plan.provider_id}")
    if adjustment.start_date:
        parts.append(f"start {format_date(adjustment.start_date)}")
    if adjustment.end_date:
        parts.append(f"end {format_date(adjustment.end_date)}")
    return ", ".join(parts)
