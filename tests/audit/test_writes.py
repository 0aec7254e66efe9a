"""Every write is audited in its own transaction: a write undone leaves no audit row.

HIPAA 45 CFR 164.312(b). A refused write (a DomainError before anything is stored)
writes nothing, its audit row included: the refusal is not a write of member data.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.models import AuditEvent
from crm_tracker.services import case_vet
from enrollment.models import EnrollmentTransaction
from enrollment.services import batch_cut, batch_write
from posc.exceptions import DomainError
from posc.members.demo import CCA_SCO
from posc.members.importer import members_import
from posc.members.models import Plan, ProviderLink
from posc.roles import ENROLLMENT_OPERATIONS, roles_sync
from recoupments.models import Move, Recoupment
from recoupments.services import recoupment_confirm_complete, recoupment_submit
from tests.audit.helpers import ADDRESS, rows
from tests.enrollment.helpers import enroll
from tests.factories import MemberFactory, UserFactory
from tests.members.helpers import ROW, TODAY, feed
from tests.recoupments.helpers import NOW, form_input
from tests.transactions import rolled_back

pytestmark = pytest.mark.django_db


def test_an_enrollment_and_its_834_are_audited(audited_client, cca_sco, tmp_path):
    member = MemberFactory()
    enroll(audited_client(cca_sco), "sco", member, CCA_SCO)
    txn = EnrollmentTransaction.objects.get()
    assert rows(action="CREATE") == [("cca.sco", ADDRESS, "CREATE", "enrollment transaction",
                                      txn.reference, member.member_id)]
    batch = batch_cut(plan=Plan.objects.get(provider_id=CCA_SCO))
    batch_write(batch=batch, path=tmp_path / batch.filename)
    (cut, written) = AuditEvent.objects.filter(object_type="834 batch").order_by("pk")
    assert (cut.action, cut.object_id, cut.username[:7]) == ("CREATE", f"{CCA_SCO}-1", "system:")
    assert (written.action, written.object_id) == ("EXPORT", f"{CCA_SCO}-1")
    assert cut.user_id is None and cut.client_address is None


def test_a_write_rolled_back_leaves_no_audit_row(hospital):
    with rolled_back():
        recoupment_submit(actor=hospital, data=form_input(), now=NOW)
        assert len(rows()) == 2  # one per member ID, in the write's transaction
    assert rows() == []


def test_recoupment_submit_and_moves_are_audited(hospital, ops_user):
    recoupment = recoupment_submit(actor=hospital, data=form_input(), now=NOW)
    roles_sync()
    ops_user.groups.add(Group.objects.get(name=ENROLLMENT_OPERATIONS))
    with pytest.raises(DomainError) as refused:  # refused: nothing changed, nothing audited
        recoupment_confirm_complete(recoupment=Recoupment(pk=recoupment.pk + 1000),
                                    actor=ops_user, now=NOW)
    assert refused.value.code == "NOT_FOUND"
    recoupment_confirm_complete(recoupment=recoupment, actor=ops_user, now=NOW)
    ids = ("100000000001", "100000000091")
    ref = recoupment.reference
    assert rows() == [(*who, "recoupment", ref, m)
                      for who in (("hospital", None, "CREATE"), ("ops", None, "CHANGE"))
                      for m in ids]
    assert AuditEvent.objects.filter(action="CHANGE").first().detail.startswith(
        f"{Move.CONFIRM_COMPLETE}:")


def test_tracker_intake_and_steps_are_audited(new_case, qc):
    case = new_case()
    with pytest.raises(DomainError) as refused:
        case_vet(now=NOW, case=case, true_case=True, reason=" ", actor=qc)  # refused: no row
    assert refused.value.code == "REASON_REQUIRED"
    case_vet(now=NOW, case=case, true_case=True, reason="Checked MMIS.", actor=qc)
    assert rows() == [("csr", None, "CREATE", "tracker case", case.number, case.masshealth_id),
                      ("qc", None, "CHANGE", "tracker case", case.number, case.masshealth_id)]


def test_a_member_feed_is_one_row_and_a_dry_run_none(tmp_path, reference_data):
    path = feed(tmp_path, [ROW, {**ROW, "member_id": "100000000002"}])
    members_import(path=path, today=TODAY, now=NOW, dry_run=True)
    assert rows() == []
    members_import(path=path, today=TODAY, now=NOW)
    ((username, _, action, object_type, object_id, member_id),) = rows()
    assert (action, object_type, object_id, member_id) == ("IMPORT", "member feed",
                                                           "feed.csv", "")
    assert username.startswith("system:")
    assert AuditEvent.objects.get().detail.startswith("2 rows: 2 members created")


class TestAdminWrites:
    @pytest.fixture
    def superuser(self, reference_data):
        return UserFactory(username="root", is_staff=True, is_superuser=True)

    def test_an_admin_add_is_audited(self, audited_client, superuser):
        client = audited_client(superuser)
        clerk = UserFactory(username="clerk")
        response = client.post(reverse("admin:members_providerlink_add"),
                               {"user": clerk.pk, "provider_id": CCA_SCO})
        assert response.status_code == 302
        link = ProviderLink.objects.get()
        assert rows() == [("root", ADDRESS, "CREATE", "provider link", str(link.pk), "")]

    def test_deleting_several_rows_in_the_admin_audits_each(self, audited_client, superuser):
        clerk = UserFactory(username="clerk")
        links = [ProviderLink.objects.create(user=clerk, provider_id=p)
                 for p in (CCA_SCO, "110000002A", "110000003A")]
        response = audited_client(superuser).post(
            reverse("admin:members_providerlink_changelist"),
            {"action": "delete_selected", "post": "yes",
             "_selected_action": [link.pk for link in links[:2]]})
        assert response.status_code == 302
        assert ProviderLink.objects.get() == links[2]
        assert sorted(rows()) == sorted(
            ("root", ADDRESS, "DELETE", "provider link", str(link.pk), "")
            for link in links[:2])

    def test_deleting_one_row_in_the_admin_is_audited_once(self, audited_client, superuser):
        link = ProviderLink.objects.create(user=UserFactory(username="clerk"),
                                           provider_id=CCA_SCO)
        response = audited_client(superuser).post(
            reverse("admin:members_providerlink_delete", args=[link.pk]), {"post": "yes"})
        assert response.status_code == 302
        assert rows() == [("root", ADDRESS, "DELETE", "provider link", str(link.pk), "")]
