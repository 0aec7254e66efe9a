"""The MMIS stub's rules for enrollment adjustments (issue 17 §1): a change to the past is
checked as of the dates it touches. Same codes and messages as posc/mmis/validator.py, whose
member rules it reuses; pure like it (no Django, no database).
"""

import datetime

from posc.mmis.programs import INTEGRATED_PROGRAMS
from posc.mmis.types import (
    Code,
    MmisError,
    MmisRequest,
    MmisResponse,
    SpanRecord,
)
from posc.mmis.validator import (
    MEMBER_RULES,
    Check,
    Rule,
    _error,
    _rejected,
    member_matches,
    plan_allowed,
    rate_cell_for,
)

# The member rules of a retro enrollment, checked on the period's first day. ALREADY_ENROLLED
# and DUPLICATE are replaced by ``_period_overlaps``: they refuse any span in force on or after
# E, and a past period may well end before a later span begins.
PERIOD_RULES = MEMBER_RULES


def _period_overlaps(check: Check, end: datetime.date | None) -> tuple[MmisError, ...]:
    """Refuse a period that overlaps another SCO or One Care span (or this plan's own)."""
    last = end or datetime.date.max

    def overlaps(span: SpanRecord) -> bool:
        return span.start_date <= last and (span.end_date is None
                                            or span.end_date >= check.effective)

    spans = [s for s in check.request.spans if s.program in INTEGRATED_PROGRAMS and overlaps(s)]
    # mmis-rules.md ALREADY_ENROLLED / DUPLICATE, applied to the period instead of "from E on".
    if any(s.provider_id != check.request.provider_id for s in spans):
        return check.fail(Code.ALREADY_ENROLLED)
    if spans:
        return check.fail(Code.DUPLICATE)
    return ()



def _allowed(request: MmisRequest, effective: datetime.date) -> MmisResponse | None:
    """Return the PROVIDER or NO_MATCH refusal of *request*, or None when both pass."""
    plan, member = request.plan, request.member
    if plan is None or not plan_allowed(request, plan):
        return _rejected(effective, _error(request, Code.PROVIDER, effective))
    if member is None or not member_matches(request, member):
        return _rejected(effective, _error(request, Code.NO_MATCH, effective))
    return None



def validate_period(request: MmisRequest, *, start: datetime.date, end: datetime.date | None,
                    rules: tuple[Rule, ...] = PERIOD_RULES) -> MmisResponse:
    """Return MMIS's answer to enrolling the member with the plan from *start* to *end*.

    A retro enrollment (issue 17 §1): the member rules are those of an enrollment, checked
    as of *start* (the rate cell too), and every failing rule is reported at once
    (mmis-rules.md). *end* None leaves the period open.
    """
    refused = _allowed(request, start)
    if refused is not None:
        return refused
    check = Check(request=request, plan=request.plan, member=request.member, effective=start)
    errors = tuple(error for rule in rules for error in rule(check)) + _period_overlaps(check, end)
    if errors:
        return _rejected(start, *errors)
    return MmisResponse(
        accepted=True, effective_date=start,
        rate_cell=rate_cell_for(request.rate_cells, request.program, request.member, start))



def validate_period_end(request: MmisRequest, *, end: datetime.date) -> MmisResponse:
    """Return MMIS's answer to ending the plan's span on *end*, a past month end.

    A retro disenrollment (issue 17 §1): as for a disenrollment, no eligibility rule
    applies to leaving; the plan must have a span in force on *end* that goes on after it
    (NOT_ENROLLED otherwise).
    """
    refused = _allowed(request, end)
    if refused is not None:
        return refused
    spans = [s for s in request.spans
             if s.provider_id == request.provider_id and s.start_date <= end
             and (s.end_date is None or s.end_date > end)]
    if not spans:
        return _rejected(end, _error(request, Code.NOT_ENROLLED, end))
    return MmisResponse(accepted=True, effective_date=end, span=spans[0])
