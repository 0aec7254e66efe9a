"""No audit row can be changed or deleted: not by the model, the ORM, raw SQL or TRUNCATE."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import Action, AuditEvent, AuditImmutable
from audit.services import record
from tests.audit.helpers import rows
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db) -> AuditEvent:
    record(Action.VIEW, "member", "100000000001", member_ids=["100000000001"],
           user=UserFactory(username="clerk"))
    return AuditEvent.objects.get()


def test_a_saved_row_cannot_be_saved_again(event):
    event.detail = "rewritten"
    with pytest.raises(AuditImmutable):
        event.save()


def test_a_row_cannot_be_deleted(event):
    with pytest.raises(AuditImmutable):
        event.delete()


@pytest.mark.parametrize("write", [
    lambda qs: qs.update(detail="rewritten"),
    lambda qs: qs.delete(),
    lambda qs: qs.bulk_update(list(qs), ["detail"]),
    lambda qs: qs._raw_delete(qs.db),
], ids=["update", "delete", "bulk_update", "raw_delete"])
def test_the_queryset_refuses_changes(event, write):
    with pytest.raises(AuditImmutable):
        write(AuditEvent.objects.all())
    assert rows() == [("clerk", None, "VIEW", "member", "100000000001", "100000000001")]


@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditevent SET detail = 'rewritten'",
    "UPDATE audit_auditevent SET member_id = ''",
    "DELETE FROM audit_auditevent",
    "TRUNCATE audit_auditevent",
])
def test_postgresql_refuses_changes_whatever_the_code_path(event, sql):
    with transaction.atomic(), connection.cursor() as cursor:
        # The state of any session but the test runner's flush (posc/settings/test.py).
        cursor.execute("SET LOCAL posc.audit_truncate = 'off'")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(sql)
    assert AuditEvent.objects.filter(detail="", member_id="100000000001").count() == 1


def test_deleting_the_user_keeps_the_rows_and_their_name(event):
    event.user.delete()
    assert rows() == [("clerk", None, "VIEW", "member", "100000000001", "100000000001")]


def test_a_row_outside_a_request_is_the_system_s():
    record(Action.IMPORT, "member feed", "feed.csv")
    ((username, *_),) = rows()
    assert username.startswith("system:")
