"""Keyword arguments of a valid intake, per case type (the services are the factory)."""

import datetime
import itertools

from crm_tracker.models import (
    TAXONOMY_FIELDS,
    CaseType,
    ForCauseReason,
    ProviderTermination,
    Step,
    TaxonomyCombination,
)
from posc.clock import EASTERN
from posc.members.models import Plan

TODAY = datetime.date(2026, 11, 22)
# The moment of the services' calls: 10 am Eastern on TODAY (the tests pass it, whatever
# the real date).
NOW = datetime.datetime.combine(TODAY, datetime.time(10), tzinfo=EASTERN)
_numbers = itertools.count(1)


def intake_taxonomy(case_type: str, disposition: str = "") -> dict:
    """Return the CSR taxonomy the seed gives *case_type*."""
    if not disposition:
        disposition = ("MCO Updated" if case_type == CaseType.ANGELA_MELODY
                       else "Plan Selected in Error")
    row = TaxonomyCombination.objects.get(step=Step.INTAKE, disposition__name=disposition)
    return {f: getattr(row, f) for f in TAXONOMY_FIELDS}


def current_termination() -> ProviderTermination:
    """Return the fixture's termination whose choice period contains TODAY."""
    return ProviderTermination.objects.get(choice_period_start__lte=TODAY,
                                           choice_period_end__gte=TODAY)


def intake_kwargs(*, actor, case_type: str = CaseType.MCT_SPAN, **overrides) -> dict:
    n = next(_numbers)
    kwargs = {
        "actor": actor, "case_type": case_type, "taxonomy": intake_taxonomy(case_type),
        "participant_names": f"TESTCASE, PAT{n}", "masshealth_id": f"{900000100000 + n:012d}",
        # 9xx: never issued, nobody's; the serial (last four) never 0000 (rules.ssn_refusal).
        "ssn": f"9005{n // 9999 % 10}{n % 9999 + 1:04d}",
        "requested_plan": Plan.objects.get(provider_id="130000001A"),
        "today": TODAY, "now": NOW,
    }
    if case_type == CaseType.FOR_CAUSE:
        kwargs["for_cause_reason"] = ForCauseReason.HOMELESS
    if case_type == CaseType.ANGELA_MELODY:
        kwargs["provider_termination"] = current_termination()
    return kwargs | overrides
