"""Demo data of this app, loaded by seed_demo (demo-data.md): edit codes, MCE contacts, requests.

The demo requests belong to the ``hospital`` account (Example Community Hospital) and stand
at different stages, so that a trainee can walk the provider side and the ``ops`` side at
once. Each is found again by its member's name, so seeding twice changes nothing.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model

from posc.clock import today_eastern
from posc.members.demo import HOSPITAL
from posc.members.models import Plan, Provider, ProviderLink
from recoupments.models import Move, Recoupment, RecoupmentEvent, RecoupmentLine, Status
from recoupments.clocks import start_clocks
from recoupments.services import next_reference

FIXTURES: tuple[str, ...] = ("edit_codes", "recoupment_mce_contacts")


@dataclass(frozen=True)
class DemoRecoupment:
    status: str
    member_id: str
    first_name: str
    last_name: str
    mce: str  # provider ID of the MCE named on the form
    lines: tuple[tuple[datetime.date, str, str], ...]
    missing_fields: tuple[str, ...] = ()


# Members of posc.members.demo, so that the research step finds their spans.
DEMO_RECOUPMENTS = (
    DemoRecoupment(Status.SUBMITTED, "100000000002", "WALTER", "SPECIMEN", "120000002A",
                   ((datetime.date(2025, 3, 4), "99213 Office visit", "145.00"),
                    (datetime.date(2025, 3, 18), "99214 Office visit", "210.50"))),
    DemoRecoupment(Status.RETURNED, "100000000003", "IRIS", "PLACEHOLDER", "110000001A",
                   ((datetime.date(2025, 1, 9), "Inpatient stay", "4200.00"),),
                   missing_fields=("member_ids",)),
    DemoRecoupment(Status.APPROVAL, "100000000005", "HAROLD", "TESTWELL", "110000001A",
                   ((datetime.date(2025, 5, 12), "93000 Electrocardiogram", "62.25"),
                    (datetime.date(2025, 5, 12), "80053 Metabolic panel", "38.00"))),
    DemoRecoupment(Status.MASSHEALTH_BILLING, "100000000017", "BEATRICE", "TESTWELL",
                   "110000003A",
                   ((datetime.date(2025, 6, 2), "G0151 Physical therapy visit", "128.00"),)),
)
# The moves that lead from SUBMITTED to each demo status: (move, to status, by ops, note).
PATHS = {
    Status.SUBMITTED: (),
    Status.RETURNED: ((Move.RETURN_INCOMPLETE, Status.RETURNED, True,
                       "Missing: Member MassHealth ID(s). The member has a second ID."),),
    Status.APPROVAL: ((Move.CONFIRM_COMPLETE, Status.RESEARCH, True, ""),
                      (Move.RECORD_RESEARCH, Status.APPROVAL, True, "")),
    Status.MASSHEALTH_BILLING: ((Move.CONFIRM_COMPLETE, Status.RESEARCH, True, ""),
                                (Move.RECORD_RESEARCH, Status.APPROVAL, True, ""),
                                (Move.APPROVE_MASSHEALTH, Status.MASSHEALTH_BILLING, True,
                                 "(d) MassHealth processes and pays.")),
}


def _create(spec: DemoRecoupment, *, hospital, ops, provider: Provider,
            now: datetime.datetime) -> Recoupment:
    recoupment = Recoupment(
        submitted_by=hospital, contact_email=hospital.email, status=spec.status,
        provider_id=provider.provider_id, provider_name=provider.name, provider_npi=provider.npi,
        member_first_name=spec.first_name, member_last_name=spec.last_name,
        member_ids=[spec.member_id], missing_fields=list(spec.missing_fields))
    start_clocks(recoupment, now)
    recoupment.reference = next_reference(today_eastern(now))
    if spec.status in (Status.APPROVAL, Status.MASSHEALTH_BILLING):
        recoupment.enrollments_documented = f"Member ID {spec.member_id}: see the spans listed."
    if spec.status == Status.MASSHEALTH_BILLING:
        recoupment.approval_path = "D"
        recoupment.approved_on = recoupment.received_on
    recoupment.save()
    recoupment.mces.set(Plan.objects.filter(provider_id=spec.mce))
    RecoupmentLine.objects.bulk_create([
        RecoupmentLine(recoupment=recoupment, number=i, date_of_service=day, service=service,
                       amount=Decimal(amount))
        for i, (day, service, amount) in enumerate(spec.lines, start=1)])
    events = [RecoupmentEvent(recoupment=recoupment, move=Move.SUBMIT, from_status="",
                              to_status=Status.SUBMITTED, actor=hospital, at=now)]
    before = Status.SUBMITTED
    for move, to_status, _, note in PATHS[spec.status]:
        events.append(RecoupmentEvent(recoupment=recoupment, move=move, from_status=before,
                                      to_status=to_status, actor=ops, at=now, note=note))
        before = to_status
    RecoupmentEvent.objects.bulk_create(events)
    return recoupment


def demo_seed(*, stdout, now: datetime.datetime) -> str:
    """Create this app's demo rows that are missing (submitted at *now*); return a summary."""
    User = get_user_model()
    hospital = User.objects.filter(username="hospital").first()
    ops = User.objects.filter(username="ops").first()
    provider = Provider.objects.filter(provider_id=HOSPITAL).first()
    if hospital is None or ops is None or provider is None or not ProviderLink.objects.filter(
            user=hospital, provider_id=HOSPITAL).exists():
        return "recoupments: edit codes and MCE contacts loaded; no demo requests (no accounts)"
    created = []
    for spec in DEMO_RECOUPMENTS:
        exists = Recoupment.objects.filter(
            provider_id=HOSPITAL, member_first_name=spec.first_name,
            member_last_name=spec.last_name).exists()
        if not exists:
            created.append(_create(spec, hospital=hospital, ops=ops, provider=provider, now=now))
    listed = ", ".join(f"{r.reference} {r.get_status_display()}" for r in created)
    return (f"recoupments: {len(created)} of {len(DEMO_RECOUPMENTS)} demo requests created for "
            f"hospital" + (f" ({listed})" if listed else ""))
