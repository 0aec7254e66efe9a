"""The tracker's fixtures, from tests/crm_tracker/fixtures.py (other directories use them too)."""

from tests.crm_tracker.fixtures import (  # noqa: F401  (fixtures)
    admin_user,
    csr,
    monitor,
    monitor_cases,
    new_case,
    ops,
    qc,
    supervisor,
    taxonomy,
    true_case,
)
