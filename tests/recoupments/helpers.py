"""Posting the Recoupment Form through the test client."""

from recoupments.models import Recoupment
from tests.recoupments.conftest import HOSPITAL, TUFTS_TOGETHER

LINES = (("03/04/2025", "99213 Office visit", "145.00"),
         ("03/18/2025", "99214 Office visit", "$1,210.50"),
         ("04/02/2025", "93000 Electrocardiogram", "62.25"))


def form_post(*, lines=LINES, total: int | None = None, **overrides) -> dict:
    """Return the POST data of a whole form: two member IDs and three service lines."""
    data = {
        "provider_name": "Example Community Hospital", "provider_npi": "1234567893",
        "provider_id": HOSPITAL, "mces": [TUFTS_TOGETHER], "member_first_name": "ROSE",
        "member_last_name": "EXAMPLE", "member_ids": "100000000001\n100000000091",
        "lines-TOTAL_FORMS": str(total or max(len(lines), 1)), "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "200", "submit": "1",
    }
    for i, (day, service, amount) in enumerate(lines):
        data.update({f"lines-{i}-date_of_service": day, f"lines-{i}-service": service,
                     f"lines-{i}-amount": amount})
    data.update(overrides)
    return data


def only_recoupment() -> Recoupment:
    (recoupment,) = Recoupment.objects.all()
    return recoupment
