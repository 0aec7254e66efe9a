"""Helpers of the property tests: table snapshots, a savepoint per example, checked posts,
and the 834 well-formedness check.

pytest-django's ``db`` fixture wraps the whole test in one transaction, not each example:
every example runs inside ``example_savepoint()``, which rolls its writes back, so that the
examples stay independent of each other.
"""

import contextlib
import re
from collections.abc import Iterator

from django.apps import apps
from django.db import connection
from hypothesis import event

from posc.mmis.x12_834 import (
    ALLOWED,
    COMPONENT,
    ELEMENT,
    REPETITION,
    SEGMENT_END,
    TERMINATOR,
)
from tests.transactions import rolled_back

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


DELIMITERS = (ELEMENT, REPETITION, COMPONENT, TERMINATOR, "\n", "\r")


def assert_well_formed(text: str) -> list[list[str]]:
    """Fail unless every segment ends with ~ and a line break and no element holds a
    delimiter or a character outside the X12 basic set; return the segments' elements."""
    assert text.isascii()
    assert text.endswith(SEGMENT_END)
    segments = [s.split(ELEMENT) for s in text[:-len(SEGMENT_END)].split(SEGMENT_END)]
    for elements in segments:
        tag = elements[0]
        assert re.fullmatch(r"[A-Z][A-Z0-9]{1,2}", tag), elements
        values = elements[1:]
        if tag == "ISA":  # ISA11 and ISA16 are the repetition and component separators
            values = values[:10] + values[11:15]
        for value in values:
            assert set(value) <= ALLOWED, (tag, value)
            assert not set(value) & set(DELIMITERS), (tag, value)
    return segments
