"""Fixtures of the recoupment tests: reference data, a provider user per provider, ops."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from posc.roles import ENROLLMENT_OPERATIONS, roles_sync
from recoupments.inputs import LineInput, RecoupmentInput
from tests.conftest import provider_user  # noqa: F401  (recoupment tests import it here)

HOSPITAL = "100000101A"
HOME_HEALTH = "100000102A"
TUFTS_TOGETHER = "130000001A"
WELLSENSE_MCO = "130000002A"
MBHP = "140000001A"
CCA_SCO = "110000001A"
EASTERN = ZoneInfo("America/New_York")
# Monday 11/23/2026, 10:00 am Eastern: day 0 is that day.
NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=EASTERN)


@pytest.fixture
def recoupment_data(db):
    """Load the plans and providers, the edit codes and the MCE contacts (no rate cells)."""
    call_command("loaddata", "plans", "edit_codes", "recoupment_mce_contacts", verbosity=0)


@pytest.fixture
def hospital(recoupment_data):
    return provider_user("hospital", HOSPITAL)


@pytest.fixture
def home_health(recoupment_data):
    return provider_user("homehealth", HOME_HEALTH)


@pytest.fixture
def ops(ops_user, recoupment_data):
    roles_sync()
    ops_user.groups.add(Group.objects.get(name=ENROLLMENT_OPERATIONS))
    return ops_user


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
