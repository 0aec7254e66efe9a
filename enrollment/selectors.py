"""Reads for the enrollment panels: MMIS request records built from the shared model."""

import datetime
from dataclasses import replace

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import QuerySet

from enrollment.models import Batch834, EnrollmentTransaction
from posc.members.models import (
    PROGRAM_CODES,
    EnrollmentSpan,
    Member,
    Plan,
    RateCell,
    ServiceArea,
)
from posc.members.selectors import rate_cells_for_program, user_plans, user_provider_ids
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


# The three reads behind every Member Search, in plain SQL: the ORM spent more time
# building them than PostgreSQL spent answering (bench/bench_search.py).
_PLAN_SQL = f"""
    SELECT p.provider_id, p.program, p.name,
           COALESCE(array_agg(a.county) FILTER (WHERE a.county IS NOT NULL), '{{}}')
    FROM {Plan._meta.db_table} p
    LEFT JOIN {ServiceArea._meta.db_table} a ON a.plan_id = p.id
    WHERE p.provider_id = %s GROUP BY p.id"""
_SPANS_SQL = f"""
    SELECT p.provider_id, s.program, s.start_date, s.end_date,
           EXISTS (SELECT 1 FROM {EnrollmentTransaction._meta.db_table} t
                   WHERE t.span_id = s.id AND t.kind = 'DISENROLL' AND t.status = 'ACCEPTED')
    FROM {EnrollmentSpan._meta.db_table} s JOIN {Plan._meta.db_table} p ON p.id = s.plan_id
    WHERE s.member_id = %s AND NOT s.cancelled AND s.program IN ('SCO', 'ONE_CARE')
    ORDER BY s.start_date DESC"""
_RATE_CELLS_SQL = f"""
    SELECT program, category, region, label, setting, effective_from, effective_to
    FROM {RateCell._meta.db_table} WHERE program = %s
    ORDER BY category, region, effective_from"""


# Member Search needs all of them at once (with the member): one round trip instead of four.
# Each part is one of the reads above, as JSON; the member's columns come typed.
_MEMBER_FIELDS = tuple(f.attname for f in Member._meta.concrete_fields)
_SEARCH_SQL = f"""
    SELECT (SELECT json_build_array(p.provider_id, p.program, p.name,
                COALESCE(json_agg(a.county) FILTER (WHERE a.county IS NOT NULL), '[]'))
            FROM {Plan._meta.db_table} p
            LEFT JOIN {ServiceArea._meta.db_table} a ON a.plan_id = p.id
            WHERE p.provider_id = %(provider_id)s GROUP BY p.id),
           (SELECT json_agg(json_build_array(p.provider_id, s.program, s.start_date, s.end_date,
                EXISTS (SELECT 1 FROM {EnrollmentTransaction._meta.db_table} t
                        WHERE t.span_id = s.id AND t.kind = 'DISENROLL'
                          AND t.status = 'ACCEPTED')) ORDER BY s.start_date DESC)
            FROM {EnrollmentSpan._meta.db_table} s
            JOIN {Plan._meta.db_table} p ON p.id = s.plan_id
            WHERE s.member_id = %(member_id)s AND NOT s.cancelled
              AND s.program IN ('SCO', 'ONE_CARE')),
           (SELECT json_agg(json_build_array(program, category, region, label, setting,
                                             effective_from, effective_to)
                            ORDER BY category, region, effective_from)
            FROM {RateCell._meta.db_table} WHERE program = %(program)s),
           {", ".join(f"m.{name}" for name in _MEMBER_FIELDS)}
    FROM (SELECT 1) AS one
    LEFT JOIN {Member._meta.db_table} m ON m.member_id = %(member_id)s"""


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _search_records(*, program: str, provider_id: str, member_id: str) -> tuple[
        Member | None, PlanRecord | None, tuple[SpanRecord, ...], tuple[RateCellRecord, ...]]:
    """Return the member, the plan, the member's spans and the rate cells in one query.

    The same records as Member.objects, plan_record, span_records and rate_cell_records.
    """
    with connection.cursor() as cursor:
        cursor.execute(_SEARCH_SQL, {"program": program, "provider_id": provider_id,
                                     "member_id": member_id})
        plan, spans, cells, *member = cursor.fetchone()
    found = (Member.from_db(connection.alias, _MEMBER_FIELDS, member)
             if member[0] is not None else None)
    plan_rec = (PlanRecord(provider_id=plan[0], program=plan[1], name=plan[2],
                           counties=frozenset(plan[3])) if plan else None)
    span_recs = tuple(
        SpanRecord(provider_id=provider, program=program_, start_date=_day(start),
                   end_date=_day(end), disenrollment_accepted=disenrolled)
        for provider, program_, start, end, disenrolled in (spans if found else ()) or ())
    cell_recs = tuple(
        RateCellRecord(program=program_, category=category, region=region,
                       code=f"{PROGRAM_CODES[program_]}-{category}-{region}", label=label,
                       setting=setting, effective_from=_day(start), effective_to=_day(end))
        for program_, category, region, label, setting, start, end in cells or ())
    return found, plan_rec, span_recs, cell_recs


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def plan_record(*, provider_id: str) -> PlanRecord | None:
    """Return the plan of *provider_id* with the counties it serves (one query), or None."""
    rows = _fetch(_PLAN_SQL, [provider_id])
    if not rows:
        return None
    provider_id, program, name, counties = rows[0]
    return PlanRecord(provider_id=provider_id, program=program, name=name,
                      counties=frozenset(counties))


def span_records(*, member: Member) -> tuple[SpanRecord, ...]:
    """Return the member's SCO and One Care spans, each with whether a disenrollment was accepted.

    Cancelled spans are left out (mmis-rules.md: a cancelled enrollment never took effect).
    """
    return tuple(
        SpanRecord(provider_id=provider_id, program=program, start_date=start, end_date=end,
                   disenrollment_accepted=disenrolled)
        for provider_id, program, start, end, disenrolled in _fetch(_SPANS_SQL, [member.pk]))


def rate_cell_records(*, program: str) -> tuple[RateCellRecord, ...]:
    """Return the program's rate cells as MMIS records."""
    return tuple(
        RateCellRecord(program=program_, category=category, region=region,
                       code=f"{PROGRAM_CODES[program_]}-{category}-{region}", label=label,
                       setting=setting, effective_from=start, effective_to=end)
        for program_, category, region, label, setting, start, end
        in _fetch(_RATE_CELLS_SQL, [program]))


def mmis_request_build(*, action: Action, program: str, provider_id: str, member_id: str,
                       last_name: str, first_name: str, user: AbstractBaseUser,
                       member: Member | None = None) -> MmisRequest:
    """Return the MMIS request for what the user typed, with the records MMIS needs."""
    if member is None:
        member = Member.objects.filter(pk=member_id).first()
    return MmisRequest(
        action=action, program=program, provider_id=provider_id, member_id=member_id,
        last_name=last_name, first_name=first_name,
        user_provider_ids=user_provider_ids(user=user),
        plan=plan_record(provider_id=provider_id),
        member=member_record(member=member) if member else None,
        spans=span_records(member=member) if member else (),
        rate_cells=rate_cell_records(program=program) if action == Action.ENROLL else (),
    )


def span_for_plan(*, member: Member, plan: Plan, start_date: datetime.date) -> EnrollmentSpan:
    """Return the member's non-cancelled span with *plan* starting on *start_date*."""
    return EnrollmentSpan.objects.get(member=member, plan=plan, start_date=start_date,
                                      cancelled=False)


def rate_cell_get(*, program: str, code: str, day: datetime.date) -> RateCell | None:
    """Return the rate cell with *code* in force on *day*."""
    for cell in rate_cells_for_program(program=program):
        if cell.code == code and cell.effective_from <= day and (
                cell.effective_to is None or cell.effective_to >= day):
            return cell
    return None


def batch_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Batch834]:
    """Return the 834 batches of the user's own plans, newest first."""
    return (Batch834.objects.filter(plan__in=user_plans(user=user))
            .select_related("plan").order_by("-created_at", "-number"))


def transaction_for_user(*, user: AbstractBaseUser, reference: str) -> EnrollmentTransaction | None:
    """Return the transaction *reference* when it belongs to one of the user's plans."""
    return (EnrollmentTransaction.objects.select_related("member", "plan", "rate_cell", "span")
            .filter(reference=reference, plan__provider_id__in=user_provider_ids(user=user))
            .first())


def panel_search(*, program: str, provider_id: str, member_id: str, last_name: str,
                 first_name: str, user: AbstractBaseUser,
                 today: datetime.date) -> tuple[Action | None, Member | None, MmisResponse]:
    """Return which panel follows Member Search, the member, and MMIS's answer (ui.md, 4–8).

    A member enrolled with this plan goes to Disenrollment; one whose disenrollment was
    already accepted gets DUPLICATE; otherwise MMIS checks an enrollment. The action is
    None when the search ends on the Member Search panel with errors.
    """
    member, plan, spans, rate_cells = _search_records(
        program=program, provider_id=provider_id, member_id=member_id)
    request = MmisRequest(
        action=Action.ENROLL, program=program, provider_id=provider_id, member_id=member_id,
        last_name=last_name, first_name=first_name,
        user_provider_ids=user_provider_ids(user=user), plan=plan,
        member=member_record(member=member) if member else None, spans=spans,
        rate_cells=rate_cells)
    leaving = validate(replace(request, action=Action.DISENROLL), today=today)
    if leaving.accepted:
        return Action.DISENROLL, member, leaving
    if set(leaving.codes) & {"PROVIDER", "NO_MATCH", "DUPLICATE"}:
        return None, member, leaving
    joining = validate(request, today=today)
    return (Action.ENROLL if joining.accepted else None), member, joining


def batch_member_ids(*, batch: Batch834) -> list[str]:
    """Return the Member IDs whose loops the 834 of *batch* carries, in loop order."""
    return list(dict.fromkeys(EnrollmentTransaction.objects.filter(entry__batch=batch)
                              .order_by("entry__transaction").values_list("member_id",
                                                                           flat=True)))
