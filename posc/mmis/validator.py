"""The MMIS stub: accept or reject an SCO or One Care enrollment or disenrollment.

Pure: no database, no clock (today is an argument), no Django. The rules and their codes
are those of contracts/mmis-rules.md; each rule's source is cited beside it.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from posc.mmis.dates import (
    age_on,
    disenrollment_effective_date,
    enrollment_effective_date,
    format_date,
)
from posc.mmis.programs import INTEGRATED_PROGRAMS, ONE_CARE, PROGRAM_NAMES, SCO, region_of
from posc.mmis.types import (
    Action,
    Code,
    MemberRecord,
    MmisError,
    MmisRequest,
    MmisResponse,
    PlanRecord,
    RateCellRecord,
    SpanRecord,
)

# 130 CMR 508.008(A): SCO is for MassHealth Standard members only.
# domain.md A2 (elder-service pages): One Care takes Standard or CommonHealth.
ELIGIBLE_COVERAGE = {
    SCO: frozenset({"STANDARD"}),
    ONE_CARE: frozenset({"STANDARD", "COMMONHEALTH"}),
}
COVERAGE_NAMES = {SCO: "MassHealth Standard", ONE_CARE: "MassHealth Standard or CommonHealth"}

# Inclusive age bounds on E. SCO: 130 CMR 508.008(A), 65 or older.
# One Care: 130 CMR 508.001(D) quoting 508.007(A), "21 through 64 years of age at time of
# enrollment".
AGE_LIMITS: dict[str, tuple[int, int | None]] = {SCO: (65, None), ONE_CARE: (21, 64)}
AGE_NAMES = {SCO: "65 or older", ONE_CARE: "21 through 64"}

# 2026 SCO eligibility change, M.G.L. c.118E §9D as amended: Medicare A and B from this date.
SCO_MEDICARE_REQUIRED_FROM = datetime.date(2026, 1, 1)

# 130 CMR 508.008(A); nursing-facility residents stay eligible (mass.gov SCO overview).
SCO_EXCLUDED_RESIDENCES = frozenset({"ICF_IID", "CHRONIC_REHAB_INPATIENT"})

# Plain sentences for each code (ui.md Member Search outcomes). Fields: {program}, {date}
# (MM/DD/YYYY), {coverage}, {ages}. NO_MATCH and PROVIDER name nothing about the member.
NO_MATCH_MESSAGE = "No member matches this Member ID, Last Name and First Name."
PROVIDER_MESSAGE = "This Provider ID is not one of your {program} plans."
MESSAGES: Mapping[tuple[Action, Code], str] = {
    (Action.ENROLL, Code.NO_MATCH): NO_MATCH_MESSAGE,
    (Action.ENROLL, Code.PROVIDER): PROVIDER_MESSAGE,
    (Action.ENROLL, Code.DECEASED): "The member has a date of death on or before {date}.",
    (Action.ENROLL, Code.COVERAGE):
        "The member does not have {coverage} on {date}, as {program} requires.",
    (Action.ENROLL, Code.MEDICARE):
        "The member does not have both Medicare Part A and Part B on {date}, "
        "as {program} requires.",
    (Action.ENROLL, Code.AGE): "The member is not {ages} on {date}, as {program} requires.",
    (Action.ENROLL, Code.SERVICE_AREA): "The member's county is not in this plan's service area.",
    (Action.ENROLL, Code.ESRD): "Members with end-stage renal disease cannot enroll in SCO.",
    (Action.ENROLL, Code.DEDUCTIBLE):
        "The member is in a six-month deductible period and cannot enroll in SCO.",
    (Action.ENROLL, Code.RESIDENCE):
        "Members who live in an ICF/IID or are inpatients of a chronic or rehabilitation "
        "hospital cannot enroll in SCO.",
    (Action.ENROLL, Code.RATE_CELL):
        "No {program} rate cell covers the member's rating category on {date}.",
    (Action.ENROLL, Code.ALREADY_ENROLLED):
        "The member is enrolled with another SCO or One Care plan on {date}; "
        "that plan must disenroll the member first.",
    (Action.ENROLL, Code.DUPLICATE):
        "This enrollment was already accepted: the member is enrolled with this plan on {date}.",
    (Action.DISENROLL, Code.NO_MATCH): NO_MATCH_MESSAGE,
    (Action.DISENROLL, Code.PROVIDER): PROVIDER_MESSAGE,
    (Action.DISENROLL, Code.NOT_ENROLLED):
        "The member has no current or pending enrollment with this plan.",
    (Action.DISENROLL, Code.DUPLICATE):
        "A disenrollment from this plan was already accepted; the enrollment ends on {date}.",
}


def message(action: Action, code: Code, **fields: str) -> str:
    """Return the plain sentence for *code* in an *action* request, filled with *fields*."""
    return MESSAGES[(Action(action), code)].format(**fields)


def _error(request: MmisRequest, code: Code, day: datetime.date, **fields: str) -> MmisError:
    """Return the error *code* for *request*, its sentence naming *day*."""
    program = PROGRAM_NAMES.get(request.program, request.program)
    text = message(request.action, code, program=program, date=format_date(day), **fields)
    return MmisError(code=code, message=text)


# ------------------------------------------------------------------------- helpers

def _active_on(start: datetime.date | None, end: datetime.date | None, day: datetime.date) -> bool:
    """Return True when a period from *start* to *end* (open when None) covers *day*."""
    return start is not None and start <= day and (end is None or end >= day)


def medicare_status_on(member: MemberRecord, day: datetime.date) -> str:
    """Return the 834 INS06 Medicare status on *day*: C (A and B), A, B or E (none)."""
    part_a = _active_on(member.medicare_a_start, member.medicare_a_end, day)
    part_b = _active_on(member.medicare_b_start, member.medicare_b_end, day)
    # mmis-rules.md The 834: INS06.
    return {(True, True): "C", (True, False): "A", (False, True): "B", (False, False): "E"}[
        (part_a, part_b)
    ]


def rate_cell_for(
    cells: tuple[RateCellRecord, ...], program: str, member: MemberRecord, day: datetime.date
) -> RateCellRecord | None:
    """Return the *program* rate cell of *member*'s rating category and region on *day*."""
    region = region_of(member.county)
    matches = [
        cell for cell in cells
        if cell.program == program
        and cell.category == member.rating_category
        and cell.region == region
        and _active_on(cell.effective_from, cell.effective_to, day)
    ]
    return max(matches, key=lambda cell: cell.effective_from, default=None)


def plan_allowed(request: MmisRequest, plan: PlanRecord) -> bool:
    """Return True when the user acts for *plan* and it belongs to the request's program."""
    return (
        request.program in INTEGRATED_PROGRAMS
        and request.provider_id in request.user_provider_ids
        and plan.program == request.program
    )


def _same_name(typed: str, recorded: str) -> bool:
    """Return True when *typed* equals *recorded* after trimming, ignoring case."""
    return typed.strip().casefold() == recorded.strip().casefold()


def member_matches(request: MmisRequest, member: MemberRecord) -> bool:
    """Return True when the typed Member ID and names are those of *member*."""
    # mmis-rules.md NO_MATCH: trimmed, case-insensitive, otherwise exact.
    return (
        request.member_id.strip() == member.member_id
        and _same_name(request.last_name, member.last_name)
        and _same_name(request.first_name, member.first_name)
    )


# --------------------------------------------------------------- enrollment rules

@dataclass(frozen=True)
class Check:
    """An enrollment request past the provider and name checks, with its effective date E."""

    request: MmisRequest
    plan: PlanRecord
    member: MemberRecord
    effective: datetime.date

    @property
    def program(self) -> str:
        return self.request.program

    def fail(self, code: Code, **fields: str) -> tuple[MmisError, ...]:
        """Return the one-error tuple for *code*, naming E."""
        return (_error(self.request, code, self.effective, **fields),)


type Rule = Callable[[Check], tuple[MmisError, ...]]


def check_deceased(check: Check) -> tuple[MmisError, ...]:
    """Refuse a member who died on or before E."""
    # mmis-rules.md DECEASED.
    died = check.member.date_of_death
    if died is not None and died <= check.effective:
        return check.fail(Code.DECEASED)
    return ()


def check_coverage(check: Check) -> tuple[MmisError, ...]:
    """Refuse a member without the program's MassHealth coverage type on E."""
    # SCO: 130 CMR 508.008(A) (Standard). One Care: domain.md A2 (Standard or CommonHealth).
    member = check.member
    if member.coverage_type in ELIGIBLE_COVERAGE[check.program] and _active_on(
        member.coverage_start, member.coverage_end, check.effective
    ):
        return ()
    return check.fail(Code.COVERAGE, coverage=COVERAGE_NAMES[check.program])


def check_medicare(check: Check) -> tuple[MmisError, ...]:
    """Refuse a member without Medicare Parts A and B on E (SCO: only from 2026-01-01)."""
    # One Care: Medicare A and B always (domain.md A2). SCO: not required through 2025
    # (M.G.L. c.118E §9D), required from 2026-01-01 (2026 SCO eligibility change, §9D amended).
    if check.program == SCO and check.effective < SCO_MEDICARE_REQUIRED_FROM:
        return ()
    if medicare_status_on(check.member, check.effective) == "C":
        return ()
    return check.fail(Code.MEDICARE)


def check_age(check: Check) -> tuple[MmisError, ...]:
    """Refuse a member outside the program's ages on E."""
    # SCO: 130 CMR 508.008(A), 65 or older. One Care: 130 CMR 508.001(D), 21 through 64
    # "at time of enrollment". Counted on E (mmis-rules.md Dates).
    low, high = AGE_LIMITS[check.program]
    age = age_on(check.member.date_of_birth, check.effective)
    if age < low or (high is not None and age > high):
        return check.fail(Code.AGE, ages=AGE_NAMES[check.program])
    return ()


def check_service_area(check: Check) -> tuple[MmisError, ...]:
    """Refuse a member whose county the plan does not serve."""
    # 130 CMR 508.008(A)(2) and (B); One Care contract service areas (domain.md A2).
    if check.member.county in check.plan.counties:
        return ()
    return check.fail(Code.SERVICE_AREA)


def check_esrd(check: Check) -> tuple[MmisError, ...]:
    """Refuse an SCO member with end-stage renal disease."""
    # 130 CMR 508.008(A).
    if check.program == SCO and check.member.esrd:
        return check.fail(Code.ESRD)
    return ()


def check_deductible(check: Check) -> tuple[MmisError, ...]:
    """Refuse an SCO member in a six-month deductible period."""
    # 130 CMR 508.008(A), deductible under 130 CMR 520.028.
    if check.program == SCO and check.member.deductible_period:
        return check.fail(Code.DEDUCTIBLE)
    return ()


def check_residence(check: Check) -> tuple[MmisError, ...]:
    """Refuse an SCO member in an ICF/IID or a chronic or rehabilitation hospital."""
    # 130 CMR 508.008(A); a nursing facility is allowed (mass.gov SCO overview, domain.md A1).
    if check.program == SCO and check.member.residence in SCO_EXCLUDED_RESIDENCES:
        return check.fail(Code.RESIDENCE)
    return ()


def check_rate_cell(check: Check) -> tuple[MmisError, ...]:
    """Refuse a member with no rate cell in this program on E."""
    # demo-data.md Rate cells: program + rating category + region, effective-dated.
    cells = check.request.rate_cells
    if rate_cell_for(cells, check.program, check.member, check.effective) is not None:
        return ()
    return check.fail(Code.RATE_CELL)


def check_already_enrolled(check: Check) -> tuple[MmisError, ...]:
    """Refuse a member enrolled with another SCO or One Care plan still in force on E.

    Under any Member ID of the person: the spans of linked IDs count as the member's own
    (docs/eligibility.md, "Several Member IDs for one person").
    """
    # mmis-rules.md ALREADY_ENROLLED: the other plan must disenroll first.
    if any(
        span.provider_id != check.request.provider_id
        and span.program in INTEGRATED_PROGRAMS
        and span.in_force_on_or_after(check.effective)
        for span in check.request.spans
    ):
        return check.fail(Code.ALREADY_ENROLLED)
    return ()


def check_duplicate(check: Check) -> tuple[MmisError, ...]:
    """Refuse an enrollment with this plan that is already in force on E (under any of the
    person's Member IDs: the person would hold two enrollments with one plan)."""
    # mmis-rules.md DUPLICATE: the same enrollment was already accepted (two clerks at once).
    if any(
        span.provider_id == check.request.provider_id
        and span.in_force_on_or_after(check.effective)
        for span in check.request.spans
    ):
        return check.fail(Code.DUPLICATE)
    return ()


# The rules about the member as of a day, in the order their errors are reported; an
# enrollment adds the two about the member's other spans (posc/mmis/period_rules.py, the
# adjustments, replaces those two with its own overlap check).
MEMBER_RULES: tuple[Rule, ...] = (
    check_deceased,
    check_coverage,
    check_medicare,
    check_age,
    check_service_area,
    check_esrd,
    check_deductible,
    check_residence,
    check_rate_cell,
)
RULES: tuple[Rule, ...] = (*MEMBER_RULES, check_already_enrolled, check_duplicate)


# -------------------------------------------------------------------- the stub

def effective_date(action: Action, today: datetime.date) -> datetime.date:
    """Return E for *action* requested on *today*."""
    if action == Action.DISENROLL:
        return disenrollment_effective_date(today)
    return enrollment_effective_date(today)


def _rejected(effective: datetime.date, *errors: MmisError) -> MmisResponse:
    """Return a rejection with *errors*, effective on *effective*."""
    return MmisResponse(accepted=False, effective_date=effective, errors=errors)


def _own(span: SpanRecord) -> bool:
    """Return True for a span of the request's own Member ID (not of a linked ID).

    A disenrollment ends a span of the ID it names: the 834 loop carries that ID, and a
    span of a linked ID is ended by a request naming that ID.
    """
    return not span.linked_id


def disenrollment_span(request: MmisRequest, today: datetime.date) -> SpanRecord | None:
    """Return this plan's current or pending span to end, or None when there is none."""
    open_spans = [
        span for span in request.spans
        if _own(span) and span.provider_id == request.provider_id
        and span.in_force_on_or_after(today)
        and not span.disenrollment_accepted
    ]
    # A current span comes before a later pending one: end what is in force first.
    return min(open_spans, key=lambda span: span.start_date, default=None)


def _validate_disenrollment(request: MmisRequest, today: datetime.date) -> MmisResponse:
    """Return the answer to a disenrollment; eligibility rules do not apply to leaving."""
    effective = disenrollment_effective_date(today)
    span = disenrollment_span(request, today)
    if span is not None:
        if span.start_date > today:
            # mmis-rules.md: ending a span that has not started cancels it; the 834
            # termination's end date equals the span's start date.
            return MmisResponse(accepted=True, effective_date=span.start_date, span=span,
                                cancellation=True)
        # mmis-rules.md Dates; domain.md C1: coverage ends on the last day of the month.
        return MmisResponse(accepted=True, effective_date=effective, span=span)
    ended = [
        span.end_date or effective for span in request.spans
        if _own(span) and span.provider_id == request.provider_id
        and span.in_force_on_or_after(today)
        and span.disenrollment_accepted
    ]
    if ended:
        # mmis-rules.md DUPLICATE; ui.md: the message names the date the enrollment ends.
        return _rejected(effective, _error(request, Code.DUPLICATE, max(ended)))
    # mmis-rules.md NOT_ENROLLED.
    return _rejected(effective, _error(request, Code.NOT_ENROLLED, effective))


def validate(
    request: MmisRequest, *, today: datetime.date, rules: tuple[Rule, ...] = RULES
) -> MmisResponse:
    """Return MMIS's answer to *request* made on *today*, with every failing rule."""
    effective = effective_date(request.action, today)
    plan, member = request.plan, request.member
    # mmis-rules.md: PROVIDER, then NO_MATCH, stop the check and reveal nothing of the member.
    if plan is None or not plan_allowed(request, plan):
        return _rejected(effective, _error(request, Code.PROVIDER, effective))
    if member is None or not member_matches(request, member):
        return _rejected(effective, _error(request, Code.NO_MATCH, effective))
    if request.action == Action.DISENROLL:
        return _validate_disenrollment(request, today)
    check = Check(request=request, plan=plan, member=member, effective=effective)
    # mmis-rules.md: all failing rules are reported together.
    errors = tuple(error for rule in rules for error in rule(check))
    if errors:
        return _rejected(effective, *errors)
    return MmisResponse(
        accepted=True,
        effective_date=effective,
        rate_cell=rate_cell_for(request.rate_cells, request.program, member, effective),
    )
