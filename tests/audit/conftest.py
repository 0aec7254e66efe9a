"""Audit fixtures: a client at a known address, ops, and the tracker and recoupment fixtures."""

import pytest
from django.contrib.auth.models import Group

from posc.roles import ENROLLMENT_OPERATIONS, roles_sync
from tests.audit.helpers import ADDRESS
from tests.crm_tracker.fixtures import (  # noqa: F401  (fixtures)
    admin_user,
    csr,
    monitor,
    new_case,
    qc,
    supervisor,
    taxonomy,
)
from tests.recoupments.fixtures import home_health, hospital, recoupment_data  # noqa: F401  (fixtures)


@pytest.fixture
def audited_client(client_for):
    """Return a function that logs the test client in as *user*, from ADDRESS."""

    def login(user):
        client = client_for(user)
        client.defaults["REMOTE_ADDR"] = ADDRESS
        return client

    return login


@pytest.fixture
def ops(ops_user, reference_data):
    """Return "ops", in Enrollment Operations."""
    roles_sync()
    ops_user.groups.add(Group.objects.get(name=ENROLLMENT_OPERATIONS))
    return ops_user
