"""Reads for the enrollment panels: MMIS request records built from the shared model."""

import datetime
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from enrollment.models import (
    Acknowledgment,
    AcknowledgmentError,
    Batch834,
    BatchStatus,
    EnrollmentTransaction,
)
from posc.business_days import add_business_days
from posc.clock import EASTERN
from posc.members.models import (
    EnrollmentSpan,
    Member,
    Plan,
    RateCell,
    ServiceArea,
)
from posc.members.selectors import person_ctes, user_plans, user_provider_ids
from posc.mmis.dates import iso_date_or_none
from posc.mmis.programs import INTEGRATED_PROGRAMS, rate_cell_code
from posc.mmis.types import (
    Action,
    MemberRecord,
    MmisRequest,
    MmisResponse,
    PlanRecord,
    RateCellRecord,
    SpanRecord,
)
from posc.mmis.validator import validate


def member_record(*, member: Member) -> MemberRecord:
    """Return what MMIS knows of *member*."""
    return MemberRecord(
        member_id=member.member_id, last_name=member.last_name, first_name=member.first_name,
        middle_initial=member.middle_initial, date_of_birth=member.date_of_birth, sex=member.sex,
        coverage_type=member.coverage_type, coverage_start=member.coverage_start,
        coverage_end=member.coverage_end, medicare_a_start=member.medicare_a_start,
        medicare_a_end=member.medicare_a_end, medicare_b_start=member.medicare_b_start,
        medicare_b_end=member.medicare_b_end, county=member.county, residence=member.residence,
        rating_category=member.rating_category, esrd=member.esrd,
        deductible_period=member.deductible_period, date_of_death=member.date_of_death,
        address_line1=member.address_line1, city=member.city, zip=member.zip,
    )


# Everything MMIS needs to answer about one member and one plan, in one round trip (the ORM
# spent more time building four queries than PostgreSQL spent answering them: bench/
# bench_search.py). Each part is JSON; the member's columns come typed. Member Search and
# Submit both read it (issue 16 point 3): the plan with its counties, the SCO and One Care
# spans of the member's person (every Member ID linked to it, issue 17: posc.members.
# services; cancelled ones left out: mmis-rules.md, a cancelled enrollment never took
# effect) each with its Member ID and whether a disenrollment was accepted, the program's
# rate cells, the person's primary ID and all its IDs, and the member.
_MEMBER_FIELDS = tuple(f.attname for f in Member._meta.concrete_fields)
_FACTS_SQL = f"""
    WITH {person_ctes()}
    SELECT (SELECT json_build_array(p.id, p.provider_id, p.program, p.name,
                COALESCE(json_agg(a.county) FILTER (WHERE a.county IS NOT NULL), '[]'))
            FROM {Plan._meta.db_table} p
            LEFT JOIN {ServiceArea._meta.db_table} a ON a.plan_id = p.id
            WHERE p.provider_id = %(provider_id)s GROUP BY p.id),
           (SELECT json_agg(json_build_array(p.provider_id, s.program, s.start_date, s.end_date,
                EXISTS (SELECT 1 FROM {EnrollmentTransaction._meta.db_table} t
                        WHERE t.span_id = s.id AND t.kind = 'DISENROLL'
                          AND t.status = 'ACCEPTED'), s.member_id)
                ORDER BY s.start_date DESC, s.member_id)
            FROM {EnrollmentSpan._meta.db_table} s
            JOIN {Plan._meta.db_table} p ON p.id = s.plan_id
            WHERE s.member_id IN (SELECT member_id FROM person_ids) AND NOT s.cancelled
              AND s.program IN ({", ".join(f"'{p}'" for p in INTEGRATED_PROGRAMS)})),
           (SELECT json_agg(json_build_array(id, program, category, region, label, setting,
                                             effective_from, effective_to)
                            ORDER BY category, region, effective_from)
            FROM {RateCell._meta.db_table} WHERE program = %(program)s),
           (SELECT primary_id FROM person),
           (SELECT json_agg(member_id ORDER BY member_id) FROM person_ids),
           {", ".join(f"m.{name}" for name in _MEMBER_FIELDS)}
    FROM (SELECT 1) AS one
    LEFT JOIN {Member._meta.db_table} m ON m.member_id = %(member_id)s"""


@dataclass(frozen=True)
class MmisFacts:
    """What MMIS knows of one member, one plan and one program's rate cells.

    ``plan_pk`` and ``rate_cell_pks`` name the rows behind the records, for the
    transaction Submit stores. ``primary_id`` is the primary Member ID of the member's
    person (the member's own ID when it is linked to none) and ``person_ids`` every ID
    of that person, the member's included (posc.members.models.MemberLink).
    """

    member: Member | None
    plan: PlanRecord | None
    plan_pk: int | None
    spans: tuple[SpanRecord, ...]
    rate_cells: tuple[RateCellRecord, ...]
    rate_cell_pks: dict[RateCellRecord, int] = field(default_factory=dict)
    primary_id: str = ""
    person_ids: tuple[str, ...] = ()

    @property
    def linked(self) -> bool:
        """True when the member's ID is linked to another ID of the same person."""
        return len(self.person_ids) > 1

    @property
    def secondary(self) -> bool:
        """True when the member's ID is a secondary ID: another ID is the primary."""
        return self.member is not None and self.primary_id != self.member.member_id

    def request(self, *, action: Action, program: str, provider_id: str, member_id: str,
                last_name: str, first_name: str, user: AbstractBaseUser) -> MmisRequest:
        """Return the MMIS request for what the user typed, with these records."""
        return MmisRequest(
            action=action, program=program, provider_id=provider_id, member_id=member_id,
            last_name=last_name, first_name=first_name,
            user_provider_ids=user_provider_ids(user=user), plan=self.plan,
            member=member_record(member=self.member) if self.member else None,
            spans=self.spans, rate_cells=self.rate_cells)


def mmis_facts(*, program: str, provider_id: str, member_id: str) -> MmisFacts:
    """Return what MMIS knows of the member, the plan and the program, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_FACTS_SQL, {"program": program, "provider_id": provider_id,
                                    "member_id": member_id})
        plan, spans, cells, primary_id, person_ids, *member = cursor.fetchone()
    found = (Member.from_db(connection.alias, _MEMBER_FIELDS, member)
             if member[0] is not None else None)
    plan_rec = (PlanRecord(provider_id=plan[1], program=plan[2], name=plan[3],
                           counties=frozenset(plan[4])) if plan else None)
    span_recs = tuple(
        SpanRecord(provider_id=provider, program=program_, start_date=iso_date_or_none(start),
                   end_date=iso_date_or_none(end), disenrollment_accepted=disenrolled,
                   linked_id="" if span_member == member_id else span_member)
        for provider, program_, start, end, disenrolled, span_member
        in (spans if found else ()) or ())
    cell_pks = {
        RateCellRecord(program=program_, category=category, region=region,
                       code=rate_cell_code(program_, category, region), label=label,
                       setting=setting, effective_from=iso_date_or_none(start),
                       effective_to=iso_date_or_none(end)): pk
        for pk, program_, category, region, label, setting, start, end in cells or ()}
    return MmisFacts(member=found, plan=plan_rec, plan_pk=plan[0] if plan else None,
                     spans=span_recs, rate_cells=tuple(cell_pks), rate_cell_pks=cell_pks,
                     primary_id=primary_id if found else member_id,
                     person_ids=tuple(person_ids) if found else (member_id,))


def mmis_request_build(*, action: Action, program: str, provider_id: str, member_id: str,
                       last_name: str, first_name: str, user: AbstractBaseUser) -> MmisRequest:
    """Return the MMIS request for what the user typed, with the records MMIS needs."""
    return mmis_facts(program=program, provider_id=provider_id, member_id=member_id).request(
        action=action, program=program, provider_id=provider_id, member_id=member_id,
        last_name=last_name, first_name=first_name, user=user)


def batch_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Batch834]:
    """Return the 834 batches of the user's own plans, newest first, with ``ack_status``."""
    return batch_status_annotate(
        Batch834.objects.filter(plan__in=user_plans(user=user))
        .select_related("plan", "resend_of", "resent_as").order_by("-created_at", "-number"))


def transaction_for_user(*, user: AbstractBaseUser, reference: str) -> EnrollmentTransaction | None:
    """Return the transaction *reference* when it belongs to one of the user's plans."""
    return (EnrollmentTransaction.objects.select_related("member", "plan", "rate_cell", "span")
            .filter(reference=reference, plan__provider_id__in=user_provider_ids(user=user))
            .first())


class PanelSearch(NamedTuple):
    """What Member Search found: the panel that follows (None: the search ends on Member
    Search with errors), the member, MMIS's answer, and the primary Member ID when the
    typed ID is a secondary ID of a person (None otherwise, and whenever MMIS answered
    NO_MATCH or PROVIDER: nothing about the member is revealed then)."""

    action: Action | None
    member: Member | None
    response: MmisResponse
    primary_id: str | None = None


def panel_search(*, program: str, provider_id: str, member_id: str, last_name: str,
                 first_name: str, user: AbstractBaseUser, today: datetime.date) -> PanelSearch:
    """Return which panel follows Member Search, the member, and MMIS's answer (ui.md, 4–8).

    A member enrolled with this plan goes to Disenrollment; one whose disenrollment was
    already accepted gets DUPLICATE; otherwise MMIS checks an enrollment. The action is
    None when the search ends on the Member Search panel with errors.
    """
    facts = mmis_facts(program=program, provider_id=provider_id, member_id=member_id)
    request = facts.request(action=Action.ENROLL, program=program, provider_id=provider_id,
                            member_id=member_id, last_name=last_name, first_name=first_name,
                            user=user)
    leaving = validate(replace(request, action=Action.DISENROLL), today=today)
    if set(leaving.codes) & {"PROVIDER", "NO_MATCH"}:
        return PanelSearch(None, facts.member, leaving)
    primary = facts.primary_id if facts.secondary else None
    if leaving.accepted:
        return PanelSearch(Action.DISENROLL, facts.member, leaving, primary)
    if "DUPLICATE" in leaving.codes:
        return PanelSearch(None, facts.member, leaving, primary)
    joining = validate(request, today=today)
    return PanelSearch(Action.ENROLL if joining.accepted else None, facts.member, joining,
                       primary)


def batch_first(batch: Batch834) -> Batch834:
    """Return the batch whose outbox entries *batch*'s loops are: itself, or for a batch sent
    again after a rejection (``batch_resend``) the first batch of the chain."""
    while batch.resend_of_id is not None:
        batch = batch.resend_of
    return batch


def batch_member_ids(*, batch: Batch834) -> list[str]:
    """Return the Member IDs whose loops the 834 of *batch* carries, in loop order."""
    return list(dict.fromkeys(EnrollmentTransaction.objects.filter(entry__batch=batch_first(batch))
                              .order_by("entry__transaction").values_list("member_id",
                                                                           flat=True)))


# ---------------------------------------------------------------------------- acknowledgments

# Issue 17: Enrollment Operations sees the batches a plan has not acknowledged after two
# business days (Massachusetts business days: posc/business_days.py).
ACK_DUE_BUSINESS_DAYS = 2


def batch_status_annotate(queryset: QuerySet[Batch834]) -> QuerySet[Batch834]:
    """Add ``ack_status``: the outcome of each batch's latest acknowledgment, or Sent.

    A TA1 accepting the envelope is left out: it says nothing of the content.
    """
    latest = (Acknowledgment.objects.filter(batch=OuterRef("pk"))
              .exclude(outcome=Acknowledgment.Outcome.INTERCHANGE_ACCEPTED)
              .order_by("-created_at", "-pk").values("outcome")[:1])
    return queryset.annotate(ack_status=Coalesce(Subquery(latest), Value(BatchStatus.SENT.value)))


def batch_status(*, batch: Batch834) -> BatchStatus:
    """Return where *batch* stands with its plan (its latest acknowledgment's outcome)."""
    status = batch_status_annotate(Batch834.objects.filter(pk=batch.pk)).values_list(
        "ack_status", flat=True).get()
    return BatchStatus(status)


def ack_overdue_before(*, today: datetime.date) -> datetime.datetime:
    """Return the moment before which a batch cut and still Sent is overdue on *today*.

    A batch cut on day D is due by the end of the second business day after D; it is
    overdue from the next day on. ``add_business_days`` never goes back as D goes forward,
    so every day up to the last overdue one is overdue too.
    """
    day = today - datetime.timedelta(days=1)
    while add_business_days(day, ACK_DUE_BUSINESS_DAYS) >= today:
        day -= datetime.timedelta(days=1)
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min,
                                     tzinfo=EASTERN)


def batches_unacknowledged(*, today: datetime.date) -> QuerySet[Batch834]:
    """Return the batches still Sent (no 999, no TA1 rejection) after two business days."""
    return (batch_status_annotate(Batch834.objects.filter(
        created_at__lt=ack_overdue_before(today=today)))
        .filter(ack_status=BatchStatus.SENT.value).select_related("plan")
        .order_by("created_at", "plan__provider_id"))


def batch_for_user(*, user: AbstractBaseUser, pk: int) -> Batch834 | None:
    """Return batch *pk* with its status when it belongs to one of the user's plans."""
    return batch_list_for_user(user=user).filter(pk=pk).first()


def acknowledgments_of(*, batch: Batch834) -> QuerySet[Acknowledgment]:
    """Return the acknowledgments loaded for *batch*, newest first, with their errors."""
    return (Acknowledgment.objects.filter(batch=batch).select_related("loaded_by")
            .prefetch_related(Prefetch(
                "errors", queryset=AcknowledgmentError.objects.select_related("transaction"))))
