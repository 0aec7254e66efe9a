"""Shared fixtures: reference data and the role users of demo-data.md."""

import pytest
from django.core.management import call_command

from posc.members.demo import (  # noqa: F401  (re-exported for the tests)
    CCA_ONE_CARE,
    CCA_SCO,
    FALLON_SCO,
    SWH_SCO,
    TUFTS_ONE_CARE,
)
from posc.members.models import Plan, ProviderLink
from tests.factories import UserFactory


@pytest.fixture
def reference_data(db):
    """Load the plans, service areas and rate cells of demo-data.md."""
    call_command("loaddata", "plans", "rate_cells", verbosity=0)
    return Plan.objects.all()


def provider_user(username: str, *provider_ids: str):
    """Return a new user linked to *provider_ids*, with an e-mail address of its own."""
    user = UserFactory(username=username, email=f"{username}@provider.example")
    for provider_id in provider_ids:
        ProviderLink.objects.create(user=user, provider_id=provider_id)
    return user


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
