"""Every read of a member's data writes an audit row: who, from where, what, which member.

HIPAA 45 CFR 164.312(b). Walked through the test client as each role would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from crm_tracker.services import case_vet
from enrollment.models import EnrollmentTransaction
from enrollment.services import batch_cut
from posc.members.demo import CCA_SCO
from posc.members.models import Plan
from recoupments.services import recoupment_submit
from tests.audit.helpers import ADDRESS, rows
from tests.enrollment.helpers import (
    enroll,
    panel_open,
    reach_disenrollment,
    reach_verification,
    search,
)
from tests.factories import MemberFactory, SpanFactory
from tests.recoupments.helpers import NOW, form_input

pytestmark = pytest.mark.django_db


def panel(name: str, **kwargs) -> str:
    return reverse(f"enrollment:{name}", kwargs={"program": "sco", **kwargs})


class TestEnrollment:
    def test_each_panel_of_an_enrollment_is_audited(self, audited_client, cca_sco):
        member = MemberFactory()
        client = audited_client(cca_sco)
        verification = reach_verification(client, "sco", member, CCA_SCO)
        certification = panel_open(client, client.post(verification.url,
                                                       verification.data())["Location"])
        response = client.post(certification.url, certification.data(certify="on"))
        client.get(response["Location"])
        txn = EnrollmentTransaction.objects.get()
        mid = member.member_id
        assert rows() == [
            ("cca.sco", ADDRESS, "SEARCH", "member", mid, mid),
            ("cca.sco", ADDRESS, "VIEW", "member", mid, mid),  # the Verification panel
            ("cca.sco", ADDRESS, "VIEW", "member", mid, mid),  # the Certification panel
            ("cca.sco", ADDRESS, "CREATE", "enrollment transaction", txn.reference, mid),
            ("cca.sco", ADDRESS, "VIEW", "enrollment transaction", txn.reference, mid),
        ]
        assert list(AuditEvent.objects.order_by("pk").values_list("path", flat=True)) == [
            panel("search"), verification.url, certification.url,
            certification.url, response["Location"]]

    def test_the_disenrollment_panel_is_audited(self, audited_client, cca_sco):
        member = MemberFactory()
        SpanFactory(member=member, plan=Plan.objects.get(provider_id=CCA_SCO))
        client = audited_client(cca_sco)
        reach_disenrollment(client, "sco", member, CCA_SCO)
        assert [r[2:] for r in rows()] == [("SEARCH", "member", member.member_id,
                                            member.member_id),
                                           ("VIEW", "member", member.member_id,
                                            member.member_id)]

    def test_a_search_mmis_refuses_is_audited_with_the_id_searched(self, audited_client,
                                                                   cca_sco):
        client = audited_client(cca_sco)
        search(client, "sco", MemberFactory.build(member_id="100000000099"), CCA_SCO)
        assert rows() == [("cca.sco", ADDRESS, "SEARCH", "member", "100000000099",
                           "100000000099")]
        assert AuditEvent.objects.get().detail.startswith("sco refused: ")

    def test_an_834_download_is_audited_per_member_of_the_file(self, audited_client, cca_sco,
                                                               fallon_sco):
        client = audited_client(cca_sco)
        member = MemberFactory()
        enroll(client, "sco", member, CCA_SCO)
        batch = batch_cut(plan=Plan.objects.get(provider_id=CCA_SCO))
        before = AuditEvent.objects.count()
        url = reverse("enrollment:file_download", args=[batch.pk])
        assert audited_client(fallon_sco).get(url).status_code == 404
        assert AuditEvent.objects.count() == before  # nothing was read
        response = audited_client(cca_sco).get(url)
        b"".join(response.streaming_content)
        # Issue 15: the member's ID, so that ?member_id= shows the data left in this file.
        assert rows(action="DOWNLOAD") == [
            ("cca.sco", ADDRESS, "DOWNLOAD", "834 batch", f"{CCA_SCO}-{batch.number}",
             member.member_id)]
        assert rows(action="DOWNLOAD", member_id=member.member_id)

    def test_a_refused_request_writes_no_row(self, audited_client, client, ops_user,
                                             reference_data):
        assert audited_client(ops_user).get(panel("search")).status_code == 403
        client.logout()
        assert client.get(panel("verification", flow="any-flow")).status_code == 302
        assert rows() == []


class TestRecoupments:
    @pytest.fixture
    def recoupment(self, hospital):
        return recoupment_submit(actor=hospital, data=form_input(), now=NOW)

    def test_list_and_request_pages_are_audited_per_member(self, audited_client, hospital,
                                                           recoupment):
        client = audited_client(hospital)
        before = AuditEvent.objects.count()
        client.get(reverse("recoupments:list"))
        client.get(reverse("recoupments:detail", args=[recoupment.reference]))
        got = rows()[before:]
        assert got == [
            ("hospital", ADDRESS, "VIEW", "recoupment", "", "100000000001"),
            ("hospital", ADDRESS, "VIEW", "recoupment", "", "100000000091"),
            ("hospital", ADDRESS, "VIEW", "recoupment", recoupment.reference, "100000000001"),
            ("hospital", ADDRESS, "VIEW", "recoupment", recoupment.reference, "100000000091"),
        ]

    def test_another_provider_s_request_is_not_found_and_not_audited(
            self, audited_client, home_health, recoupment):
        before = AuditEvent.objects.count()
        response = audited_client(home_health).get(
            reverse("recoupments:detail", args=[recoupment.reference]))
        assert response.status_code == 404
        assert AuditEvent.objects.count() == before


class TestTracker:
    def test_case_pages_queues_and_exports_are_audited(self, audited_client, new_case, qc,
                                                       monitor):
        case = new_case()
        other = new_case()
        client = audited_client(qc)
        before = AuditEvent.objects.count()
        client.get(reverse("crm_tracker:case_detail", kwargs={"number": case.number}))
        client.get(reverse("crm_tracker:qc_queue"))
        assert rows()[before:] == [
            ("qc", ADDRESS, "VIEW", "tracker case", case.number, case.masshealth_id),
            ("qc", ADDRESS, "VIEW", "tracker case", "", case.masshealth_id),
            ("qc", ADDRESS, "VIEW", "tracker case", "", other.masshealth_id),
        ]
        case_vet(now=NOW, case=case, true_case=True, reason="Checked MMIS.", actor=qc)
        before = AuditEvent.objects.count()
        response = audited_client(monitor).get(reverse("crm_tracker:monitor_export",
                                                       kwargs={"fmt": "csv"}))
        assert response.status_code == 200
        assert rows()[before:] == [("monitor", ADDRESS, "EXPORT", "tracker case", "",
                                    case.masshealth_id)]

    def test_a_user_without_a_tracker_role_writes_no_row(self, audited_client, new_case,
                                                         cca_sco):
        case = new_case()
        before = AuditEvent.objects.count()
        response = audited_client(cca_sco).get(
            reverse("crm_tracker:case_detail", kwargs={"number": case.number}))
        assert response.status_code == 403
        assert AuditEvent.objects.count() == before


class TestAdmin:
    def test_member_list_and_change_pages_are_audited(self, audited_client, reference_data,
                                                      ops):
        first, second = MemberFactory(), MemberFactory()
        client = audited_client(ops)
        assert client.get(reverse("admin:members_member_changelist")).status_code == 200
        assert client.get(reverse("admin:members_member_change",
                                  args=[first.pk])).status_code == 200
        listed = sorted(r[5] for r in rows(action="VIEW", object_id=""))
        assert listed == sorted([first.member_id, second.member_id])
        assert rows(object_id=first.pk) == [
            ("ops", ADDRESS, "VIEW", "member", first.member_id, first.member_id)]

    def test_a_case_history_list_names_the_members_of_its_cases(self, audited_client, ops,
                                                                new_case, admin_user):
        case = new_case()
        before = AuditEvent.objects.count()
        audited_client(admin_user).get(reverse("admin:crm_tracker_casehistory_changelist"))
        assert {r[5] for r in rows()[before:]} == {case.masshealth_id}


def test_the_member_search_pays_one_insert_and_no_select(audited_client, cca_sco):
    """docs/performance.md tracks this page: the audit adds exactly one statement."""
    client = audited_client(cca_sco)
    member = MemberFactory()
    search(client, "sco", member, CCA_SCO)  # warm: session, user, plan caches
    with CaptureQueriesContext(connection) as queries:
        search(client, "sco", member, CCA_SCO)
    audit = [q["sql"] for q in queries if "audit_auditevent" in q["sql"]]
    assert len(audit) == 1 and audit[0].startswith("INSERT INTO")
