"""The seed's three walks through the pages, each step by its own role, with its history."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from crm_tracker.models import Case, CaseHistory, CaseType, SupervisorAssignment
from crm_tracker.services import case_intake, case_mmis_record, case_outreach, case_vet
from crm_tracker.workflow import (
    MONITOR_QUEUE,
    OUTREACH_QUEUE,
    QC_QUEUE,
    TRANSITIONS,
    Move,
    may_move,
    move_open,
    waiting_in,
)
from posc import clock
from posc.exceptions import DomainError, InvalidTransition
from tests.crm_tracker.helpers import NOW, TODAY, intake_kwargs, intake_post, intake_taxonomy
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _intake(csr) -> Case:
    """Open a case with the intake page (on the clock the pages read)."""
    response = _login(csr).post(reverse("crm_tracker:case_intake", args=["for-cause-reason"]),
                                intake_post(CaseType.FOR_CAUSE, for_cause_reason="HOMELESS"))
    assert response.status_code == 302
    return Case.objects.get()


def _state(case: Case) -> tuple:
    case.refresh_from_db()
    return (case.disposition.name, case.status.name, str(case.owner),
            case.work_queue.name if case.work_queue else None)


def _vet(qc, case: Case, result: str, reason: str = "Vetted against MMIS screen 9."):
    client = _login(qc)
    queue = client.get(reverse("crm_tracker:qc_queue")).content.decode()
    assert _listed(case, queue)
    page = client.get(case.get_absolute_url()).content.decode()
    assert ">QC Vetting</a>" in page
    response = client.post(reverse("crm_tracker:case_vet", args=[case.number]),
                           {"result": result, "reason": reason})
    assert response.status_code == 302, response.content.decode()[-3000:]


def _listed(case: Case, html: str) -> bool:
    """Return True when the page lists *case* (its case-number link)."""
    return f'">{case.number}</a>' in html


def _history_fields(case: Case, since: int) -> set[str]:
    return set(case.history.filter(pk__gt=since).values_list("field", flat=True))


def _last_history(case: Case) -> int:
    return case.history.order_by("-pk").values_list("pk", flat=True).first()


def test_intake_qc_true_state_monitor_processed(csr, qc, monitor, supervisor):
    case = _intake(csr)
    assert _state(case) == ("Plan Selected in Error", "Escalated", "MHBE CRM Escalations",
                            "MCO Tracker QC")
    mark = _last_history(case)
    _vet(qc, case, "true")
    assert _state(case) == ("Plan Selection Corrected", "Closed", "MHBE CRM Unassigned",
                            "State Monitor")
    assert {"sub_category", "disposition", "status", "owner_queue", "work_queue", "vetting",
            "vetting_reason", "closed_at"} <= _history_fields(case, mark)
    client = _login(monitor)
    assert _listed(case, client.get(reverse("crm_tracker:monitor_queue")).content.decode())
    assert ">MMIS Processing</a>" in client.get(case.get_absolute_url()).content.decode()
    mark = _last_history(case)
    today = clock.today()  # the page's today: the case was opened by the clock too
    response = client.post(reverse("crm_tracker:case_mmis", args=[case.number]),
                           {"result": "processed", "processed_on": today.strftime("%m/%d/%Y")})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.mmis_result, case.mmis_processed_on, case.work_queue) == (
        "PROCESSED", today, None)
    assert {"mmis_result", "mmis_processed_on", "work_queue"} == _history_fields(case, mark)
    assert not _listed(case, client.get(reverse("crm_tracker:monitor_queue")).content.decode())


def test_intake_qc_false_supervisor_two_attempts(csr, qc, supervisor):
    case = _intake(csr)
    _vet(qc, case, "false", "Auto-assigned within 90 days; HBX can change it.")
    assert _state(case) == ("Outreach Required", "Closed", "MHBE CRM Unassigned",
                            "Supervisor Outreach")
    assert case.outreach_supervisor == supervisor
    client = _login(supervisor)
    assert _listed(case, client.get(reverse("crm_tracker:outreach_queue")).content.decode())
    assert _listed(case, client.get(reverse("crm_tracker:team_cases")).content.decode())
    page = client.get(case.get_absolute_url()).content.decode()
    assert ">Outreach 1st Attempt</a>" in page
    url = reverse("crm_tracker:case_outreach", args=[case.number])
    assert 'name="attempt" value="1"' in client.get(url).content.decode()
    first = {"documentation": "Called 617-555-0100, left voicemail.", "attempt": "1",
             "outcome": "LEFT_MESSAGE", "contact": "617-555-0100"}
    assert client.post(url, first).status_code == 302
    assert _state(case) == ("Outreach 1st Attempt", "Escalated", "MHBE CRM Unassigned",
                            "Supervisor Outreach")
    # The 1st attempt's page posted again (a double-click) does not record the 2nd.
    again = client.post(url, first)
    assert again.status_code == 200
    assert "Outreach attempt 1 is already recorded on this case." in again.content.decode()
    assert _state(case)[0] == "Outreach 1st Attempt"
    assert ">Outreach 2nd Attempt</a>" in client.get(case.get_absolute_url()).content.decode()
    mark = _last_history(case)
    assert client.post(url, {"documentation": "Called again, no answer.", "attempt": "2",
                             "outcome": "NO_ANSWER", "contact": "617-555-0100"}
                       ).status_code == 302
    assert _state(case) == ("Outreach Max Attempts", "Closed", "MHBE CRM Unassigned", None)
    assert case.outreach_first_notes.startswith("Called 617")
    assert case.outreach_second_notes == "Called again, no answer."
    assert {"disposition", "status", "work_queue", "outreach_second_notes",
            "outreach_attempts", "closed_at"} <= _history_fields(case, mark)
    with pytest.raises(InvalidTransition) as refused:
        case_outreach(now=clock.now(), case=case, documentation="A third?", actor=supervisor)
    assert refused.value.code == "MAX_ATTEMPTS"


def test_true_not_processed_back_to_qc_then_outreach(csr, qc, monitor, supervisor):
    case = _intake(csr)
    _vet(qc, case, "true")
    response = _login(monitor).post(reverse("crm_tracker:case_mmis", args=[case.number]),
                                    {"result": "not_processed",
                                     "reason": "MMIS shows a newer MCO span."})
    assert response.status_code == 302
    assert _state(case)[3] == "MCO Tracker QC"
    assert case.mmis_result == "NOT_PROCESSED"
    # QC can only relabel it for Supervisor outreach now.
    with pytest.raises(InvalidTransition) as refused:
        case_vet(now=clock.now(), case=case, true_case=True, reason="again", actor=qc)
    assert refused.value.code == "NOT_PROCESSED_TO_OUTREACH"
    vet_page = _login(qc).get(reverse("crm_tracker:case_vet", args=[case.number]))
    assert list(vet_page.context["form"].fields["result"].choices) == [
        ("false", "False tracker case")]
    _vet(qc, case, "false", "Not processed by the State Monitor.")
    assert _state(case) == ("Outreach Required", "Closed", "MHBE CRM Unassigned",
                            "Supervisor Outreach")
    rows = case.history.filter(field="vetting").values_list("old_value", "new_value")
    assert list(rows) == [("", "True tracker case"), ("True tracker case", "False tracker case")]
    case_outreach(now=clock.now(), case=case, documentation="Reached the consumer.",
                  actor=supervisor)
    assert _state(case)[0] == "Outreach 1st Attempt"


def test_each_step_refuses_a_case_in_another_queue(new_case, qc, monitor, supervisor):
    case = new_case()
    with pytest.raises(InvalidTransition) as refused:
        case_mmis_record(now=NOW, case=case, processed=True, processed_on=TODAY,
                         reason="", actor=monitor, today=TODAY)
    assert refused.value.code == "INVALID_TRANSITION"
    with pytest.raises(InvalidTransition) as refused:
        case_outreach(now=NOW, case=case, documentation="x", actor=supervisor)
    assert refused.value.code == "INVALID_TRANSITION"
    case_vet(now=NOW, case=case, true_case=True, reason="ok", actor=qc)
    with pytest.raises(InvalidTransition) as refused:
        case_vet(now=NOW, case=case, true_case=False, reason="twice", actor=qc)
    assert refused.value.code == "INVALID_TRANSITION"


def test_the_transition_table_is_the_walk(new_case, qc, monitor, supervisor):
    """Each move starts where the table says, leads where it says, and needs its role."""
    def made(move, case, before):
        transition = TRANSITIONS[move]
        assert before == transition.source
        assert waiting_in(case) in {target or "" for target in transition.targets}

    case = new_case()
    made(Move.INTAKE, case, None)
    assert [m for m in TRANSITIONS if move_open(case, m)] == [Move.VET]
    assert may_move(case, Move.VET, qc) and not may_move(case, Move.VET, monitor)
    case = case_vet(now=NOW, case=case, true_case=True, reason="ok", actor=qc)
    made(Move.VET, case, QC_QUEUE)
    assert [m for m in TRANSITIONS if move_open(case, m)] == [Move.MMIS_RESULT]
    case = case_mmis_record(now=NOW, case=case, processed=False, processed_on=None,
                            reason="No span.", actor=monitor, today=TODAY)
    made(Move.MMIS_RESULT, case, MONITOR_QUEUE)
    case = case_vet(now=NOW, case=case, true_case=False, reason="not processed", actor=qc)
    assert [m for m in TRANSITIONS if move_open(case, m)] == [Move.OUTREACH_FIRST]
    assert may_move(case, Move.OUTREACH_FIRST, supervisor)
    assert not may_move(case, Move.OUTREACH_FIRST, qc)
    for move in (Move.OUTREACH_FIRST, Move.OUTREACH_MAX):
        case = case_outreach(now=NOW, case=case, documentation="Called.", actor=supervisor)
        made(move, case, OUTREACH_QUEUE)
    assert not [m for m in TRANSITIONS if move_open(case, m)]
    assert case.status.is_closed


def test_mmis_date_rules(true_case, monitor):
    today = TODAY  # the day the case was opened (NOW), given to the service
    for day, code in ((today.replace(year=today.year + 1), "DATE_FUTURE"),
                      (today.replace(year=today.year - 1), "DATE_BEFORE_CASE"),
                      (None, "DATE_REQUIRED")):
        with pytest.raises(DomainError) as refused:
            case_mmis_record(now=NOW, case=true_case, processed=True, processed_on=day, reason="",
                             actor=monitor, today=today)
        assert refused.value.code == code
    with pytest.raises(DomainError) as refused:
        case_mmis_record(now=NOW, case=true_case, processed=False, processed_on=None, reason=" ",
                         actor=monitor, today=today)
    assert refused.value.code == "REASON_REQUIRED"
    true_case.refresh_from_db()
    assert true_case.mmis_result == "" and true_case.work_queue.name == "State Monitor"


def test_false_vetting_needs_the_csrs_supervisor(new_case, qc):
    case = new_case()
    assert not SupervisorAssignment.objects.exists()
    with pytest.raises(DomainError) as refused:
        case_vet(now=NOW, case=case, true_case=False, reason="not a tracker case", actor=qc)
    assert refused.value.code == "NO_SUPERVISOR"
    assert not CaseHistory.objects.filter(case=case, field="vetting").exists()


def test_another_supervisor_cannot_do_the_outreach(new_case, qc, supervisor, taxonomy):
    from django.core.exceptions import PermissionDenied

    from tests.factories import UserFactory

    other = UserFactory(username="other.supervisor")
    other.groups.add(taxonomy["Supervisor"])
    case = case_vet(now=NOW, case=new_case(), true_case=False, reason="no", actor=qc)
    with pytest.raises(PermissionDenied):
        case_outreach(now=NOW, case=case, documentation="x", actor=other)
    assert not _listed(case, _login(other).get(
        reverse("crm_tracker:outreach_queue")).content.decode())
    assert _login(other).get(case.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("role,allowed", [
    ("csr", {"home", "case_list", "case_new", "case_intake"}),
    ("qc", {"home", "case_list", "qc_queue", "qc_report", "qc_report_export", "reports"}),
    ("monitor", {"home", "case_list", "monitor_queue", "monitor_export"}),
    ("supervisor", {"home", "case_list", "outreach_queue", "team_cases", "reports"}),
    ("ops", set()),
])
def test_each_role_reaches_only_its_pages(request, role, allowed):
    user = request.getfixturevalue(role)
    client = _login(user)
    urls = {
        "home": reverse("crm_tracker:home"), "case_list": reverse("crm_tracker:case_list"),
        "case_new": reverse("crm_tracker:case_new"),
        "case_intake": reverse("crm_tracker:case_intake", args=["mct-span"]),
        "qc_queue": reverse("crm_tracker:qc_queue"), "qc_report": reverse("crm_tracker:qc_report"),
        "qc_report_export": reverse("crm_tracker:qc_report_export", args=["csv"]),
        "monitor_queue": reverse("crm_tracker:monitor_queue"),
        "monitor_export": reverse("crm_tracker:monitor_export", args=["csv"]),
        "outreach_queue": reverse("crm_tracker:outreach_queue"),
        "team_cases": reverse("crm_tracker:team_cases"), "reports": reverse("crm_tracker:reports"),
    }
    got = {name for name, url in urls.items() if client.get(url).status_code == 200}
    assert got == allowed
    refused = {name for name, url in urls.items() if client.get(url).status_code == 403}
    assert refused == set(urls) - allowed
    home = client.get(reverse("home")).content.decode()
    assert ("MCO Manual Tracker</a>" in home) == bool(allowed)


def test_csr_sees_only_own_cases(new_case, csr, taxonomy):
    from crm_tracker.services import case_intake
    from tests.factories import UserFactory

    other_csr = UserFactory(username="csr2")
    other_csr.groups.add(taxonomy["CSR"])
    mine = new_case()
    theirs = case_intake(**intake_kwargs(actor=other_csr))
    client = _login(csr)
    listing = client.get(reverse("crm_tracker:case_list")).content.decode()
    assert _listed(mine, listing) and not _listed(theirs, listing)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.post(reverse("crm_tracker:case_vet", args=[mine.number]),
                       {"result": "true", "reason": "x"}).status_code == 403


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("crm_tracker:home"))
    assert response.status_code == 302 and "/login/" in response.url


def test_intake_taxonomy_defaults_follow_the_case_type(csr, client_for):
    form = client_for(csr).get(reverse("crm_tracker:case_intake", args=["angela-melody"])
                               ).context["form"]
    expected = intake_taxonomy(CaseType.ANGELA_MELODY)
    assert form["disposition"].initial == expected["disposition"].pk
    assert form["sub_category"].initial == expected["sub_category"].pk


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_of_one_intake_page_open_one_case(csr):
    token = uuid.uuid4()
    kwargs = intake_kwargs(actor=csr, submission_token=token)
    numbers = run_in_threads(6, lambda i: case_intake(**kwargs).number)
    assert len(set(numbers)) == 1 and Case.objects.count() == 1
