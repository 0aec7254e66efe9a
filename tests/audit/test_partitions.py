"""The audit table partitioned by month (issue 19 §3): every partition append-only, months
made ahead by a task, rows of a month without one kept in DEFAULT and moved when it comes.
"""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import Action, AuditEvent
from audit.services import record
from audit.tasks import partitions_ensure
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("admin:audit_auditevent_changelist")
FUTURE = datetime.date(2031, 5, 17)  # far past any month the migration made


def partitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits "
                       "WHERE inhparent = 'audit_auditevent'::regclass ORDER BY 1")
        return [name for (name,) in cursor.fetchall()]


def write_at(at: str, member_id: str = "100000000001") -> AuditEvent:
    """One audit row at *at* (an ISO moment), through the ORM as record_each writes."""
    (event,) = AuditEvent.objects.bulk_create([AuditEvent(
        at=datetime.datetime.fromisoformat(at), username="clerk", action=Action.VIEW,
        object_type="member", object_id=member_id, member_id=member_id)])
    return event


def where(event: AuditEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s",
                       [event.pk])
        return cursor.fetchone()[0]


def test_the_table_is_partitioned_by_month_with_a_default():
    names = partitions()
    assert "audit_auditevent_default" in names
    assert len([n for n in names if n.startswith("audit_auditevent_p")]) >= 4


@pytest.mark.parametrize("sql", [
    "UPDATE {table} SET detail = 'rewritten'",
    "DELETE FROM {table}",
    "TRUNCATE {table}",
])
def test_every_partition_refuses_changes_those_made_later_too(sql):
    made = partitions_ensure(today=FUTURE, months=0)["created"]
    assert made == [{"partition": "audit_auditevent_p203105", "moved": 0}]
    # A row in every partition (a row trigger fires on rows only): one in each month's,
    # one in DEFAULT, and one through the service, this month.
    months = [name.removeprefix("audit_auditevent_p") for name in partitions()
              if name != "audit_auditevent_default"]
    for month in months:
        write_at(f"{month[:4]}-{month[4:]}-15T12:00:00-05:00")
    write_at("2020-01-01T12:00:00-05:00")
    record(Action.VIEW, "member", "100000000002", member_ids=["100000000002"])
    for table in ["audit_auditevent", *partitions()]:
        with transaction.atomic(), connection.cursor() as cursor:
            # The state of any session but the test runner's flush (posc/settings/test.py).
            cursor.execute("SET LOCAL posc.audit_truncate = 'off'")
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(sql.format(table=table))
    assert AuditEvent.objects.filter(detail="").count() == len(months) + 2


def test_a_row_of_a_month_without_partition_is_kept_and_moved_when_it_comes():
    event = write_at("2031-06-03T09:00:00-04:00")
    assert where(event) == "audit_auditevent_default"
    # Two months on either side of it; June's row goes into June's partition, same id.
    outcome = partitions_ensure(today=FUTURE, months=2)
    assert outcome["created"] == [{"partition": "audit_auditevent_p203105", "moved": 0},
                                  {"partition": "audit_auditevent_p203106", "moved": 1},
                                  {"partition": "audit_auditevent_p203107", "moved": 0}]
    assert outcome["default_rows"] == {}
    assert where(event) == "audit_auditevent_p203106"
    assert AuditEvent.objects.get(pk=event.pk).member_id == "100000000001"
    # Again: nothing to do.
    assert partitions_ensure(today=FUTURE, months=2)["created"] == []


def test_the_task_names_the_months_left_in_default():
    write_at("2019-03-09T09:00:00-05:00")
    write_at("2019-03-31T23:30:00-04:00")  # 04/01 03:30 UTC: still March in Boston
    outcome = partitions_ensure(today=FUTURE, months=0)
    assert outcome["default_rows"] == {"2019-03": 2}


def test_ids_come_back_from_bulk_create_and_keep_counting():
    first, second = write_at("2031-06-03T09:00:00-04:00"), write_at("2020-02-03T09:00:00-05:00")
    assert first.pk is not None and second.pk == first.pk + 1
    assert AuditEvent.objects.get(pk=second.pk).at.year == 2020


def test_the_command_creates_months_ahead_and_says_so(capsys):
    call_command("audit_partitions", "--date", "2031-05-02", "--months", "1")
    assert capsys.readouterr().out.splitlines() == ["created audit_auditevent_p203105",
                                                    "created audit_auditevent_p203106"]
    call_command("audit_partitions", "--date", "2031-05-02", "--months", "1")
    assert capsys.readouterr().out.strip() == "every month asked for has its partition"


@pytest.mark.parametrize("args, message", [
    (["--date", "05/02/2031"], "--date must be a date as YYYY-MM-DD"),
    (["--months", "-1"], "--months must be a whole number 0 to 119"),
    (["--months", "200"], "--months must be a whole number 0 to 119"),
])
def test_the_command_refuses_bad_input_and_creates_nothing(args, message):
    before = partitions()
    with pytest.raises(CommandError, match=message):
        call_command("audit_partitions", *args)
    assert partitions() == before


def test_the_admin_s_day_filters_bound_the_search_in_boston_days(client_for, ops):
    clerk = UserFactory(username="clerk")
    for at in ("2031-05-01T00:30:00-04:00", "2031-05-07T23:59:00-04:00",
               "2031-05-08T00:00:00-04:00", "2031-04-30T23:59:00-04:00"):
        (event,) = AuditEvent.objects.bulk_create([AuditEvent(
            at=datetime.datetime.fromisoformat(at), user=clerk, username="clerk",
            action=Action.VIEW, object_type="member", member_id="100000000001")])
    client = client_for(ops)
    response = client.get(LIST, {"member_id": "100000000001", "from": "05/01/2031",
                                 "to": "05/07/2031"})
    shown = sorted(e.at.isoformat() for e in response.context["cl"].result_list)
    assert shown == ["2031-05-01T04:30:00+00:00", "2031-05-08T03:59:00+00:00"]
    assert 'name="from" value="05/01/2031"' in response.content.decode()


@pytest.mark.parametrize("value", ["13/45/2031", "yesterday", "12/31/9999"])
def test_a_bad_day_says_so_and_shows_nothing(client_for, ops, value):
    write_at("2031-05-01T12:00:00-04:00")
    response = client_for(ops).get(LIST, {"to": value})
    assert list(response.context["cl"].result_list) == []
    assert "type a date as MM/DD/YYYY" in response.content.decode()


def test_a_list_of_more_than_ten_thousand_rows_is_not_counted_to_the_end(client_for, ops,
                                                                         monkeypatch):
    from audit.admin import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "CAP", 3)  # the rows a test can afford
    for day in range(1, 6):
        write_at(f"2031-05-0{day}T12:00:00-04:00")
    client = client_for(ops)
    page = client.get(LIST, {"member_id": "100000000001"}).content.decode()
    assert "More than 10,000 audit events: narrow the search" in page
    response = client.get(LIST, {"member_id": "100000000001", "to": "05/02/2031"})
    assert response.context["cl"].result_count == 2
    assert "More than" not in response.content.decode()
