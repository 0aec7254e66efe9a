"""QC report (filters, counts, xlsx/csv) and the State Monitor sheet round trip."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from crm_tracker.models import Case, CaseHistory, CaseType
from crm_tracker.services import case_intake
from crm_tracker.spreadsheets import MONITOR_HEADERS, cell_safe
from posc import clock
from tests.crm_tracker.helpers import (
    DATE,
    NOW,
    REASON,
    RESULT,
    TODAY,
    intake_kwargs,
    intake_taxonomy,
    monitor_sheet,
    row_of,
    sheet_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_cases(new_case, csr):
    """Cases of each CSR disposition; Question Answered is not on the QC report."""
    return {
        "mct": new_case(CaseType.MCT_SPAN),
        "for_cause": new_case(CaseType.FOR_CAUSE),
        "incorrect": new_case(CaseType.INCORRECT_SELECTION),
        "am_updated": new_case(CaseType.ANGELA_MELODY),
        "am_answered": new_case(CaseType.ANGELA_MELODY, taxonomy=intake_taxonomy(
            CaseType.ANGELA_MELODY, "Question Answered")),
    }


def _listed(case, html):
    return f'">{case.number}</a>' in html


def test_qc_report_lists_plan_selected_in_error_and_mco_updated(report_cases, qc, client_for):
    html = client_for(qc).get(reverse("crm_tracker:qc_report")).content.decode()
    assert "<h1>MCO Manual Tracker CRM Replacement for Excel Tracker</h1>" in html
    for key, case in report_cases.items():
        assert _listed(case, html) == (key != "am_answered"), key
    for label in ("Angela Melody", "MCT Span", "For Cause Reason", "Incorrect Selection"):
        assert f"<tr><td>{label}</td><td>1</td></tr>" in html
    assert "<th scope=\"row\">Total</th><td>4</td>" in html


def test_qc_report_filters(report_cases, qc, csr, taxonomy, client_for):
    from tests.factories import UserFactory

    other = UserFactory(username="csr.other")
    other.groups.add(taxonomy["CSR"])
    theirs = case_intake(**intake_kwargs(actor=other))
    client = client_for(qc)
    url = reverse("crm_tracker:qc_report")
    html = client.get(url, {"case_type": "FOR_CAUSE"}).content.decode()
    assert _listed(report_cases["for_cause"], html) and not _listed(report_cases["mct"], html)
    html = client.get(url, {"csr": "csr.other"}).content.decode()
    assert _listed(theirs, html) and not _listed(report_cases["mct"], html)
    # The filters compare with the cases' own dates (opened at NOW): no clock involved.
    Case.objects.filter(pk=theirs.pk).update(created_at=NOW - datetime.timedelta(days=40))
    since = (TODAY - datetime.timedelta(days=5)).strftime("%m/%d/%Y")
    html = client.get(url, {"date_from": since}).content.decode()
    assert not _listed(theirs, html) and _listed(report_cases["mct"], html)
    until = (TODAY - datetime.timedelta(days=30)).strftime("%m/%d/%Y")
    html = client.get(url, {"date_to": until}).content.decode()
    assert _listed(theirs, html) and not _listed(report_cases["mct"], html)
    html = client.get(url, {"date_from": "31/31/2026"}).content.decode()
    assert "Enter Created from as MM/DD/YYYY." in html


def test_qc_report_exports_xlsx_and_csv_with_the_filters(report_cases, qc, client_for):
    client = client_for(qc)
    url = reverse("crm_tracker:qc_report_export", args=["xlsx"])
    response = client.get(url, {"case_type": "MCT_SPAN"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["MCO Manual Tracker"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Case Number", "Case Type", "Subject")
    assert [r[0] for r in rows[1:]] == [report_cases["mct"].number]
    counts = dict(list(book["Counts per type"].iter_rows(values_only=True))[1:])
    assert counts == {"Angela Melody": 0, "MCT Span": 1, "For Cause Reason": 0,
                      "Incorrect Selection": 0}
    response = client.get(reverse("crm_tracker:qc_report_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 4


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)"])
def test_exported_cells_never_start_a_formula(new_case, qc, client_for, value):
    assert cell_safe(value) == "'" + value
    case = new_case(participant_names=value)
    client = client_for(qc)
    book = load_workbook(io.BytesIO(client.get(
        reverse("crm_tracker:qc_report_export", args=["xlsx"])).content))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    # xlsx: a typed text cell, never run, shown as typed (no apostrophe, issue 13 point 15).
    assert [c.data_type for c in cells if c.value == value] == ["s"]
    text = client.get(reverse("crm_tracker:qc_report_export", args=["csv"])).content.decode(
        "utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'" + value in cells and value not in cells
    assert case.pk


def test_monitor_sheet_round_trip(monitor_cases, monitor, client_for):
    client = client_for(monitor)
    book = monitor_sheet(client)
    sheet = book.active
    assert [c.value for c in sheet[1]] == MONITOR_HEADERS
    processed, not_processed, untouched = monitor_cases
    today = clock.today()
    sheet.cell(row_of(sheet, processed), RESULT, "Processed")
    sheet.cell(row_of(sheet, processed), DATE, datetime.datetime(today.year, today.month,
                                                                  today.day))
    sheet.cell(row_of(sheet, not_processed), RESULT, "Not Processed")
    sheet.cell(row_of(sheet, not_processed), REASON, "Member has a newer MMIS span.")
    response = sheet_upload(client, book)
    assert response.status_code == 302
    for case in monitor_cases:
        case.refresh_from_db()
    assert (processed.mmis_result, processed.mmis_processed_on, processed.work_queue) == (
        "PROCESSED", today, None)
    assert (not_processed.mmis_result, not_processed.work_queue.name) == (
        "NOT_PROCESSED", "MCO Tracker QC")
    assert not_processed.not_processed_reason == "Member has a newer MMIS span."
    assert (untouched.mmis_result, untouched.work_queue.name) == ("", "State Monitor")
    assert processed.history.filter(field="mmis_result", changed_by=monitor).exists()
    # The new sheet holds only the case still waiting.
    rows = list(monitor_sheet(client).active.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [untouched.number]


def test_monitor_sheet_accepts_typed_dates(monitor_cases, monitor, client_for):
    client = client_for(monitor)
    book = monitor_sheet(client)
    sheet = book.active
    row = row_of(sheet, monitor_cases[0])
    sheet.cell(row, RESULT, "processed")
    today = clock.today()
    sheet.cell(row, DATE, today.strftime("%m/%d/%Y"))
    assert sheet_upload(client, book).status_code == 302
    monitor_cases[0].refresh_from_db()
    assert monitor_cases[0].mmis_processed_on == today


def test_a_bad_sheet_changes_nothing(monitor_cases, monitor, client_for):
    client = client_for(monitor)
    book = monitor_sheet(client)
    sheet = book.active
    good, bad_date, bad_result = (row_of(sheet, c) for c in monitor_cases)
    sheet.cell(good, RESULT, "Processed")
    sheet.cell(good, DATE, clock.today().strftime("%m/%d/%Y"))
    sheet.cell(bad_date, RESULT, "Processed")
    sheet.cell(bad_date, DATE, "2026-31-02")
    sheet.cell(bad_result, RESULT, "Done")
    sheet.append(["99999999"] + [""] * (len(MONITOR_HEADERS) - 1))
    sheet.cell(sheet.max_row, REASON, "=cmd|' /C calc'!A0")
    before = CaseHistory.objects.count()
    response = sheet_upload(client, book)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was changed" in html
    assert f"Row {bad_date}, column K (Date Processed in MMIS): “2026-31-02” is not a date" in html
    assert f"Row {bad_result}, column J (MMIS Result): “Done” must be Processed" in html
    assert (f"Row {sheet.max_row}, column L (Reason Not Processed): formulas are not accepted"
            in html)
    assert CaseHistory.objects.count() == before
    for case in monitor_cases:
        case.refresh_from_db()
        assert (case.mmis_result, case.work_queue.name) == ("", "State Monitor")


@pytest.mark.parametrize("mutate,message", [
    (lambda s: s.cell(1, 1, "Case #"), "Row 1 must hold the exported column headings"),
    (lambda s: s.append(["12345678"]), "is not waiting for the State Monitors"),
    (lambda s: s.append([s.cell(2, 1).value, None, None, None, None, None, None, None, None,
                         "Not Processed", None, "dup"]), "appears twice"),
    (lambda s: s.cell(2, REASON, "why?"), "enter Processed or Not Processed"),
    (lambda s: (s.cell(2, RESULT, "Not Processed")), "enter why the case was not processed"),
    (lambda s: (s.cell(2, RESULT, "Processed")), "enter the date (MM/DD/YYYY)"),
    (lambda s: (s.cell(2, RESULT, "Processed"), s.cell(2, DATE, "01/01/2099")),
     "the date is in the future"),
    (lambda s: (s.cell(2, RESULT, "Processed"), s.cell(2, DATE, "01/01/2001")),
     "the date is before the case was opened"),
])
def test_each_sheet_rule_names_its_row_and_column(monitor_cases, monitor, client_for, mutate,
                                                   message):
    client = client_for(monitor)
    book = monitor_sheet(client)
    mutate(book.active)
    response = sheet_upload(client, book)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Case.objects.exclude(mmis_result="").exists()


def test_a_file_that_is_not_a_workbook_is_refused(monitor_cases, monitor, client_for):
    response = client_for(monitor).post(reverse("crm_tracker:monitor_import"), {
        "sheet": SimpleUploadedFile("sheet.xlsx", b"Case Number,MMIS Result\n")})
    assert "The file is not an Excel workbook (.xlsx)" in response.content.decode()
