"""The steps the enrollment adjustments share (issue 17 §1): guards, locks, the MMIS request
as of a date, span rows, and the writer of each move's history, 834 loops and capitation
lines. The moves themselves, in the write shape, are in enrollment/adjustments.py.
"""

import datetime
import uuid
from collections.abc import Iterable
from typing import NamedTuple

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
    last_day_of_month,
)
from posc.mmis.programs import INTEGRATED_PROGRAMS, PROGRAM_CODES
from posc.mmis.types import Action, AdjustmentLoop834, MmisRequest, MmisResponse, SpanRecord
from posc.mmis.validator import (
    NO_MATCH_MESSAGE,
    medicare_status_on,
    rate_cell_for,
)
from posc.mmis.x12_834 import render_adjustment_loop
from posc.submission import submission_replay

REFUSED = "MMIS_REFUSED"



class AdjustmentRefused(DomainError):
    """MMIS refused the move: ``codes`` and ``errors`` hold every failing rule."""

    default_code = REFUSED

    def __init__(self, response: MmisResponse):
        self.codes = list(response.codes)
        self.errors = [e.message for e in response.errors]
        super().__init__(" ".join(self.errors), code=REFUSED,
                         extra={"codes": self.codes, "errors": self.errors})



def month_firsts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Return the first day of every month from *first*'s through *last*'s."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = last_day_of_month(day) + datetime.timedelta(days=1)
    return months



def guard_text(reason: str, reference: str) -> tuple[str, str]:
    """Return the trimmed reason and reference; refuse either one empty (issue 17 §1)."""
    if not reason.strip():
        raise DomainError("Give the reason for the adjustment.", code="REASON")
    if not reference.strip():
        raise DomainError("Give the reference: the recoupment, or a note saying what asked for "
                          "the adjustment.", code="REFERENCE")
    return reason.strip(), reference.strip()[:200]



def guard_first(day: datetime.date, label: str) -> None:
    if day.day != 1:
        raise DomainError(f"The {label} must be the 1st of a month.", code="DATE")



def guard_month_end(day: datetime.date, label: str) -> None:
    if day != last_day_of_month(day):
        raise DomainError(f"The {label} must be the last day of a month.", code="DATE")



def guard_integrated(plan: Plan) -> None:
    if plan.program not in INTEGRATED_PROGRAMS:
        raise DomainError("Adjustments are made to SCO and One Care plans only.", code="PROGRAM")



def member_lock(member: Member) -> Member:
    """Lock the member's row: adjustments and Submits for one member run one at a time."""
    locked = Member.objects.select_for_update().filter(pk=member.pk).first()
    if locked is None:
        raise DomainError(NO_MATCH_MESSAGE, code="NO_MATCH")
    return locked



def span_lock(span: EnrollmentSpan) -> EnrollmentSpan:
    return (EnrollmentSpan.objects.select_for_update().select_related("plan")
            .order_by().get(pk=span.pk))


def adjustment_replay(token: uuid.UUID, actor: AbstractBaseUser) -> EnrollmentAdjustment | None:
    return submission_replay(
        EnrollmentAdjustment, token=token, token_field="token", user=actor,
        owner_field="requested_by_id",
        refusal="This form can no longer be submitted. Start the adjustment again.")


class Locked(NamedTuple):
    member: Member
    span: EnrollmentSpan | None
    replay: EnrollmentAdjustment | None


def move_lock(*, member: Member, span: EnrollmentSpan | None = None, token: uuid.UUID,
              actor: AbstractBaseUser) -> Locked:
    """The first steps of every move: lock the member, then return the adjustment this form
    token already made (a double post: ``replay``), else lock the span the move changes."""
    member = member_lock(member)
    stored = adjustment_replay(token, actor)
    if stored is not None:
        return Locked(member, None, stored)
    return Locked(member, span_lock(span) if span is not None else None, None)



def mmis_facts_of(plan: Plan, member: Member) -> MmisFacts:
    return mmis_facts(program=plan.program, provider_id=plan.provider_id, member_id=member.pk)



def mmis_request(facts: MmisFacts, *, action: Action, plan: Plan, member: Member,
             spans: Iterable[SpanRecord] | None = None) -> MmisRequest:
    """Return the MMIS request of an adjustment: EOHHS acts for every plan, by Member ID."""
    return MmisRequest(
        action=action, program=plan.program, provider_id=plan.provider_id, member_id=member.pk,
        last_name=member.last_name, first_name=member.first_name,
        user_provider_ids=frozenset({plan.provider_id}), plan=facts.plan,
        member=member_record(member=facts.member) if facts.member else None,
        spans=facts.spans if spans is None else tuple(spans), rate_cells=facts.rate_cells)



def spans_without(spans: Iterable[SpanRecord], span: EnrollmentSpan,
             *pieces: tuple[datetime.date, datetime.date | None]) -> list[SpanRecord]:
    """Return *spans* with *span* replaced by *pieces* (what it becomes after the move)."""
    kept = [s for s in spans if not (s.provider_id == span.plan.provider_id
                                     and s.start_date == span.start_date)]
    return kept + [SpanRecord(provider_id=span.plan.provider_id, program=span.program,
                              start_date=start, end_date=end) for start, end in pieces]



def mmis_accepted(response: MmisResponse) -> MmisResponse:
    if not response.accepted:
        raise AdjustmentRefused(response)
    return response



def next_number(today: datetime.date) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('enrollment_reference_seq')")
        (number,) = cursor.fetchone()
    return f"ADJ-{today:%Y%m%d}-{number:06d}"



def span_create(**fields) -> EnrollmentSpan:
    """Create a span; the exclusion constraint's refusal becomes a DomainError (OVERLAP)."""
    try:
        with transaction.atomic():
            return EnrollmentSpan.objects.create(source=EnrollmentSpan.Source.PORTAL, **fields)
    except IntegrityError:
        raise DomainError("The member would be enrolled with two SCO or One Care plans at once.",
                          code="OVERLAP") from None



def span_text(span: EnrollmentSpan) -> dict:
    return {"plan": span.plan.provider_id, "start": span.start_date.isoformat(),
            "end": span.end_date.isoformat() if span.end_date else None,
            "cancelled": span.cancelled}



class AdjustmentWriter:
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
            reference=next_number(self.today), token=uuid.uuid4(), kind=kind,
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



def adjustment_row(*, move: str, member: Member, token: uuid.UUID, actor: AbstractBaseUser,
                today: datetime.date, reason: str, reference: str,
                from_plan: Plan | None = None, to_plan: Plan | None = None,
                start_date: datetime.date | None = None, end_date: datetime.date | None = None,
                detail: dict) -> EnrollmentAdjustment:
    return EnrollmentAdjustment.objects.create(
        number=next_number(today), token=token, move=move, member=member, from_plan=from_plan,
        to_plan=to_plan, start_date=start_date, end_date=end_date, reason=reason,
        reference=reference, requested_by=actor, request_date=today, detail=detail)
