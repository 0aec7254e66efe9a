"""Issue 12 §1: one panel flow per tab; each Submit acts on the member of its own page.

One test client is one browser: its tabs share the session cookie. Each "tab" here is the
panel a Member Search opened (its address and the page's form), posted later, after other
tabs searched other members, exactly as a clerk with several tabs would. Before the fix
the panel state was one session entry per program, and the last search won.
"""

import datetime

import pytest
from django.urls import reverse

from enrollment.models import EnrollmentTransaction
from enrollment.panel import MAX_FLOWS
from posc.members.demo import CCA_ONE_CARE, CCA_SCO
from posc.members.models import County, EnrollmentSpan, Plan
from tests.enrollment.helpers import (
    reach_certification,
    reach_disenrollment,
    reach_verification,
    search,
)
from tests.factories import MemberFactory, SpanFactory
from tests.helpers import provider_user

pytestmark = pytest.mark.django_db

PLANS = {"sco": CCA_SCO, "one-care": CCA_ONE_CARE}


def url(name: str, slug: str = "sco", **kwargs) -> str:
    return reverse(f"enrollment:{name}", kwargs={"program": slug, **kwargs})


def member(slug: str, last_name: str, first_name: str):
    """Return a member eligible for *slug*'s CCA plan, with the names of the issue's repro."""
    if slug == "sco":
        return MemberFactory(last_name=last_name, first_name=first_name)
    return MemberFactory(last_name=last_name, first_name=first_name,
                         date_of_birth=datetime.date(1985, 3, 9),
                         rating_category="C2A", coverage_type="COMMONHEALTH",
                         county=County.WORCESTER)


def enrolled(slug: str, last_name: str, first_name: str):
    """Return a member enrolled with *slug*'s CCA plan since 01/01/2024."""
    return SpanFactory(plan=Plan.objects.get(provider_id=PLANS[slug]),
                       member=member(slug, last_name, first_name)).member


def transactions(of) -> list[tuple[str, str]]:
    return list(EnrollmentTransaction.objects.filter(member=of).order_by("pk")
                .values_list("kind", "status"))


@pytest.fixture
def both(reference_data, client):
    """A clerk of CCA's SCO and One Care plans, signed in (one browser)."""
    client.force_login(provider_user("cca.both", CCA_SCO, CCA_ONE_CARE))
    return client


@pytest.mark.parametrize("slug", ["sco", "one-care"])
def test_disenrollment_submit_acts_on_the_member_of_its_own_tab(both, slug):
    """The issue's repro: tab A shows FAUXLEY, tab B searches MOCKFORD, tab A submits."""
    fauxley, mockford = enrolled(slug, "FAUXLEY", "ALMA"), enrolled(slug, "MOCKFORD", "ALMA")
    tab_a = reach_disenrollment(both, slug, fauxley, PLANS[slug])
    tab_b = reach_disenrollment(both, slug, mockford, PLANS[slug])

    response = both.post(tab_a.url, tab_a.data(reason="DEATH"))
    txn = EnrollmentTransaction.objects.get()
    assert (txn.member, txn.reason, txn.accepted) == (fauxley, "DEATH", True)
    assert response["Location"] == url("confirmation", slug, reference=txn.reference)
    assert transactions(mockford) == []
    assert EnrollmentSpan.objects.get(member=mockford).end_date is None

    # Tab B's page is still open on MOCKFORD and submits for MOCKFORD.
    response = both.post(tab_b.url, tab_b.data(reason="MBR_REQ"))
    assert transactions(mockford) == [("DISENROLL", "ACCEPTED")]
    assert EnrollmentTransaction.objects.get(member=mockford).reason == "MBR_REQ"


@pytest.mark.parametrize("slug", ["sco", "one-care"])
def test_certification_submit_acts_on_the_member_of_its_own_tab(both, slug):
    """Tab A certifies PEARL DEMOWITZ after tab B reached WILMA EXAMPLAR's Certification."""
    pearl, wilma = member(slug, "DEMOWITZ", "PEARL"), member(slug, "EXAMPLAR", "WILMA")
    tab_a = reach_certification(both, slug, pearl, PLANS[slug])
    tab_b = reach_certification(both, slug, wilma, PLANS[slug])

    both.post(tab_a.url, tab_a.data(certify="on"))
    assert transactions(pearl) == [("ENROLL", "ACCEPTED")]
    assert transactions(wilma) == [] and not EnrollmentSpan.objects.filter(member=wilma)

    both.post(tab_b.url, tab_b.data(certify="on"))
    assert transactions(wilma) == [("ENROLL", "ACCEPTED")]


def test_verification_confirm_belongs_to_its_own_tab(both):
    """Confirm on tab A's Verification opens tab A's Certification, showing tab A's member."""
    pearl, wilma = member("sco", "DEMOWITZ", "PEARL"), member("sco", "EXAMPLAR", "WILMA")
    tab_a = reach_verification(both, "sco", pearl, CCA_SCO)
    reach_verification(both, "sco", wilma, CCA_SCO)
    certification = both.post(tab_a.url, tab_a.data())["Location"]
    html = both.get(certification).content.decode()
    assert "DEMOWITZ" in html and "EXAMPLAR" not in html


def test_sco_and_one_care_flows_interleaved(both):
    """Two SCO tabs and a One Care tab, searched in turn, then submitted in another order."""
    sco_a, sco_b = enrolled("sco", "FAUXLEY", "ALMA"), enrolled("sco", "MOCKFORD", "ALMA")
    oc_a = member("one-care", "DEMOWITZ", "PEARL")
    tab_1 = reach_disenrollment(both, "sco", sco_a, CCA_SCO)
    tab_2 = reach_certification(both, "one-care", oc_a, CCA_ONE_CARE)
    tab_3 = reach_disenrollment(both, "sco", sco_b, CCA_SCO)

    both.post(tab_1.url, tab_1.data(reason="DEATH"))
    both.post(tab_2.url, tab_2.data(certify="on"))
    assert transactions(sco_a) == [("DISENROLL", "ACCEPTED")]
    assert transactions(oc_a) == [("ENROLL", "ACCEPTED")]
    assert transactions(sco_b) == []
    both.post(tab_3.url, tab_3.data(reason="MBR_REQ"))
    assert EnrollmentTransaction.objects.get(member=sco_b).reason == "MBR_REQ"
    assert EnrollmentTransaction.objects.get(member=sco_a).reason == "DEATH"


@pytest.mark.parametrize("slug", ["sco", "one-care"])
def test_two_tabs_on_one_member_disenrolling_get_duplicate(both, slug):
    """The second Submit is MMIS's DUPLICATE with the end date, as for two sessions."""
    fauxley = enrolled(slug, "FAUXLEY", "ALMA")
    tab_a = reach_disenrollment(both, slug, fauxley, PLANS[slug])
    tab_b = reach_disenrollment(both, slug, fauxley, PLANS[slug])
    both.post(tab_a.url, tab_a.data(reason="DEATH"))
    end = EnrollmentTransaction.objects.get().effective_date

    response = both.post(tab_b.url, tab_b.data(reason="MBR_REQ"))
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>Disenrollment</h1>" in html
    assert "DUPLICATE" in html and end.strftime("%m/%d/%Y") in html
    assert "Start with the Member Search panel" not in html
    assert transactions(fauxley) == [("DISENROLL", "ACCEPTED"), ("DISENROLL", "REJECTED")]


@pytest.mark.parametrize("slug", ["sco", "one-care"])
def test_two_tabs_on_one_member_enrolling_get_duplicate(both, slug):
    """The second Certification Submit is DUPLICATE with the start date."""
    pearl = member(slug, "DEMOWITZ", "PEARL")
    tab_a = reach_certification(both, slug, pearl, PLANS[slug])
    tab_b = reach_certification(both, slug, pearl, PLANS[slug])
    both.post(tab_a.url, tab_a.data(certify="on"))
    start = EnrollmentSpan.objects.get(member=pearl).start_date

    html = both.post(tab_b.url, tab_b.data(certify="on")).content.decode()
    assert "<h1>Certification</h1>" in html
    assert "DUPLICATE" in html and start.strftime("%m/%d/%Y") in html
    assert EnrollmentSpan.objects.filter(member=pearl).count() == 1


def test_a_page_whose_flow_is_gone_names_its_member_and_writes_nothing(both):
    """Tab A's flow was dropped (the clerk opened MAX_FLOWS panels since): nothing is sent."""
    fauxley = enrolled("sco", "FAUXLEY", "ALMA")
    tab_a = reach_disenrollment(both, "sco", fauxley, CCA_SCO)
    for _ in range(MAX_FLOWS):
        search(both, "sco", enrolled("sco", "MOCKFORD", "ALMA"), CCA_SCO)

    response = both.post(tab_a.url, tab_a.data(reason="DEATH"), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == url("search")
    assert "Nothing was submitted" in html
    assert f"ALMA FAUXLEY (Member ID {fauxley.member_id})" in html
    assert "search for them again on the Member Search panel" in html
    assert not EnrollmentTransaction.objects.exists()


def test_a_page_posted_with_another_tabs_seal_is_refused(both):
    """The page seal ties a form to its flow and member: a mixed-up form writes nothing."""
    fauxley, mockford = enrolled("sco", "FAUXLEY", "ALMA"), enrolled("sco", "MOCKFORD", "ALMA")
    tab_a = reach_disenrollment(both, "sco", fauxley, CCA_SCO)
    tab_b = reach_disenrollment(both, "sco", mockford, CCA_SCO)
    for data in ({"token": tab_a.token, "seal": tab_b.seal}, {"token": tab_a.token},
                 {"token": tab_a.token, "seal": tab_a.seal + "x"}):
        response = both.post(tab_a.url, {**data, "reason": "DEATH"})
        assert response["Location"] == url("search")
    assert not EnrollmentTransaction.objects.exists()


def test_another_users_seal_is_refused(both, cca_sco, client):
    """A seal is its user's: one clerk's page posted in another clerk's session is refused."""
    fauxley = enrolled("sco", "FAUXLEY", "ALMA")
    tab_a = reach_disenrollment(both, "sco", fauxley, CCA_SCO)
    client.force_login(cca_sco)
    own = reach_disenrollment(client, "sco", fauxley, CCA_SCO)
    response = client.post(own.url, {"token": own.token, "seal": tab_a.seal, "reason": "DEATH"})
    assert response["Location"] == url("search")
    assert not EnrollmentTransaction.objects.exists()


def test_a_submitted_flow_leads_to_its_confirmation(both):
    """Reopening a submitted tab's panel says it was submitted and shows its confirmation."""
    fauxley = enrolled("sco", "FAUXLEY", "ALMA")
    tab_a = reach_disenrollment(both, "sco", fauxley, CCA_SCO)
    both.post(tab_a.url, tab_a.data(reason="DEATH"))
    txn = EnrollmentTransaction.objects.get()
    response = both.get(tab_a.url, follow=True)
    assert response.redirect_chain[-1][0] == url("confirmation", reference=txn.reference)
    html = response.content.decode()
    assert f"ALMA FAUXLEY (Member ID {fauxley.member_id}) was already submitted" in html
    # A re-post of the page (its token) is still the stored answer, never a second one.
    again = both.post(tab_a.url, tab_a.data(reason="DEATH"))
    assert again["Location"] == url("confirmation", reference=txn.reference)
    assert EnrollmentTransaction.objects.count() == 1


def test_flows_are_kept_as_text_and_a_session_of_before_still_reads(db):
    """Each flow is JSON text of its own in the session (docs/performance.md: decoding a
    session of thirty flows as objects cost every page); flows kept as objects by a session
    written before still read, and the next change writes them on as they are."""
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    from enrollment.panel import PanelFlows

    session = SessionStore()
    flows = PanelFlows(session, "SCO")
    values = {"action": "ENROLL", "member_id": "100000000001", "member_name": "ANN O’NEIL",
              "primary_id": None, "confirmed": False, "cancellation": True}
    flow = flows.start(**values)
    stored = session["panel-flows:SCO"][flow.id]
    assert isinstance(stored, str)
    assert flows.get(flow.id).data == {**values, "token": flow.get("token")}
    flow.update(confirmed=True)
    assert flows.get(flow.id).get("confirmed") is True
    # Written before: objects, not text.
    session["panel-flows:SCO"] = {"old": {"member_id": "100000000002", "done": ""}}
    assert flows.get("old").data == {"member_id": "100000000002", "done": ""}
    new = flows.start(member_id="100000000003")
    assert session["panel-flows:SCO"]["old"] == {"member_id": "100000000002", "done": ""}
    assert list(session["panel-flows:SCO"]) == ["old", new.id]
    assert flows.get("nope") is None
    # Through the session's own serializer, as a real request would.
    assert SessionStore().decode(session.encode(session._session)) == session._session
