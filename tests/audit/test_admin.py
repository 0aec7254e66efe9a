"""The audit log in the admin: read-only for everyone, filtered by member ID and by user."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from audit.services import record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("admin:audit_auditevent_changelist")


@pytest.fixture
def events(db):
    """Three rows: two users, two members."""
    clerk, other = UserFactory(username="clerk"), UserFactory(username="other")
    record(Action.VIEW, "member", "100000000001", member_ids=["100000000001"], user=clerk)
    record(Action.VIEW, "member", "100000000002", member_ids=["100000000002"], user=clerk)
    record(Action.SEARCH, "member", "100000000001", member_ids=["100000000001"], user=other)
    return AuditEvent.objects.order_by("pk")


def listed(client, query: str = "") -> list[tuple[str, str]]:
    response = client.get(f"{LIST}{query}")
    assert response.status_code == 200
    return sorted((e.username, e.member_id) for e in response.context["cl"].result_list)


def test_enrollment_operations_filter_by_member_id_and_by_user(client_for, ops, events):
    client = client_for(ops)
    assert len(listed(client)) == 3
    assert listed(client, "?member_id=100000000001") == [("clerk", "100000000001"),
                                                         ("other", "100000000001")]
    assert listed(client, "?username=clerk") == [("clerk", "100000000001"),
                                                 ("clerk", "100000000002")]
    assert listed(client, "?member_id=100000000001&username=clerk") == [
        ("clerk", "100000000001")]
    assert len(listed(client, "?object_type=member&action=VIEW")) == 2
    assert listed(client, "?object_type=plan") == []
    assert listed(client, "?member_id=%00") == []  # a NUL byte matches nothing, no 500
    page = client.get(f"{LIST}?member_id=100000000001").content.decode()
    assert 'name="member_id" value="100000000001"' in page


@pytest.mark.parametrize("who", ["ops", "superuser"])
def test_nobody_adds_changes_or_deletes_a_row(client_for, ops, events, who):
    user = ops if who == "ops" else UserFactory(username="root", is_staff=True,
                                                  is_superuser=True)
    client = client_for(user)
    event = events.first()
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert client.get(change).status_code == 200  # shown, read-only
    assert client.post(change, {"detail": "rewritten"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]),
                       {"post": "yes"}).status_code == 403
    response = client.post(LIST, {"action": "delete_selected", "post": "yes",
                                  "_selected_action": [e.pk for e in events]})
    assert response.status_code in (200, 302)
    assert AuditEvent.objects.filter(detail="", pk__in=[e.pk for e in events]).count() == 3


def test_provider_staff_cannot_read_the_log(client_for, cca_sco, events):
    assert client_for(cca_sco).get(LIST).status_code in (302, 403)
