"""The QC report selects on the current Disposition; its "Waiting for QC" view (issue 13, 9)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm_tracker.models import CaseType
from crm_tracker.services import case_mmis_record, case_vet
from tests.crm_tracker.helpers import NOW, TODAY, intake_taxonomy

pytestmark = pytest.mark.django_db
REPORT = "crm_tracker:qc_report"
WAITING = {"view": "waiting"}


@pytest.fixture
def worked(new_case, qc, monitor, supervisor):
    """Cases at each point of QC's day: new, vetted true, vetted false, returned by the monitor."""
    cases = {
        "new_mct": new_case(CaseType.MCT_SPAN),
        "new_am": new_case(CaseType.ANGELA_MELODY),
        "answered": new_case(CaseType.ANGELA_MELODY, taxonomy=intake_taxonomy(
            CaseType.ANGELA_MELODY, "Question Answered")),
        "true": new_case(CaseType.FOR_CAUSE),
        "false": new_case(CaseType.INCORRECT_SELECTION),
        "returned": new_case(CaseType.MCT_SPAN),
    }
    for key in ("true", "returned"):
        case_vet(case=cases[key], true_case=True, reason="Checked MMIS.", actor=qc, now=NOW)
    case_vet(case=cases["false"], true_case=False, reason="Chosen on the call.", actor=qc, now=NOW)
    case_mmis_record(case=cases["returned"], processed=False, processed_on=None,
                     reason="No open span in MMIS.", actor=monitor, today=TODAY, now=NOW)
    return cases


def _numbers(html: str, cases: dict) -> set[str]:
    return {key for key, case in cases.items() if f'">{case.number}</a>' in html}


def test_cases_qc_relabelled_leave_the_report(worked, qc, client_for):
    """Seed 003's filter is the Disposition, which QC's relabel changes: not the CSR's one."""
    html = client_for(qc).get(reverse(REPORT)).content.decode()
    assert _numbers(html, worked) == {"new_mct", "new_am"}
    assert '<th scope="row">Total</th><td>2</td>' in html


def test_waiting_for_qc_lists_the_qc_queue_with_the_returned_cases(worked, qc, client_for):
    html = client_for(qc).get(reverse(REPORT), WAITING).content.decode()
    assert _numbers(html, worked) == {"new_mct", "new_am", "returned"}
    assert "<h2>Cases waiting for QC</h2>" in html
    assert "<tr><td>MCT Span</td><td>2</td></tr>" in html
    assert '<th scope="row">Total</th><td>3</td>' in html
    # The other filters hold in this view too.
    html = client_for(qc).get(reverse(REPORT), WAITING | {"case_type": "ANGELA_MELODY"}
                              ).content.decode()
    assert _numbers(html, worked) == {"new_am"}
    assert '<th scope="row">Total</th><td>1</td>' in html


def test_waiting_for_qc_exports_the_same_rows(worked, qc, client_for):
    client = client_for(qc)
    page = client.get(reverse(REPORT), WAITING).content.decode()
    assert "export.xlsx?view=waiting" in page and "export.csv?view=waiting" in page
    response = client.get(reverse("crm_tracker:qc_report_export", args=["xlsx"]), WAITING)
    assert "mco-manual-tracker-waiting-for-qc-" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["MCO Manual Tracker"].iter_rows(values_only=True))
    expected = {worked[k].number for k in ("new_mct", "new_am", "returned")}
    assert {r[0] for r in rows[1:]} == expected
    counts = dict(list(book["Counts per type"].iter_rows(values_only=True))[1:])
    assert counts == {"Angela Melody": 1, "MCT Span": 2, "For Cause Reason": 0,
                      "Incorrect Selection": 0}
    response = client.get(reverse("crm_tracker:qc_report_export", args=["csv"]), WAITING)
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["Case Number"] for r in table} == expected
    # The whole report's export follows the current Disposition as well.
    response = client.get(reverse("crm_tracker:qc_report_export", args=["csv"]))
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["Case Number"] for r in table} == {worked[k].number for k in ("new_mct", "new_am")}
