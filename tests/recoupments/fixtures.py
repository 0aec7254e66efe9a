"""Fixtures of the recoupment tests: reference data, a provider user per provider, ops.

A module of its own, not the conftest, so that the audit, security, clock and property tests
can import them too (no test module imports from a conftest: tests/test_test_layout.py).
"""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from posc.roles import ENROLLMENT_OPERATIONS, roles_sync
from tests.helpers import provider_user
from tests.recoupments.helpers import HOME_HEALTH, HOSPITAL


@pytest.fixture
def recoupment_data(reference_data):
    """Load the edit codes and the MCE contacts (the plans and providers are loaded once per
    test database: tests/conftest.py)."""
    call_command("loaddata", "edit_codes", "recoupment_mce_contacts", verbosity=0)


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
