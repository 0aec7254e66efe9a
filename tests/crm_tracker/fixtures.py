"""Tracker fixtures: the taxonomy, the five roles, a CSR with a Supervisor, and cases.

A module of its own, not the conftest, so that the audit, security, clock and property tests
can import them too (no test module imports from a conftest: tests/test_test_layout.py).
"""

import pytest
from django.core.management import call_command

from crm_tracker.models import CaseType, SupervisorAssignment
from crm_tracker.services import case_intake, case_vet
from posc import clock
from posc.clock import today_eastern
from posc.roles import (
    CSR,
    ENROLLMENT_OPERATIONS,
    QC_TEAM_LEAD,
    STATE_MONITOR,
    SUPERVISOR,
    roles_sync,
)
from tests.crm_tracker.helpers import NOW, intake_kwargs
from tests.factories import UserFactory


@pytest.fixture
def taxonomy(reference_data):
    """Load the tracker's fixtures and sync the roles (the plans are loaded once per test
    database: tests/conftest.py)."""
    call_command("loaddata", "crm_taxonomy", "crm_provider_terminations", verbosity=0)
    return roles_sync()


def _member_of(groups, role: str, username: str, **fields):
    user = UserFactory(username=username, **fields)
    user.groups.add(groups[role])
    return user


@pytest.fixture
def csr(taxonomy):
    return _member_of(taxonomy, CSR, "csr")


@pytest.fixture
def qc(taxonomy):
    return _member_of(taxonomy, QC_TEAM_LEAD, "qc")


@pytest.fixture
def monitor(taxonomy):
    return _member_of(taxonomy, STATE_MONITOR, "monitor")


@pytest.fixture
def supervisor(taxonomy, csr):
    user = _member_of(taxonomy, SUPERVISOR, "supervisor")
    SupervisorAssignment.objects.create(csr=csr, supervisor=user)
    return user


@pytest.fixture
def ops(taxonomy):
    return _member_of(taxonomy, ENROLLMENT_OPERATIONS, "ops", is_staff=True)


@pytest.fixture
def admin_user(taxonomy):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def new_case(csr):
    """Return a function that opens a case as the CSR (MCT Span unless told otherwise)."""

    def make(case_type: str = CaseType.MCT_SPAN, **overrides):
        return case_intake(**intake_kwargs(actor=csr, case_type=case_type, **overrides))

    return make


@pytest.fixture
def true_case(new_case, qc, supervisor):
    """Return a case vetted true, waiting for the State Monitors."""
    case = new_case(ssn="900223333")
    return case_vet(now=NOW, case=case, true_case=True, reason="Checked MMIS screen 9.", actor=qc)


@pytest.fixture
def monitor_cases(new_case, qc, supervisor):
    """Three cases opened and vetted now, by the clock the import page reads.

    The page checks a processed date against its own today and the case's opening date:
    cases opened on that clock let the tests type today's date, whatever the real date.
    """
    now = clock.now()
    return [case_vet(now=now, case=new_case(now=now, today=today_eastern(now)), true_case=True,
                     reason="ok", actor=qc) for _ in range(3)]
