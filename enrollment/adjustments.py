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
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from enrollment.models import (
    BatchEntry,
    CapitationAdjustment,
    EnrollmentAdjustment,
    EnrollmentTransaction,
)
from enrollment.selectors import MmisFacts, member_record, mmis_facts
from posc.exceptions import DomainError
from posc.members.models import EnrollmentSpan, Member, Plan
from posc.mmis.dates import (
    disenrollment_effective_date,
    enrollment_effective_date,
    format_date,
    last_day_of_month,
)
from posc.mmis.programs import INTEGRATED_PROGRAMS, PROGRAM_CODES
from posc.mmis.types import Action, AdjustmentLoop834, MmisRequest, MmisResponse, SpanRecord
from posc.mmis.validator import (
    NO_MATCH_MESSAGE,
    medicare_status_on,
    rate_cell_for,
    validate_period,
    validate_period_end,
)
from posc.mmis.x12_834 import render_adjustment_loop
from posc.submission import submission_replay

Move = EnrollmentAdjustment.Move
Kind = EnrollmentTransaction.Kind

# INS04 of each adjustment loop (X12 005010X220A1 INS04 code list): 28 initial enrollment,
# AI no reason given (an administrative correction, as ADMIN_ERR in models.INS04_FOR_REASON),
# 41 re-enrollment.
INS04_RETRO_ADD = "28"
INS04_RETRO_TERM = "AI"
INS04_REINSTATE = "41"

REFUSED = "MMIS_REFUSED"


class AdjustmentRefused(DomainError):
    """MMIS refused the move: ``codes`` and ``errors`` hold every failing rule."""

    default_code = REFUSED

    def __init__(self, response: MmisResponse):
        self.codes = list(response.codes)
        self.errors = [e.message for e in response.errors]
        super().__init__(" ".join(self.errors), code=REFUSED,
                         extra={"codes": self.codes, "errors": self.errors})


# ---------------------------------------------------------------------------- helpers

def month_firsts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Return the first day of every month from *first*'s through *last*'s."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = last_day_of_month(day) + datetime.timedelta(days=1)
    return months


def _guard_text(reason: str, reference: str) -> tuple[str, str]:
    """Return the trimmed reason and reference; refuse either one empty (issue 17 §1)."""
    if not reason.strip():
        raise DomainError("Give the reason for the adjustment.", code="REASON")
    if not reference.strip():
        raise DomainError("Give the reference: the recoupment, or a note saying what asked for "
                          "the adjustment.", code="REFERENCE")
    return reason.strip(), reference.strip()[:200]


def _guard_first(day: datetime.date, label: str) -> None:
    if day.day != 1:
        raise DomainError(f"The {label} must be the 1st of a month.", code="DATE")


def _guard_month_end(day: datetime.date, label: str) -> None:
    if day != last_day_of_month(day):
        raise DomainError(f"The {label} must be the last day of a month.", code="DATE")


def _guard_integrated(plan: Plan) -> None:
    if plan.program not in INTEGRATED_PROGRAMS:
        raise DomainError("Adjustments are made to SCO and One Care plans only.", code="PROGRAM")


def _member_lock(member: Member) -> Member:
    """Lock the member's row: adjustments and Submits for one member run one at a time."""
    locked = Member.objects.select_for_update().filter(pk=member.pk).first()
    if locked is None:
        raise DomainError(NO_MATCH_MESSAGE, code="NO_MATCH")
    return locked


def _span_lock(span: EnrollmentSpan) -> EnrollmentSpan:
    return (EnrollmentSpan.objects.select_for_update().select_related("plan")
            .order_by().get(pk=span.pk))


def _replay(token: uuid.UUID, actor: AbstractBaseUser) -> EnrollmentAdjustment | None:
    return submission_replay(
        EnrollmentAdjustment, token=token, token_field="token", user=actor,
        owner_field="requested_by_id",
        refusal="This form can no longer be submitted. Start the adjustment again.")


def _facts(plan: Plan, member: Member) -> MmisFacts:
    return mmis_facts(program=plan.program, provider_id=plan.provider_id, member_id=member.pk)


def _request(facts: MmisFacts, *, action: Action, plan: Plan, member: Member,
             spans: Iterable[SpanRecord] | None = None) -> MmisRequest:
    """Return the MMIS request of an adjustment: EOHHS acts for every plan, by Member ID."""
    return MmisRequest(
        action=action, program=plan.program, provider_id=plan.provider_id, member_id=member.pk,
        last_name=member.last_name, first_name=member.first_name,
        user_provider_ids=frozenset({plan.provider_id}), plan=facts.plan,
        member=member_record(member=facts.member) if facts.member else None,
        spans=facts.spans if spans is None else tuple(spans), rate_cells=facts.rate_cells)


def _without(spans: Iterable[SpanRecord], span: EnrollmentSpan,
             *pieces: tuple[datetime.date, datetime.date | None]) -> list[SpanRecord]:
    """Return *spans* with *span* replaced by *pieces* (what it becomes after the move)."""
    kept = [s for s in spans if not (s.provider_id == span.plan.provider_id
                                     and s.start_date == span.start_date)]
    return kept + [SpanRecord(provider_id=span.plan.provider_id, program=span.program,
                              start_date=start, end_date=end) for start, end in pieces]


def _accepted(response: MmisResponse) -> MmisResponse:
    if not response.accepted:
        raise AdjustmentRefused(response)
    return response


def _next_number(today: datetime.date) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('enrollment_reference_seq')")
        (number,) = cursor.fetchone()
    return f"ADJ-{today:%Y%m%d}-{number:06d}"


def _span_create(**fields) -> EnrollmentSpan:
    """Create a span; the exclusion constraint's refusal becomes a DomainError (OVERLAP)."""
    try:
        with transaction.atomic():
            return EnrollmentSpan.objects.create(source=EnrollmentSpan.Source.PORTAL, **fields)
    except IntegrityError:
        raise DomainError("The member would be enrolled with two SCO or One Care plans at once.",
                          code="OVERLAP") from None


def _span_text(span: EnrollmentSpan) -> dict:
    return {"plan": span.plan.provider_id, "start": span.start_date.isoformat(),
            "end": span.end_date.isoformat() if span.end_date else None,
            "cancelled": span.cancelled}


class _Writer:
    """The rows one adjustment writes after its change: loops, capitation lines, audit."""

    def __init__(self, adjustment: EnrollmentAdjustment, member: Member,
                 today: datetime.date):
        self.adjustment, self.member, self.today = adjustment, member, today
        self.record = member_record(member=member)
        self.plans: set[str] = set()

    def loop(self, *, kind: str, plan: Plan, span: EnrollmentSpan, ins03: str, ins04: str,
             begin: datetime.date | None = None, end: datetime.date | None = None,
             facts: MmisFacts | None = None) -> EnrollmentTransaction:
        """Store one 834 loop for *plan* and put it in the plan's outbox (its next batch)."""
        member = self.member
        cell = cell_pk = None
        if ins03 != "024" and facts is not None:
            cell = rate_cell_for(facts.rate_cells, plan.program, self.record, begin or end)
            cell_pk = facts.rate_cell_pks.get(cell) if cell else None
        day = begin or end
        try:
            loop = render_adjustment_loop(AdjustmentLoop834(
                maintenance_type=ins03, maintenance_reason=ins04,
                medicare_status=medicare_status_on(self.record, day),
                member_id=member.member_id, program_code=PROGRAM_CODES[plan.program],
                last_name=member.last_name, first_name=member.first_name,
                middle_initial=member.middle_initial, address_line1=member.address_line1,
                city=member.city, state="MA", zip=member.zip, date_of_birth=member.date_of_birth,
                sex=member.sex, begin=begin, end=end,
                rate_cell_code=cell.code if cell else ""))
        except ValueError:
            raise DomainError("This member's record cannot be sent in an 834 file; correct it "
                              "in MMIS first.", code="X12") from None
        txn = EnrollmentTransaction.objects.create(
            reference=_next_number(self.today), token=uuid.uuid4(), kind=kind,
            status=EnrollmentTransaction.Status.ACCEPTED, member=member, plan=plan,
            requested_by=self.adjustment.requested_by, request_date=self.today,
            effective_date=day, rate_cell_id=cell_pk, span=span,
            loop_x12=loop.text, loop_segments=loop.segment_count, adjustment=self.adjustment)
        BatchEntry.objects.create(transaction=txn, plan=plan)  # the 834 outbox
        self.plans.add(plan.provider_id)
        return txn

    def capitation(self, *, plan: Plan, facts: MmisFacts, first: datetime.date,
                   last: datetime.date | None, months: int) -> list[CapitationAdjustment]:
        """Write one line per month from *first* through *last* that MMIS has paid."""
        paid_through = self.today.replace(day=1)
        last = paid_through if last is None else min(last, paid_through)
        lines = []
        for month in month_firsts(first, last) if first <= last else []:
            cell = rate_cell_for(facts.rate_cells, plan.program, self.record, month)
            lines.append(CapitationAdjustment(
                adjustment=self.adjustment, plan=plan, member=self.member, month=month,
                rate_cell_id=facts.rate_cell_pks.get(cell) if cell else None, months=months))
        return CapitationAdjustment.objects.bulk_create(lines)

    def audit(self) -> None:
        """HIPAA 45 CFR 164.312(b): the write is audited (docs/architecture.md)."""
        adjustment = self.adjustment
        audit_record(AuditAction.CREATE, "enrollment adjustment", adjustment.number,
                     member_ids=[self.member.pk],
                     detail=f"{adjustment.move}; 834 loops for {', '.join(sorted(self.plans))}; "
                            f"reference {adjustment.reference}",
                     user=adjustment.requested_by)


def _adjustment(*, move: str, member: Member, token: uuid.UUID, actor: AbstractBaseUser,
                today: datetime.date, reason: str, reference: str,
                from_plan: Plan | None = None, to_plan: Plan | None = None,
                start_date: datetime.date | None = None, end_date: datetime.date | None = None,
                detail: dict) -> EnrollmentAdjustment:
    return EnrollmentAdjustment.objects.create(
        number=_next_number(today), token=token, move=move, member=member, from_plan=from_plan,
        to_plan=to_plan, start_date=start_date, end_date=end_date, reason=reason,
        reference=reference, requested_by=actor, request_date=today, detail=detail)


# ---------------------------------------------------------------------------- the moves

@transaction.atomic(durable=True)
def adjustment_retro_disenroll(*, span: EnrollmentSpan, end_date: datetime.date, reason: str,
                               reference: str, token: uuid.UUID, actor: AbstractBaseUser,
                               today: datetime.date) -> EnrollmentAdjustment:
    """End *span* at an earlier month end, *end_date* (issue 17 §1, retro-disenroll).

    The losing plan gets a 024 with the retro end date; a −1 capitation line goes to each
    paid month after it.
    """
    member = _member_lock(span.member)
    stored = _replay(token, actor)
    if stored is not None:
        return stored
    span = _span_lock(span)
    reason, reference = _guard_text(reason, reference)
    _guard_integrated(span.plan)
    _guard_month_end(end_date, "new end date")
    if span.cancelled:
        raise DomainError("This enrollment was cancelled; there is nothing to end.",
                          code="CANCELLED")
    if end_date >= disenrollment_effective_date(today):
        raise DomainError("A retro end date is before the end of this month; use the "
                          "Disenrollment panel otherwise.", code="NOT_RETRO")
    if span.end_date is not None and end_date >= span.end_date:
        raise DomainError(f"The new end date must be before the enrollment's current end "
                          f"({span}).", code="DATE")
    facts = _facts(span.plan, member)
    _accepted(validate_period_end(
        _request(facts, action=Action.DISENROLL, plan=span.plan, member=member), end=end_date))
    before = _span_text(span)
    old_end = span.end_date
    span.end_date = end_date
    span.save(update_fields=["end_date", "updated_at"])
    adjustment = _adjustment(
        move=Move.RETRO_DISENROLL, member=member, token=token, actor=actor, today=today,
        reason=reason, reference=reference, from_plan=span.plan, end_date=end_date,
        detail={"before": [before], "after": [_span_text(span)]})
    writer = _Writer(adjustment, member, today)
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
    member = _member_lock(member)
    stored = _replay(token, actor)
    if stored is not None:
        return stored
    reason, reference = _guard_text(reason, reference)
    _guard_integrated(plan)
    _guard_first(start_date, "start date")
    if start_date >= enrollment_effective_date(today):
        raise DomainError("A retro start date is the 1st of this month or earlier; use the "
                          "enrollment panels otherwise.", code="NOT_RETRO")
    if end_date is not None:
        _guard_month_end(end_date, "end date")
        if end_date < start_date:
            raise DomainError("The end date is before the start date.", code="DATE")
    facts = _facts(plan, member)
    response = _accepted(validate_period(
        _request(facts, action=Action.ENROLL, plan=plan, member=member),
        start=start_date, end=end_date))
    span = _span_create(member=member, plan=plan, program=plan.program, start_date=start_date,
                        end_date=end_date)
    adjustment = _adjustment(
        move=Move.RETRO_ENROLL, member=member, token=token, actor=actor, today=today,
        reason=reason, reference=reference, to_plan=plan, start_date=start_date,
        end_date=end_date,
        detail={"before": [], "after": [_span_text(span)], "rate_cell": response.rate_cell.code})
    writer = _Writer(adjustment, member, today)
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
    member = _member_lock(span.member)
    stored = _replay(token, actor)
    if stored is not None:
        return stored
    span = _span_lock(span)
    losing = span.plan
    reason, reference = _guard_text(reason, reference)
    _guard_integrated(losing)
    _guard_integrated(to_plan)
    if to_plan.pk == losing.pk:
        raise DomainError("Choose another plan to move the period to.", code="SAME_PLAN")
    _guard_first(start_date, "period's first day")
    _guard_month_end(end_date, "period's last day")
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
    losing_facts = _facts(losing, member)
    gaining_facts = _facts(to_plan, member)
    if span.start_date < start_date:
        _accepted(validate_period_end(
            _request(losing_facts, action=Action.DISENROLL, plan=losing, member=member),
            end=start_date - one_day))
    _accepted(validate_period(
        _request(gaining_facts, action=Action.ENROLL, plan=to_plan, member=member,
                 spans=_without(gaining_facts.spans, span, *pieces)),
        start=start_date, end=end_date))
    before = _span_text(span)
    old_end = span.end_date
    if span.start_date < start_date:
        span.end_date = start_date - one_day
    else:  # mmis-rules.md: ending a span at its start cancels it (kept, never deleted)
        span.end_date, span.cancelled = span.start_date, True
    span.save(update_fields=["end_date", "cancelled", "updated_at"])
    moved = _span_create(member=member, plan=to_plan, program=to_plan.program,
                         start_date=start_date, end_date=end_date)
    continuation = None
    if continues:
        continuation = _span_create(member=member, plan=losing, program=losing.program,
                                    start_date=end_date + one_day, end_date=old_end)
    after = [_span_text(s) for s in (span, moved, continuation) if s is not None]
    adjustment = _adjustment(
        move=Move.MOVE, member=member, token=token, actor=actor, today=today, reason=reason,
        reference=reference, from_plan=losing, to_plan=to_plan, start_date=start_date,
        end_date=end_date, detail={"before": [before], "after": after})
    writer = _Writer(adjustment, member, today)
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
    member = _member_lock(span.member)
    stored = _replay(token, actor)
    if stored is not None:
        return stored
    span = _span_lock(span)
    plan = span.plan
    reason, reference = _guard_text(reason, reference)
    _guard_integrated(plan)
    if span.end_date is None:
        raise DomainError("This enrollment has not ended; there is nothing to reinstate.",
                          code="NOT_ENDED")
    resume = span.start_date if span.cancelled else span.end_date + datetime.timedelta(days=1)
    facts = _facts(plan, member)
    _accepted(validate_period(_request(facts, action=Action.ENROLL, plan=plan, member=member),
                              start=resume, end=None))
    continuation = _span_create(member=member, plan=plan, program=plan.program,
                                start_date=resume, end_date=None)
    adjustment = _adjustment(
        move=Move.REINSTATE, member=member, token=token, actor=actor, today=today,
        reason=reason, reference=reference, to_plan=plan, start_date=span.start_date,
        end_date=span.end_date,
        detail={"before": [_span_text(span)], "after": [_span_text(continuation)],
                "resumes": resume.isoformat()})
    writer = _Writer(adjustment, member, today)
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
