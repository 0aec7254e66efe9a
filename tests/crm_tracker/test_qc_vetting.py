"""QC's day in the queue (issue 13, point 11): details on the vet page, returns marked, bulk.

Bulk vetting gives several cases one Vetting result and Reason: each case its own history
and audit rows, every case or none, a message naming them, and one batch however often the
page is posted.
"""

import uuid

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from crm_tracker.models import Case, CaseHistory, CaseType, VettingBatch
from crm_tracker.services import case_mmis_record, case_vet, case_vet_bulk
from tests.crm_tracker.helpers import NOW, TODAY
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db
QUEUE = "crm_tracker:qc_queue"
BULK = "crm_tracker:qc_vet_bulk"
RETURNED = "Returned by the State Monitor"


@pytest.fixture
def returned(new_case, qc, monitor, supervisor):
    """A case vetted true that the State Monitor could not process: back with QC."""
    case = case_vet(case=new_case(CaseType.FOR_CAUSE), true_case=True, reason="Checked MMIS.",
                    actor=qc, now=NOW)
    return case_mmis_record(case=case, processed=False, processed_on=None,
                            reason="MMIS screen 9 shows no open span.", actor=monitor,
                            today=TODAY, now=NOW)


@pytest.fixture
def waiting(new_case, supervisor):
    """Three new cases waiting for QC (the CSR has a Supervisor, for a False verdict)."""
    return [new_case(CaseType.MCT_SPAN), new_case(CaseType.INCORRECT_SELECTION),
            new_case(CaseType.ANGELA_MELODY)]


def _row(html: str, case: Case) -> str:
    """Return the table row of *case* on the page."""
    start = html.index(f'">{case.number}</a>')
    return html[html.rindex("<tr>", 0, start):html.index("</tr>", start)]


def _bulk(numbers, result="true", reason="All checked against MMIS screen 9.", **extra) -> dict:
    return {"cases": [case.number for case in numbers], "result": result, "reason": reason,
            "submission_token": str(uuid.uuid4())} | extra


def _snapshot() -> tuple[int, int, int]:
    """Return the counts of what a vetting writes: history, change audit rows, batches."""
    return (CaseHistory.objects.count(), AuditEvent.objects.filter(action=Action.CHANGE).count(),
            VettingBatch.objects.count())


def test_the_vet_page_shows_what_qc_judges_by(returned, qc, client_for):
    html = client_for(qc).get(reverse("crm_tracker:case_vet", args=[returned.number])
                              ).content.decode()
    for shown in (returned.participant_names, returned.masshealth_id, returned.ssn_formatted,
                  "For Cause Reason", returned.subject, returned.crm_documentation,
                  "MCO Plan Shopping", "Plan Selection Corrected", "Checked MMIS.",
                  "<caption>Every change of this case, oldest first</caption>"):
        assert shown in html, shown
    assert f"{RETURNED}:</strong> Not Processed – MMIS screen 9 shows no open span." in html


def test_the_queue_marks_the_cases_the_state_monitor_returned(returned, waiting, qc,
                                                             client_for):
    html = client_for(qc).get(reverse(QUEUE)).content.decode()
    assert RETURNED in _row(html, returned)
    assert all(RETURNED not in _row(html, case) for case in waiting)


def test_bulk_vetting_gives_each_case_its_history_and_audit_row(waiting, qc, client_for):
    client = client_for(qc)
    response = client.post(reverse(BULK), _bulk(waiting))
    assert response.status_code == 302 and response["Location"] == reverse(QUEUE)
    numbers = ", ".join(case.number for case in waiting)
    page = client.get(reverse(QUEUE)).content.decode()
    assert (f"3 cases vetted True tracker case: {numbers}. They now wait for the State "
            "Monitors.") in page
    for case in waiting:
        case.refresh_from_db()
        assert case.vetting == "TRUE" and case.work_queue.name == "State Monitor"
        assert case.history.filter(field="vetting", new_value="True tracker case",
                                   reason="All checked against MMIS screen 9.",
                                   changed_by=qc).count() == 1
        assert AuditEvent.objects.filter(object_id=case.number, action=Action.CHANGE,
                                         detail__startswith="QC vetting").count() == 1
    assert list(VettingBatch.objects.get().cases.order_by("pk")) == waiting


def test_bulk_vetting_is_all_or_nothing(returned, waiting, qc, client_for):
    """A returned case cannot be vetted True: the whole batch is refused, nothing changes."""
    before = _snapshot()
    response = client_for(qc).post(reverse(BULK), _bulk([*waiting, returned]))
    assert response.status_code == 200
    html = response.content.decode()
    assert (f"Case {returned.number}: The State Monitor could not process this case: relabel "
            "it as a False tracker case for Supervisor outreach. No case was vetted.") in html
    assert _snapshot() == before
    assert all(Case.objects.get(pk=c.pk).work_queue.name == "MCO Tracker QC" for c in waiting)
    # What was ticked stays ticked, to correct and send again.
    assert f'value="{waiting[0].number}" id="select-case-{waiting[0].number}" checked' in html


@pytest.mark.parametrize("post,message", [
    ({"cases": []}, "Select the cases to vet."),
    ({"reason": " "}, "Enter the Reason."),
    ({"result": "maybe"}, "Select a valid choice."),
    ({"cases": ["99999999"]}, "No case 99999999 among the cases you may vet. No case was "
                              "vetted."),
    ({"cases": ["1; DROP TABLE"]}, "Select the cases to vet from the QC Queue."),
])
def test_bad_bulk_input_is_refused_with_a_message(waiting, qc, client_for, post, message):
    before = _snapshot()
    response = client_for(qc).post(reverse(BULK), _bulk(waiting) | post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _snapshot() == before


def test_the_same_page_posted_twice_vets_once(waiting, qc, client_for):
    client = client_for(qc)
    post = _bulk(waiting, result="false", reason="Chosen by the consumer on the call.")
    first = client.post(reverse(BULK), post)
    after_first = _snapshot()
    second = client.post(reverse(BULK), post)
    assert first.status_code == second.status_code == 302
    assert _snapshot() == after_first
    page = client.get(reverse(QUEUE)).content.decode()
    assert "They now wait for their CSR&#x27;s Supervisor&#x27;s outreach." in page


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_of_one_bulk_page_make_one_batch(waiting, qc):
    token = uuid.uuid4()
    batches = run_in_threads(4, lambda i: case_vet_bulk(
        cases=waiting, true_case=True, reason="Checked.", actor=qc, now=NOW,
        submission_token=token).pk)
    assert len(set(batches)) == 1 and VettingBatch.objects.count() == 1
    assert CaseHistory.objects.filter(field="vetting").count() == len(waiting)
