"""Demo data of this app, loaded by seed_demo (demo-data.md).

The taxonomy and the provider-termination events are fixtures. ``demo_seed`` makes the
demo supervisor the demo CSR's Supervisor and opens a few invented cases, one at each
stage of seed 003, through the services (so that they carry their history). Every value
is fixed; a case is recognised by its MassHealth ID, so a second run creates nothing.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from crm_tracker import services
from crm_tracker.models import (
    TAXONOMY_FIELDS,
    Case,
    CaseType,
    ForCauseReason,
    ProviderTermination,
    SupervisorAssignment,
    TaxonomyCombination,
)
from posc.members.models import Plan

FIXTURES: tuple[str, ...] = ("crm_taxonomy", "crm_provider_terminations")

TUFTS_TOGETHER = "130000001A"
WELLSENSE_MCO = "130000002A"


@dataclass(frozen=True)
class DemoTrackerCase:
    masshealth_id: str  # 12 digits (domain.md F), invented
    ssn: str  # 900-xx-xxxx: never issued
    participant_names: str
    case_type: str
    requested_plan: str
    stage: str  # "qc", "monitor", "outreach", "closed"
    for_cause_reason: str = ""
    disposition: str = "Plan Selected in Error"


DEMO_TRACKER_CASES: tuple[DemoTrackerCase, ...] = (
    DemoTrackerCase("900000000101", "900110101", "SAMPLE, ALEX", CaseType.MCT_SPAN,
                    TUFTS_TOGETHER, "qc"),
    DemoTrackerCase("900000000102", "900110102", "EXAMPLE, JORDAN; EXAMPLE, RILEY",
                    CaseType.FOR_CAUSE, WELLSENSE_MCO, "monitor",
                    for_cause_reason=ForCauseReason.HOMELESS),
    DemoTrackerCase("900000000103", "900110103", "PLACEHOLDER, CASEY",
                    CaseType.INCORRECT_SELECTION, TUFTS_TOGETHER, "outreach"),
    DemoTrackerCase("900000000104", "900110104", "MOCKSON, TAYLOR", CaseType.ANGELA_MELODY,
                    WELLSENSE_MCO, "qc", disposition="MCO Updated"),
)


def _taxonomy(case: DemoTrackerCase) -> dict:
    row = TaxonomyCombination.objects.select_related(*TAXONOMY_FIELDS).get(
        step="INTAKE", disposition__name=case.disposition)
    return {f: getattr(row, f) for f in TAXONOMY_FIELDS}


def demo_seed(*, stdout, now: datetime.datetime) -> str:
    """Create this app's demo rows that are missing (opened at *now*); return a summary.

    No transaction of its own: each service call is one (durable), as in the portal.
    """
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=("csr", "qc", "supervisor"))}
    if len(users) < 3:
        return "MCO Manual Tracker: demo accounts missing, no demo cases created."
    SupervisorAssignment.objects.get_or_create(csr=users["csr"],
                                               defaults={"supervisor": users["supervisor"]})
    existing = set(Case.objects.filter(
        masshealth_id__in=[c.masshealth_id for c in DEMO_TRACKER_CASES]
    ).values_list("masshealth_id", flat=True))
    termination = ProviderTermination.objects.select_related("plan").order_by(
        "-choice_period_end").first()
    created = 0
    for demo in DEMO_TRACKER_CASES:
        if demo.masshealth_id in existing:
            continue
        angela = demo.case_type == CaseType.ANGELA_MELODY
        if angela and termination is None:
            continue
        case = services.case_intake(
            actor=users["csr"], case_type=demo.case_type, taxonomy=_taxonomy(demo),
            participant_names=demo.participant_names, masshealth_id=demo.masshealth_id,
            ssn=demo.ssn, requested_plan=Plan.objects.get(provider_id=demo.requested_plan),
            for_cause_reason=demo.for_cause_reason,
            provider_termination=termination if angela else None,
            supervisor_requested=demo.stage == "outreach",
            # A fixed day inside the demo choice period, so that the seed never goes stale.
            today=(termination.choice_period_start if angela and termination
                   else datetime.date(2026, 7, 1)), now=now)
        if demo.stage in ("monitor", "outreach"):
            services.case_vet(case=case, true_case=demo.stage == "monitor", actor=users["qc"],
                              reason="Demo: vetted by QC.", now=now)
        created += 1
    return f"MCO Manual Tracker: {created} of {len(DEMO_TRACKER_CASES)} demo cases created."
