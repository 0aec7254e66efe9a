"""Audit test helpers: the rows written, and a client at a known address."""

import pytest
from django.contrib.auth.models import Group

from audit.models import AuditEvent
from posc.roles import ENROLLMENT_OPERATIONS, roles_sync
from tests.crm_tracker.conftest import (  # noqa: F401  (fixtures)
    admin_user,
    csr,
    monitor,
    new_case,
    qc,
    supervisor,
    taxonomy,
)
from tests.recoupments.conftest import home_health, hospital, recoupment_data  # noqa: F401  (fixtures)

ADDRESS = "203.0.113.7"  # TEST-NET-3 (RFC 5737): no real client


def rows(**filters) -> list[tuple]:
    """Return the audit rows as (username, address, action, object type, object ID, member ID)."""
    return list(AuditEvent.objects.filter(**filters).order_by("pk").values_list(
        "username", "client_address", "action", "object_type", "object_id", "member_id"))


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
