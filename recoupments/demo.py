"""Demo data of this app, loaded by seed_demo (demo-data.md): edit codes, MCE contacts, requests.

The demo requests belong to the ``hospital`` account (Example Community Hospital) and stand
at different stages, so that a trainee can walk the provider side and the ``ops`` side at
once. They are made as the users would make them, through the services (history, audit
and e-mails included). Each is found again by its member's name, so seeding twice changes
nothing.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model

from posc.members.demo import HOSPITAL
from posc.members.models import Provider, ProviderLink
from recoupments.inputs import LineInput, RecoupmentInput
from recoupments.models import ApprovalPath, Move, Recoupment, Status
from recoupments.moves import MOVES
from recoupments.services import recoupment_submit

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
# The moves of Enrollment Operations that lead from SUBMITTED to each demo status.
PATHS = {
    Status.SUBMITTED: (),
    Status.RETURNED: (Move.RETURN_INCOMPLETE,),
    Status.APPROVAL: (Move.CONFIRM_COMPLETE, Move.RECORD_RESEARCH),
    Status.MASSHEALTH_BILLING: (Move.CONFIRM_COMPLETE, Move.RECORD_RESEARCH,
                                Move.APPROVE_MASSHEALTH),
}


def _move_arguments(spec: DemoRecoupment) -> dict[str, dict]:
    """Return what ops type for each move of the demo request."""
    return {
        Move.RETURN_INCOMPLETE: {"missing_fields": list(spec.missing_fields),
                                 "note": "The member has a second ID."},
        Move.CONFIRM_COMPLETE: {},
        Move.RECORD_RESEARCH: {
            "enrollments_documented": f"Member ID {spec.member_id}: see the spans listed."},
        Move.APPROVE_MASSHEALTH: {"path": ApprovalPath.MASSHEALTH},
    }


def _create(spec: DemoRecoupment, *, hospital, ops, provider: Provider,
            now: datetime.datetime) -> Recoupment:
    """Submit the demo form as the hospital, then make ops' moves up to its status."""
    data = RecoupmentInput(
        provider_id=provider.provider_id, provider_name=provider.name,
        provider_npi=provider.npi or "", mce_provider_ids=(spec.mce,),
        member_first_name=spec.first_name, member_last_name=spec.last_name,
        member_ids=(spec.member_id,),
        lines=tuple(LineInput(day, service, Decimal(amount))
                    for day, service, amount in spec.lines))
    recoupment = recoupment_submit(actor=hospital, data=data, now=now)
    arguments = _move_arguments(spec)
    for move in PATHS[spec.status]:
        MOVES[move].service(recoupment=recoupment, actor=ops, now=now, **arguments[move])
    recoupment.refresh_from_db()
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
