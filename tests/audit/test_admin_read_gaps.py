"""Reads the audit log missed (issue 15, weakness 7): history pages, the log itself, tasks.

The admin history page of a member, the audit log's own list and rows, and the queued
e-mail tasks (their arguments name members) are each recorded when read.
"""

import pytest
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEvent
from posc.tasks import email_send
from tests.audit.helpers import ADDRESS
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def last() -> AuditEvent:
    return AuditEvent.objects.latest("pk")


def test_a_member_s_admin_history_page_is_audited(audited_client, ops, reference_data):
    member = MemberFactory()
    response = audited_client(ops).get(reverse("admin:members_member_history",
                                               args=[member.pk]))
    assert response.status_code == 200
    row = last()
    assert (row.username, row.client_address, row.action, row.member_id, row.detail) == (
        "ops", ADDRESS, "VIEW", member.member_id, "admin history page")


def test_reading_the_audit_log_is_audited(audited_client, ops):
    client = audited_client(ops)
    listed = reverse("admin:audit_auditevent_changelist")
    assert client.get(f"{listed}?member_id=100000000001").status_code == 200
    row = last()
    assert (row.object_type, row.action) == ("audit log", "SEARCH")
    assert row.detail == "audit log list page 1 ?member_id=100000000001"
    assert client.get(reverse("admin:audit_auditevent_change",
                              args=[row.pk])).status_code == 200
    opened = last()
    assert (opened.object_type, opened.object_id, opened.detail) == (
        "audit log", str(row.pk), "audit log row")


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                      "QUEUES": ["default"]}})
def test_reading_queued_e_mail_tasks_is_audited(audited_client):
    result = email_send.enqueue(subject="Recoupment received", body="Member: ROSE EXAMPLE",
                                to=["ops@posc.example"])
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = audited_client(admin)
    assert client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")
                      ).status_code == 200
    assert last().detail.startswith("admin list page 1")
    assert client.get(reverse("admin:django_tasks_database_dbtaskresult_change",
                              args=[result.id])).status_code == 200
    row = last()
    assert (row.username, row.action, row.object_id, row.detail) == (
        "root", "VIEW", str(result.id), "admin change page")
