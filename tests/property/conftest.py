"""Hypothesis settings and helpers of the property tests (issue 6, item 4: bad input).

The "ci" profile runs 200 examples per target, derandomized: every CI run tries the same
inputs, so a failure is reproducible and a green run stays green. For a longer, random
local search:
``HYPOTHESIS_PROFILE=deep bin/test tests/property``.

pytest-django's ``db`` fixture wraps the whole test in one transaction, not each example:
every example runs inside ``example_savepoint()``, which rolls its writes back, so that the
examples stay independent of each other.
"""

import contextlib
import os
from collections.abc import Iterator

from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, Phase, event, settings

from tests.transactions import rolled_back

_COMMON = dict(
    deadline=None,
    database=None,  # no example database on disk: CI starts clean every time
    # No "explain" phase: it re-runs a failing example hundreds of times (minutes here).
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("ci", max_examples=200, derandomize=True, **_COMMON)
settings.register_profile("deep", max_examples=2000, derandomize=False, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The tables an input could write: every model of the project's own apps. Sessions, the
# lockout (axes) and the audit log are left out: they record the request, not the input.
DATA_APPS = ("members", "enrollment", "recoupments", "crm_tracker")


def _data_tables() -> list[str]:
    tables = []
    for label in DATA_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.managed and not model._meta.proxy:
                tables.append(model._meta.db_table)
    return sorted(set(tables))


def table_snapshot() -> dict[str, tuple[int, int]]:
    """Return (row count, order-free hash of every row) per data table, in one query.

    Two snapshots are equal only when no row was added, deleted or changed.
    """
    tables = _data_tables()
    selects = ", ".join(
        f"(SELECT row(count(*), coalesce(sum(hashtext(t::text)::bigint), 0))::text "
        f"FROM {connection.ops.quote_name(name)} t)" for name in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selects}")
        values = cursor.fetchone()
    return dict(zip(tables, values, strict=True))


def changed_tables(before: dict, after: dict) -> list[str]:
    """Return the tables whose rows differ between two snapshots."""
    return [name for name in before if before[name] != after[name]]


@contextlib.contextmanager
def example_savepoint() -> Iterator[None]:
    """Run one example in a savepoint that is always rolled back."""
    with rolled_back():
        yield


def assert_not_server_error(response) -> None:
    """Fail on a 5xx answer (the test client re-raises uncaught exceptions by itself)."""
    assert response.status_code < 500, response.status_code


def post_checked(client, url: str, data: dict, **extra):
    """POST *data*; fail on a 5xx, a refused form (200) that wrote rows; record the outcome.

    Return the response and the tables the request changed.
    """
    before = table_snapshot()
    response = client.post(url, data, **extra)
    assert_not_server_error(response)
    changed = changed_tables(before, table_snapshot())
    if response.status_code == 200:
        assert changed == [], "a refused form wrote rows"
    event("written" if changed else "refused")
    return response, changed


def logged_in(client, user):
    """Log *client* in as *user* once: force_login in every example would add a session each."""
    if client.session.get("_auth_user_id") != str(user.pk):
        client.force_login(user)
    return client
