"""Helpers of the recoupment tests: the providers and plans named, a whole form (as the
services take it and as the page posts it), the admin's move pages."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.urls import reverse

from recoupments.inputs import LineInput, RecoupmentInput
from recoupments.models import Recoupment

HOSPITAL = "100000101A"
HOME_HEALTH = "100000102A"
TUFTS_TOGETHER = "130000001A"
WELLSENSE_MCO = "130000002A"
MBHP = "140000001A"
CCA_SCO = "110000001A"
EASTERN = ZoneInfo("America/New_York")
# Monday 11/23/2026, 10:00 am Eastern: day 0 is that day.
NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=EASTERN)


def form_input(**overrides) -> RecoupmentInput:
    """Return a whole Recoupment Form of the hospital: two member IDs, three lines."""
    values = dict(
        provider_id=HOSPITAL, provider_name="Example Community Hospital",
        provider_npi="1234567893", mce_provider_ids=(TUFTS_TOGETHER,),
        member_first_name="ROSE", member_last_name="EXAMPLE",
        member_ids=("100000000001", "100000000091"),
        lines=(LineInput(datetime.date(2025, 3, 4), "99213 Office visit", Decimal("145.00")),
               LineInput(datetime.date(2025, 3, 18), "99214 Office visit", Decimal("210.50")),
               LineInput(datetime.date(2025, 4, 2), "93000 Electrocardiogram", Decimal("62.25"))))
    values.update(overrides)
    return RecoupmentInput(**values)


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


def move_url(recoupment: Recoupment, page: str) -> str:
    return reverse("admin:recoupments_recoupment_move", args=[recoupment.pk, page])


def change_url(recoupment: Recoupment) -> str:
    return reverse("admin:recoupments_recoupment_change", args=[recoupment.pk])


def do(client, recoupment: Recoupment, page: str, data: dict | None = None) -> Recoupment:
    """Open a move page from the change page's button, post it, expect the change page back."""
    change = client.get(change_url(recoupment)).content.decode()
    assert f'href="{move_url(recoupment, page)}"' in change, f"no button for {page}"
    assert client.get(move_url(recoupment, page)).status_code == 200
    response = client.post(move_url(recoupment, page), data or {})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == change_url(recoupment)
    recoupment.refresh_from_db()
    return recoupment
