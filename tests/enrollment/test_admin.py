"""The admin as Enrollment Operations meet it: searchable members and spans, read-only history."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from enrollment.models import EnrollmentTransaction
from enrollment.services import enrollment_submit
from posc.members.demo import CCA_SCO
from posc.members.models import Plan
from posc.roles import ENROLLMENT_OPERATIONS, roles_sync
from tests.factories import MemberFactory, SpanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(ops_user, reference_data):
    roles_sync()
    ops_user.groups.add(Group.objects.get(name=ENROLLMENT_OPERATIONS))
    return ops_user


def test_members_are_searchable_by_id_and_name(ops, client_for):
    wanted = MemberFactory(last_name="FINDABLE", first_name="QUINN")
    other = MemberFactory(last_name="ELSEWISE")
    client = client_for(ops)
    changelist = reverse("admin:members_member_changelist")
    for query in (wanted.member_id, "FINDABLE", "quinn"):
        html = client.get(changelist, {"q": query}).content.decode()
        assert wanted.member_id in html and other.member_id not in html


def test_spans_are_searchable_by_member_id_and_name(ops, client_for):
    span = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO),
                       member=MemberFactory(last_name="SPANNER"))
    other = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO))
    client = client_for(ops)
    changelist = reverse("admin:members_enrollmentspan_changelist")
    for query in (span.member_id, "SPANNER"):
        html = client.get(changelist, {"q": query}).content.decode()
        assert span.member_id in html and other.member_id not in html


def test_transactions_are_read_only(ops, client_for, cca_sco):
    member = MemberFactory()
    txn = enrollment_submit(token=uuid.uuid4(), program="SCO", provider_id=CCA_SCO,
                            member=member, last_name=member.last_name,
                            first_name=member.first_name, actor=cca_sco,
                            today=datetime.date(2026, 11, 22))
    client = client_for(ops)
    change_url = reverse("admin:enrollment_enrollmenttransaction_change", args=[txn.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and txn.reference in page.content.decode()
    assert client.post(change_url, {"status": "REJECTED"}).status_code == 403
    delete_url = reverse("admin:enrollment_enrollmenttransaction_delete", args=[txn.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:enrollment_enrollmenttransaction_add")).status_code == 403
    txn.refresh_from_db()
    assert txn.status == EnrollmentTransaction.Status.ACCEPTED


def test_ops_maintain_rate_cells_but_cannot_edit_members(ops, client_for):
    client = client_for(ops)
    assert client.get(reverse("admin:members_ratecell_add")).status_code == 200
    member = MemberFactory()
    change_url = reverse("admin:members_member_change", args=[member.pk])
    assert client.post(change_url, {"last_name": "CHANGED"}).status_code == 403
    member.refresh_from_db()
    assert member.last_name != "CHANGED"


def test_provider_staff_cannot_enter_the_admin(cca_sco, client_for):
    # posc/admin.py: a signed-in user who is not staff is refused, not asked to sign in.
    assert client_for(cca_sco).get(reverse("admin:index")).status_code == 403
