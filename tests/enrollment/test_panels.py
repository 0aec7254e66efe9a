"""The SCO and One Care job aids (seeds 000–002), walked through the test client."""

import datetime
import re

import pytest
from django.urls import reverse

from enrollment.models import EnrollmentTransaction
from posc import clock
from posc.members.demo import CCA_ONE_CARE, CCA_SCO, FALLON_SCO, TUFTS_ONE_CARE
from posc.members.models import County, EnrollmentSpan, Plan
from posc.mmis.dates import disenrollment_effective_date, enrollment_effective_date
from tests.enrollment.helpers import (
    disenroll,
    enroll,
    panel_open,
    reach_certification,
    reach_disenrollment,
    search,
)
from tests.factories import MemberFactory, SpanFactory

pytestmark = pytest.mark.django_db


def url(name: str, slug: str = "sco", **kwargs) -> str:
    return reverse(f"enrollment:{name}", kwargs={"program": slug, **kwargs})


def opens(response, name: str, slug: str = "sco") -> bool:
    """Return True when *response* sends the clerk to panel *name* of a flow of *slug*."""
    location = response["Location"] if response.status_code == 302 else ""
    match = re.fullmatch(rf"/enrollment/{slug}/flow/([-\w]+)/{name}/", location)
    return bool(match) and location == url(name, slug, flow=match[1])


def one_care_member(**kwargs):
    return MemberFactory(date_of_birth=datetime.date(1985, 3, 9), rating_category="C2A",
                         coverage_type="COMMONHEALTH", county=County.WORCESTER, **kwargs)


class TestNavigation:
    def test_left_menu_follows_job_aid_steps_1_to_3(self, client_for, cca_sco):
        client = client_for(cca_sco)
        home = client.get(reverse("home")).content.decode()
        for words in ("Home", "Manage Members", "Enrollment", "Enroll/Disenroll SCO Members"):
            assert f">{words}</a>" in home
        assert "Enroll/Disenroll One Care Members" not in home
        assert client.get(reverse("enrollment:manage_members")).status_code == 200
        enrollment_page = client.get(reverse("enrollment:enrollment")).content.decode()
        assert "<h1>Enrollment</h1>" in enrollment_page
        assert f'href="{url("search")}">Enroll/Disenroll SCO Members</a>' in enrollment_page

    def test_users_without_a_program_get_403_and_no_menu_entry(self, client_for, ops_user,
                                                               reference_data):
        client = client_for(ops_user)
        assert "Manage Members" not in client.get(reverse("home")).content.decode()
        assert client.get(url("search")).status_code == 403
        for name in ("verification", "certification", "disenrollment"):
            assert client.get(url(name, flow="any")).status_code == 403
        assert client.get(reverse("enrollment:enrollment")).status_code == 403

    def test_sco_staff_cannot_open_one_care_panels(self, client_for, cca_sco):
        assert client_for(cca_sco).get(url("search", "one-care")).status_code == 403

    def test_anonymous_users_are_sent_to_login(self, client, reference_data):
        response = client.get(url("search"))
        assert response.status_code == 302 and response["Location"].startswith("/login/")


class TestMemberSearch:
    def test_panel_words_and_provider_id_default(self, client_for, cca_sco):
        html = client_for(cca_sco).get(url("search")).content.decode()
        assert "<h1>Member Search</h1>" in html
        positions = [html.index(f'>{label}<span class="req"') for label in
                     ("Provider ID", "Member ID", "Last Name", "First Name")]
        assert positions == sorted(positions)  # ui.md: fields in this order
        assert f'value="{CCA_SCO}"' in html
        assert ">Search</button>" in html

    def test_required_fields_each_get_their_own_message(self, client_for, cca_sco):
        response = client_for(cca_sco).post(url("search"), {"provider_id": CCA_SCO})
        html = response.content.decode()
        for message in ("Enter the Member ID.", "Enter the member&#x27;s Last Name.",
                        "Enter the member&#x27;s First Name."):
            assert html.count(message) == 2  # in the summary and beside the field
        assert 'href="#id_member_id"' in html

    def test_malformed_member_id(self, client_for, cca_sco):
        member = MemberFactory()
        response = search(client_for(cca_sco), "sco", member, CCA_SCO, member_id="12345")
        assert "Enter a 12-digit Member ID." in response.content.decode()

    def test_no_match_reveals_nothing(self, client_for, cca_sco):
        member = MemberFactory(first_name="HONORIA", last_name="EXAMPLETON")
        response = search(client_for(cca_sco), "sco", member, CCA_SCO, first_name="HONORIO")
        html = response.content.decode()
        assert "NO_MATCH" in html
        assert "EXAMPLETON" in html  # only as the user typed it back into the field
        assert html.count("EXAMPLETON") == 1
        assert member.date_of_birth.strftime("%m/%d/%Y") not in html

    def test_names_match_ignoring_case_and_spaces(self, client_for, cca_sco):
        member = MemberFactory(first_name="ROSA", last_name="EXAMPLE")
        response = search(client_for(cca_sco), "sco", member, CCA_SCO,
                          first_name="  rosa ", last_name="Example")
        assert opens(response, "verification")

    def test_other_plans_provider_id_is_refused(self, client_for, cca_sco):
        member = MemberFactory()
        response = search(client_for(cca_sco), "sco", member, FALLON_SCO)
        assert "PROVIDER" in response.content.decode()

    def test_ineligible_member_gets_code_and_sentence(self, client_for, cca_sco):
        member = MemberFactory(date_of_birth=datetime.date(1990, 1, 1), esrd=True)
        html = search(client_for(cca_sco), "sco", member, CCA_SCO).content.decode()
        assert "AGE" in html and "ESRD" in html
        assert not EnrollmentTransaction.objects.exists()  # searches are not Submits

    def test_member_of_this_plan_goes_to_disenrollment(self, client_for, cca_sco):
        span = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO))
        response = search(client_for(cca_sco), "sco", span.member, CCA_SCO)
        assert opens(response, "disenrollment")


class TestScoEnrollmentJobAid:
    """Job aid 001, steps 4–14."""

    def test_walk(self, client_for, cca_sco):
        client = client_for(cca_sco)
        member = MemberFactory(first_name="MARGARET", last_name="SAMPLEFORD", county="Norfolk",
                               rating_category="CNHC")
        effective = enrollment_effective_date(clock.today())
        found = search(client, "sco", member, CCA_SCO)
        assert opens(found, "verification")

        html = client.get(found["Location"]).content.decode()
        assert "<h1>Verification</h1>" in html
        for shown in ("MARGARET", "SAMPLEFORD", member.member_id,
                      member.date_of_birth.strftime("%m/%d/%Y"), "SCO-CNHC-GB",
                      "Community Nursing Home Certifiable", effective.strftime("%m/%d/%Y")):
            assert shown in html
        verification = panel_open(client, found["Location"])
        response = client.post(verification.url, verification.data())
        assert opens(response, "certification")

        html = client.get(response["Location"]).content.decode()
        assert "<h1>Certification</h1>" in html
        assert "I certify that the member has a MassHealth enrollment package on file." in html
        panel = panel_open(client, response["Location"])
        refused = client.post(panel.url, panel.data())
        assert "Select the Certification checkbox" in refused.content.decode()
        assert not EnrollmentTransaction.objects.exists()

        response = client.post(panel.url, panel.data(certify="on"))
        txn = EnrollmentTransaction.objects.get()
        assert response["Location"] == url("confirmation", reference=txn.reference)
        html = client.get(response["Location"]).content.decode()
        assert "<h1>Confirmation</h1>" in html and "Enrollment validated by MMIS" in html
        assert txn.reference in html and effective.strftime("%m/%d/%Y") in html
        assert "834 batch file" in html and "Enroll/Disenroll Another Member" in html
        assert txn.accepted and txn.effective_date == effective
        assert txn.rate_cell.code == "SCO-CNHC-GB"
        span = EnrollmentSpan.objects.get(member=member)
        assert (span.plan.provider_id, span.start_date, span.end_date) == (CCA_SCO, effective, None)

        # Enroll/Disenroll Another Member: an empty Member Search panel of the same program.
        again = client.get(url("search")).content.decode()
        assert "<h1>Member Search</h1>" in again and member.member_id not in again

    def test_repost_and_reload_make_one_transaction(self, client_for, cca_sco):
        client = client_for(cca_sco)
        member = MemberFactory()
        panel = reach_certification(client, "sco", member, CCA_SCO)
        first = client.post(panel.url, panel.data(certify="on"))
        second = client.post(panel.url, panel.data(certify="on"))
        assert first["Location"] == second["Location"]
        assert client.get(first["Location"]).status_code == 200
        assert client.get(first["Location"]).status_code == 200
        assert EnrollmentTransaction.objects.count() == 1

    def test_rejection_at_submit_is_shown_on_the_same_panel(self, client_for, cca_sco):
        client = client_for(cca_sco)
        member = MemberFactory()
        panel = reach_certification(client, "sco", member, CCA_SCO)
        member.date_of_death = datetime.date(2020, 1, 1)  # the feed changed meanwhile
        member.save()
        response = client.post(panel.url, panel.data(certify="on"))
        html = response.content.decode()
        assert response.status_code == 200 and "<h1>Certification</h1>" in html
        assert "DECEASED" in html
        txn = EnrollmentTransaction.objects.get()
        assert txn.status == "REJECTED" and txn.codes == ["DECEASED"]
        assert not EnrollmentSpan.objects.filter(member=member).exists()

    def test_later_panels_need_the_earlier_ones(self, client_for, cca_sco):
        client = client_for(cca_sco)
        for name in ("verification", "certification", "disenrollment"):
            assert client.get(url(name, flow="none"))["Location"] == url("search")
        assert client.post(url("certification", flow="none"),
                           {"certify": "on"})["Location"] == url("search")
        # A Disenrollment flow's address with another panel's name leads to its own panel.
        span = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO))
        flow_url = search(client, "sco", span.member, CCA_SCO)["Location"]
        wrong = flow_url.replace("/disenrollment/", "/certification/")
        assert client.get(wrong)["Location"] == flow_url

    def test_another_plans_confirmation_is_not_found(self, client_for, cca_sco, fallon_sco):
        response = enroll(client_for(cca_sco), "sco", MemberFactory(), CCA_SCO)
        assert client_for(fallon_sco).get(response["Location"]).status_code == 404


class TestScoDisenrollmentJobAid:
    """Job aid 000, steps 4–12."""

    def test_walk(self, client_for, cca_sco):
        client = client_for(cca_sco)
        span = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO),
                           start_date=datetime.date(2024, 3, 1))
        member = span.member
        found = search(client, "sco", member, CCA_SCO)
        assert opens(found, "disenrollment")
        html = client.get(found["Location"]).content.decode()
        assert "<h1>Disenrollment</h1>" in html
        for shown in (member.first_name, member.last_name, member.member_id,
                      "Commonwealth Care Alliance SCO", "03/01/2024", "Disenrollment Reason"):
            assert shown in html
        panel = panel_open(client, found["Location"])
        refused = client.post(panel.url, panel.data())
        assert "Select the Disenrollment Reason." in refused.content.decode()

        response = client.post(panel.url, panel.data(reason="MOVED_OOA"))
        txn = EnrollmentTransaction.objects.get()
        html = client.get(response["Location"]).content.decode()
        end = disenrollment_effective_date(clock.today())
        assert "<h1>Disenrollment Confirmation</h1>" in html
        assert "Disenrollment validated by MMIS" in html and txn.reference in html
        assert end.strftime("%m/%d/%Y") in html and "834 batch file" in html
        span.refresh_from_db()
        assert span.end_date == end and not span.cancelled
        assert txn.loop_x12.startswith("INS*Y*18*024*43*")

        # Searching again: DUPLICATE with the date the enrollment ends.
        html = search(client, "sco", member, CCA_SCO).content.decode()
        assert "DUPLICATE" in html and end.strftime("%m/%d/%Y") in html

    def test_disenrolling_before_the_start_cancels(self, client_for, cca_sco):
        client = client_for(cca_sco)
        member = MemberFactory()
        enroll(client, "sco", member, CCA_SCO)
        response = disenroll(client, "sco", member, CCA_SCO, reason="ADMIN_ERR")
        txn = EnrollmentTransaction.objects.get(kind="DISENROLL")
        span = EnrollmentSpan.objects.get(member=member)
        assert span.cancelled and span.end_date == span.start_date == txn.effective_date
        assert txn.cancellation
        assert "cancelled" in client.get(response["Location"]).content.decode()

    def test_reason_must_be_from_the_list(self, client_for, cca_sco):
        client = client_for(cca_sco)
        span = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO))
        panel = reach_disenrollment(client, "sco", span.member, CCA_SCO)
        html = client.post(panel.url, panel.data(reason="BOGUS"))
        assert "Select a Disenrollment Reason from the list." in html.content.decode()
        assert not EnrollmentTransaction.objects.exists()


class TestOneCareJobAids:
    """One Care enroll (001 with One Care's rules) and disenroll (002)."""

    def test_enroll_then_disenroll(self, client_for, cca_onecare):
        client = client_for(cca_onecare)
        member = one_care_member()
        response = enroll(client, "one-care", member, CCA_ONE_CARE)
        txn = EnrollmentTransaction.objects.get()
        assert txn.accepted and txn.rate_cell.code == "OC-C2A-RS"
        assert "Enrollment validated by MMIS" in client.get(response["Location"]).content.decode()
        response = disenroll(client, "one-care", member, CCA_ONE_CARE)
        dis = EnrollmentTransaction.objects.latest("pk")
        assert dis.reference.startswith("DIS-") and dis.accepted
        assert response["Location"] == url("confirmation", "one-care", reference=dis.reference)

    def test_disenroll_current_member(self, client_for, cca_onecare):
        client = client_for(cca_onecare)
        span = SpanFactory(plan=Plan.objects.get(provider_id=CCA_ONE_CARE),
                           member=one_care_member())
        response = disenroll(client, "one-care", span.member, CCA_ONE_CARE, reason="DEATH")
        html = client.get(response["Location"]).content.decode()
        assert "Disenrollment validated by MMIS" in html
        assert EnrollmentTransaction.objects.get().loop_x12.startswith("INS*Y*18*024*03*")

    def test_member_enrolled_elsewhere_is_already_enrolled(self, client_for, cca_onecare):
        span = SpanFactory(plan=Plan.objects.get(provider_id=TUFTS_ONE_CARE),
                           member=one_care_member())
        html = search(client_for(cca_onecare), "one-care", span.member,
                      CCA_ONE_CARE).content.decode()
        assert "ALREADY_ENROLLED" in html
