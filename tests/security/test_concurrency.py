"""Issue 6 item 5: fifty clerks, or one clerk's fifty clicks, submitting one request at once.

Real threads on real PostgreSQL, through the whole HTTP stack (sessions, middleware, the
panel views): every thread has its own test Client and database connection, waits at a
barrier, then posts the Submit of the Certification or Disenrollment panel. Each scenario
is run RUNS times, each time on a new member.
"""

import datetime
import uuid

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from enrollment.models import BatchEntry, EnrollmentTransaction
from enrollment.panel import PanelFlows, page_seal
from posc.members.demo import CCA_SCO
from posc.members.models import EnrollmentSpan, Plan, Program
from tests.enrollment.helpers import Panel, reach_certification, reach_disenrollment
from tests.factories import MemberFactory, SpanFactory
from tests.helpers import provider_user
from tests.threads import run_in_threads

THREADS = 50  # PostgreSQL allows 100 connections: 50 threads, the test's own, and others
RUNS = 3

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def url(panel: str, **kwargs) -> str:
    return reverse(f"enrollment:{panel}", kwargs={"program": "sco", **kwargs})


def race(clients: list[Client], panel: Panel, forms: list[dict]) -> list:
    """Post *forms* to *panel*'s address from every client at once; return the responses."""

    def post(i: int):
        try:
            return clients[i].post(panel.url, forms[i])
        except Exception as exc:  # noqa: BLE001  a view's exception: reported, not hidden
            return exc

    return run_in_threads(len(clients), post)


def assert_no_server_error(responses: list) -> None:
    errors = [r for r in responses if isinstance(r, Exception) or r.status_code >= 500]
    assert not errors, errors[:3]


def clerks(count: int) -> list[Client]:
    """Return *count* clients, each signed in as its own clerk of CCA's SCO plan."""
    clients = []
    for i in range(count):
        client = Client()
        client.force_login(provider_user(f"cca.sco.{i}", CCA_SCO))
        clients.append(client)
    return clients


def panel_copied(walked: Client, clients: list[Client], panel: Panel) -> list[dict]:
    """Give *clients* the flow of *panel* that *walked* reached; return their pages' forms.

    Only the first clerk walks Member Search and Verification (fifty walks per run would
    take most of the test's time); the others get the same flow at the same address, each
    with its own token and page seal.
    """
    flow_id = panel.url.split("/flow/")[1].split("/")[0]
    state = {k: v for k, v in PanelFlows(walked.session, Program.SCO).get(flow_id).data.items()
             if k != "token"}
    forms = []
    for client in clients:
        session = client.session
        flows = PanelFlows(session, Program.SCO)
        session[flows.key] = {flow_id: {**state, "token": str(uuid.uuid4())}}
        session.save()
        flow = flows.get(flow_id)
        forms.append({"token": flow.get("token"),
                      "seal": page_seal(user_pk=int(session["_auth_user_id"]), flow=flow)})
    return forms


def same_session(client: Client, count: int) -> list[Client]:
    """Return *count* clients sharing *client*'s session cookie (one browser, many clicks)."""
    copies = []
    for _ in range(count):
        copy = Client()
        copy.cookies.load({name: morsel.value for name, morsel in client.cookies.items()})
        copies.append(copy)
    return copies


def assert_one_winner(responses: list, member, kind: str) -> EnrollmentTransaction:
    """Exactly one accepted transaction; every other clerk sees MMIS's DUPLICATE on the panel."""
    assert_no_server_error(responses)
    accepted = EnrollmentTransaction.objects.get(member=member, kind=kind, status="ACCEPTED")
    confirmation = url("confirmation", reference=accepted.reference)
    winners = [r for r in responses if r.status_code == 302]
    assert [r["Location"] for r in winners] == [confirmation]
    refused = [r for r in responses if r.status_code == 200]
    assert len(refused) == THREADS - 1
    for response in refused:
        html = response.content.decode()
        assert "MMIS rejected the request" in html and "DUPLICATE" in html
    rejected = EnrollmentTransaction.objects.filter(member=member, status="REJECTED")
    assert list(rejected.values_list("codes", flat=True)) == [["DUPLICATE"]] * (THREADS - 1)
    assert BatchEntry.objects.filter(transaction__member=member).count() == 1
    assert len(mail.outbox) <= 1  # a refused request sends nothing (Submit sends none today)
    return accepted


def assert_one_answer(responses: list, member) -> EnrollmentTransaction:
    """One transaction, and every click is sent to its confirmation."""
    assert_no_server_error(responses)
    txn = EnrollmentTransaction.objects.get(member=member)
    assert txn.accepted
    locations = {r["Location"] if r.status_code == 302 else r.status_code for r in responses}
    assert locations == {url("confirmation", reference=txn.reference)}
    assert BatchEntry.objects.filter(transaction__member=member).count() == 1
    return txn


class TestFiftyClerksAtOnce:
    def test_enrollment_is_accepted_once(self, reference_data):
        clients = clerks(THREADS)
        for _ in range(RUNS):
            member = MemberFactory()
            panel = reach_certification(clients[0], "sco", member, CCA_SCO)
            forms = panel_copied(clients[0], clients, panel)
            responses = race(clients, panel, [{**f, "certify": "on"} for f in forms])
            accepted = assert_one_winner(responses, member, "ENROLL")
            assert EnrollmentSpan.objects.filter(member=member).count() == 1
            assert accepted.span.start_date == accepted.effective_date

    def test_disenrollment_is_accepted_once(self, reference_data):
        clients = clerks(THREADS)
        for _ in range(RUNS):
            span = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO),
                               start_date=datetime.date(2024, 1, 1))
            panel = reach_disenrollment(clients[0], "sco", span.member, CCA_SCO)
            forms = panel_copied(clients[0], clients, panel)
            responses = race(clients, panel, [{**f, "reason": "MBR_REQ"} for f in forms])
            accepted = assert_one_winner(responses, span.member, "DISENROLL")
            span.refresh_from_db()
            assert span.end_date == accepted.effective_date and accepted.span_id == span.pk


class TestOneFormPostedFiftyTimes:
    def test_enrollment_gives_one_transaction(self, cca_sco):
        for _ in range(RUNS):
            member = MemberFactory()
            first = Client()
            first.force_login(cca_sco)
            panel = reach_certification(first, "sco", member, CCA_SCO)
            token = panel.token
            responses = race(same_session(first, THREADS), panel,
                             [panel.data(certify="on")] * THREADS)
            txn = assert_one_answer(responses, member)
            assert str(txn.token) == token
            page = first.get(url("confirmation", reference=txn.reference))
            assert page.status_code == 200 and txn.reference in page.content.decode()

    def test_disenrollment_gives_one_transaction(self, cca_sco):
        for _ in range(RUNS):
            span = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO),
                               start_date=datetime.date(2024, 1, 1))
            first = Client()
            first.force_login(cca_sco)
            panel = reach_disenrollment(first, "sco", span.member, CCA_SCO)
            token = panel.token
            assert uuid.UUID(token)
            responses = race(same_session(first, THREADS), panel,
                             [panel.data(reason="MBR_REQ")] * THREADS)
            txn = assert_one_answer(responses, span.member)
            assert txn.kind == "DISENROLL" and str(txn.token) == token
