"""Shared fixtures: reference data (loaded once per test database) and the role users of
demo-data.md."""

import pytest
from django.core.management import call_command
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import validate_django_db

from posc.members.demo import CCA_ONE_CARE, CCA_SCO, FALLON_SCO
from posc.members.models import Plan
from tests.factories import UserFactory
from tests.helpers import provider_user

REFERENCE_FIXTURES = ("plans", "rate_cells")
_BLOCKER = pytest.StashKey[DjangoDbBlocker]()


def _load_reference_data() -> None:
    call_command("loaddata", *REFERENCE_FIXTURES, verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker):
    """Create the test database as pytest-django does, then load the plans, service areas
    and rate cells of demo-data.md into it once (pytest-django, "Populate the test
    database"), instead of once per test: every test then starts with them."""
    with django_db_blocker.unblock():
        _load_reference_data()
    request.config.stash[_BLOCKER] = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Load the reference data again after a transactional test: its teardown flushed every
    table, and the next test must start with them like every other test. (After the last
    test the session's teardown has already dropped the test database: nothing to do.)"""
    try:
        return (yield)
    finally:
        blocker = item.config.stash.get(_BLOCKER, None)
        if blocker is not None and nextitem is not None and _transactional(item):
            with blocker.unblock():
                if not Plan.objects.exists():
                    _load_reference_data()


def _transactional(item) -> bool:
    """True when pytest-django runs *item* as a TransactionTestCase (it flushes the tables)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transaction, reset_sequences, *_ = validate_django_db(marker)
        if transaction or reset_sequences:
            return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"}
                & set(getattr(item, "fixturenames", ())))


@pytest.fixture
def reference_data(db):
    """The plans, service areas and rate cells of demo-data.md: django_db_setup loaded them
    once for the test database. Loaded again if a flush left the plans table empty."""
    if not Plan.objects.exists():
        _load_reference_data()
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
