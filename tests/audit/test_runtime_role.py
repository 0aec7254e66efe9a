"""The runtime role appends to the audit log and nothing more (issue 15, weakness 8).

The role in DATABASE_URL owned the tables, so ``ALTER TABLE audit_auditevent DISABLE
TRIGGER USER`` and then a DELETE worked. ``create_runtime_role`` makes the role the portal
runs as: it owns nothing, writes the portal's tables, and only INSERTs and SELECTs the log.
Here the role is created in the test database and a real connection signs in as it.
"""

import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import errors

from posc import clock

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "runtime-" + uuid.uuid4().hex


@pytest.fixture
def runtime(monkeypatch):
    """Return a connection as a new runtime role; drop the role afterwards."""
    role = f"posc_runtime_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("POSC_RUNTIME_PASSWORD", PASSWORD)
    call_command("create_runtime_role", role)
    db = connection.settings_dict
    conn = psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, dbname=db["NAME"],
                           user=role, password=PASSWORD, autocommit=True)
    yield conn
    conn.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def _refused(conn, statement: str) -> None:
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute(statement)


def test_the_runtime_role_only_appends_to_and_reads_the_audit_log(runtime):
    runtime.execute("INSERT INTO audit_auditevent (username, action, object_type, object_id, "
                    "member_id, path, detail) VALUES ('ops', 'VIEW', 'member', '1', "
                    "'100000000001', '/', 'runtime role test')")
    (count,) = runtime.execute("SELECT count(*) FROM audit_auditevent").fetchone()
    assert count == 1
    _refused(runtime, "ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    _refused(runtime, "UPDATE audit_auditevent SET detail = 'rewritten'")
    _refused(runtime, "DELETE FROM audit_auditevent")
    _refused(runtime, "TRUNCATE audit_auditevent")
    _refused(runtime, "DROP TABLE audit_auditevent")
    (detail,) = runtime.execute("SELECT detail FROM audit_auditevent").fetchone()
    assert detail == "runtime role test"


def test_the_runtime_role_does_the_portal_s_everyday_writes(runtime):
    runtime.execute("INSERT INTO auth_group (name) VALUES ('Runtime test')")
    runtime.execute("UPDATE auth_group SET name = 'Runtime test 2' WHERE name = 'Runtime test'")
    runtime.execute("INSERT INTO django_session (session_key, session_data, expire_date) "
                    "VALUES ('runtime-test', '{}', %s)", [clock.now()])
    runtime.execute("DELETE FROM django_session WHERE session_key = 'runtime-test'")
    runtime.execute("DELETE FROM auth_group WHERE name = 'Runtime test 2'")
    _refused(runtime, "ALTER TABLE auth_group DISABLE TRIGGER ALL")  # owns no table


def test_the_runtime_role_makes_months_ahead_and_may_not_change_any_partition(runtime):
    # db_worker runs audit.tasks.partitions_ahead as this role: the function makes the month
    # as the tables' owner; the role then only appends to it and reads it, as the parent.
    made = runtime.execute("SELECT partition FROM audit_partitions_ensure('2032-02-01', 1)"
                           ).fetchall()
    assert made == [("audit_auditevent_p203202",)]
    runtime.execute("INSERT INTO audit_auditevent (at, username, action, object_type, "
                    "object_id, member_id, path, detail) VALUES ('2032-02-03 12:00-05', "
                    "'ops', 'VIEW', 'member', '1', '100000000001', '/', 'runtime role test')")
    (partitions,) = runtime.execute(
        "SELECT array_agg(inhrelid::regclass::text) FROM pg_inherits "
        "WHERE inhparent = 'audit_auditevent'::regclass").fetchone()
    assert "audit_auditevent_p203202" in partitions and "audit_auditevent_default" in partitions
    for table in partitions:
        # Refused by privilege, not only by the triggers (which raise the same error code).
        (may,) = runtime.execute("SELECT has_table_privilege(current_user, %s, "
                                 "'UPDATE, DELETE, TRUNCATE, TRIGGER')", [table]).fetchone()
        assert (table, may) == (table, False)
        _refused(runtime, f"UPDATE {table} SET detail = 'rewritten'")
        _refused(runtime, f"DELETE FROM {table}")
        _refused(runtime, f"TRUNCATE {table}")
        _refused(runtime, f"ALTER TABLE {table} DISABLE TRIGGER USER")
    (count,) = runtime.execute("SELECT count(*) FROM audit_auditevent_p203202").fetchone()
    assert count == 1
