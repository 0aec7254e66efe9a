"""Shared fixtures: reference data and the role users of demo-data.md."""

import pytest
from django.core.management import call_command

from posc.members.demo import CCA_ONE_CARE, CCA_SCO, FALLON_SCO
from posc.members.models import Plan
from tests.factories import UserFactory
from tests.helpers import provider_user


@pytest.fixture
def reference_data(db):
    """Load the plans, service areas and rate cells of demo-data.md."""
    call_command("loaddata", "plans", "rate_cells", verbosity=0)
    return Plan.objects.all()


@pytest.fixture
def cca_sco(reference_data):
    return provider_user("cca.sco", CCA_SCO)


@pytest.fixture
def fallon_sco(reference_data):
    return provider_user("fallon.sco", FALLON_SCO)


@pytest.fixture
def cca_onecare(reference_data):
    return provider_user("cca.onecare", CCA_ONE_CARE)


@pytest.fixture
def ops_user(db):
    return UserFactory(username="ops", is_staff=True)


@pytest.fixture
def client_for(client):
    """Return a function that logs the test client in as *user*."""

    def login(user):
        client.force_login(user)
        return client

    return login
