"""The State Monitor's sheet as a clerk works it (issue 13 point 12).

A dropdown for the MMIS Result, dates typed as a clerk types them, the CSV imported back,
the same sheet imported twice, and the limits of every upload with a capped problem list.
"""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from crm_tracker.models import Case, CaseHistory
from crm_tracker.sheet_reader import MAX_PROBLEMS
from crm_tracker.spreadsheets import MONITOR_HEADERS
from posc import clock
from posc.xlsx import MAX_ROWS, MAX_UPLOAD_BYTES
from tests.crm_tracker.helpers import (
    DATE,
    REASON,
    RESULT,
    monitor_sheet,
    row_of,
    sheet_upload,
)

pytestmark = pytest.mark.django_db
IMPORT = "crm_tracker:monitor_import"


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_the_mmis_result_column_offers_a_dropdown(monitor_cases, monitor, client_for):
    sheet = monitor_sheet(client_for(monitor)).active
    rules = sheet.data_validations.dataValidation
    assert len(rules) == 1
    rule = rules[0]
    assert (rule.type, rule.formula1) == ("list", '"Processed,Not Processed"')
    assert str(rule.sqref) == f"J2:J{sheet.max_row}"
    assert MONITOR_HEADERS[RESULT - 1] == "MMIS Result" and RESULT == 10
    assert rule.showErrorMessage


def _typed(today: datetime.date) -> list:
    return [f"{today.month}/{today.day}/{today.year}", today.strftime("%m/%d/%Y"),
            today.isoformat(), f"{today.isoformat()} 00:00:00",
            datetime.datetime(today.year, today.month, today.day)]


@pytest.mark.parametrize("form", range(5), ids=["M/D/YYYY", "MM/DD/YYYY", "ISO",
                                                 "ISO with midnight", "Excel date cell"])
def test_dates_are_accepted_as_a_clerk_types_them(monitor_cases, monitor, client_for, form):
    client = client_for(monitor)
    book = monitor_sheet(client)
    sheet = book.active
    row = row_of(sheet, monitor_cases[0])
    today = clock.today()
    sheet.cell(row, RESULT, "Processed")
    sheet.cell(row, DATE, _typed(today)[form])
    assert sheet_upload(client, book).status_code == 302
    monitor_cases[0].refresh_from_db()
    assert monitor_cases[0].mmis_processed_on == today


@pytest.mark.parametrize("typed", ["11/22/26", "22/11/2026", "2026-31-02", "tomorrow", "45000"])
def test_a_date_that_is_not_one_says_how_to_type_it(monitor_cases, monitor, client_for, typed):
    client = client_for(monitor)
    book = monitor_sheet(client)
    row = row_of(book.active, monitor_cases[0])
    book.active.cell(row, RESULT, "Processed")
    book.active.cell(row, DATE, typed)
    html = sheet_upload(client, book).content.decode()
    assert (f"Row {row}, column K (Date Processed in MMIS): “{typed}” is not a date: type it "
            "as MM/DD/YYYY (for example 11/22/2026), or as M/D/YYYY, or pick a date cell."
            ) in html
    assert not Case.objects.exclude(mmis_result="").exists()


def _csv_sheet(client) -> list[list[str]]:
    response = client.get(reverse("crm_tracker:monitor_export", args=["csv"]))
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _post_csv(client, rows: list[list[str]], encoding: str = "utf-8-sig"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    upload = SimpleUploadedFile("true-tracker-cases.csv", out.getvalue().encode(encoding),
                                content_type="text/csv")
    return client.post(reverse(IMPORT), {"sheet": upload})


def test_the_csv_download_imports_back(monitor_cases, monitor, client_for):
    client = client_for(monitor)
    rows = _csv_sheet(client)
    assert rows[0] == MONITOR_HEADERS
    processed, not_processed, untouched = monitor_cases
    today = clock.today()
    by_number = {row[0]: row for row in rows[1:]}
    by_number[processed.number][RESULT - 1] = "Processed"
    by_number[processed.number][DATE - 1] = f"{today.month}/{today.day}/{today.year}"
    by_number[not_processed.number][RESULT - 1] = "Not Processed"
    # Excel's plain "CSV (Comma delimited)" saves Windows-1252.
    by_number[not_processed.number][REASON - 1] = "Member’s span is closed."
    response = _post_csv(client, rows, encoding="cp1252")
    assert response.status_code == 302
    assert _messages(response) == ["Spreadsheet imported: 2 cases updated."]
    for case in monitor_cases:
        case.refresh_from_db()
    assert (processed.mmis_result, processed.mmis_processed_on) == ("PROCESSED", today)
    assert not_processed.not_processed_reason == "Member’s span is closed."
    assert untouched.mmis_result == ""


def test_a_csv_formula_is_refused(monitor_cases, monitor, client_for):
    client = client_for(monitor)
    rows = _csv_sheet(client)
    rows[1][RESULT - 1] = "Not Processed"
    rows[1][REASON - 1] = "=HYPERLINK(\"http://x\")"
    html = _post_csv(client, rows).content.decode()
    assert "Row 2, column L (Reason Not Processed): formulas are not accepted" in html
    assert not Case.objects.exclude(mmis_result="").exists()


def _filled(client, monitor_cases) -> Workbook:
    book = monitor_sheet(client)
    sheet = book.active
    processed, not_processed, _ = monitor_cases
    sheet.cell(row_of(sheet, processed), RESULT, "Processed")
    sheet.cell(row_of(sheet, processed), DATE, clock.today().strftime("%m/%d/%Y"))
    sheet.cell(row_of(sheet, not_processed), RESULT, "Not Processed")
    sheet.cell(row_of(sheet, not_processed), REASON, "Member has a newer MMIS span.")
    return book


def test_importing_the_same_sheet_again_skips_the_rows_already_recorded(
        monitor_cases, monitor, client_for):
    client = client_for(monitor)
    book = _filled(client, monitor_cases)
    assert sheet_upload(client, book).status_code == 302
    history = CaseHistory.objects.count()
    response = sheet_upload(client, book)
    assert response.status_code == 302
    processed, not_processed, _ = monitor_cases
    assert _messages(response)[-1:] == [
        "Spreadsheet imported: 0 cases updated. 2 rows already recorded with the same "
        f"values were skipped (cases {processed.number}, {not_processed.number})."]
    assert CaseHistory.objects.count() == history


def test_a_second_import_that_contradicts_a_recorded_row_is_refused(
        monitor_cases, monitor, client_for):
    client = client_for(monitor)
    book = _filled(client, monitor_cases)
    assert sheet_upload(client, book).status_code == 302
    processed, not_processed, untouched = monitor_cases
    sheet = book.active
    sheet.cell(row_of(sheet, processed), RESULT, "Not Processed")
    sheet.cell(row_of(sheet, processed), DATE).value = None
    sheet.cell(row_of(sheet, processed), REASON, "No span.")
    sheet.cell(row_of(sheet, not_processed), REASON, "Another reason.")
    sheet.cell(row_of(sheet, untouched), RESULT, "Not Processed")
    sheet.cell(row_of(sheet, untouched), REASON, "No span.")
    history = CaseHistory.objects.count()
    html = sheet_upload(client, book).content.decode()
    processed.refresh_from_db()
    assert (f"Row {row_of(sheet, processed)}, column J (MMIS Result): case "
            f"{processed.number} was already recorded as Processed on "
            f"{processed.mmis_processed_on:%m/%d/%Y}; this row says otherwise.") in html
    assert (f"Row {row_of(sheet, not_processed)}, column L (Reason Not Processed): case "
            f"{not_processed.number} was already recorded as Not Processed (“Member has a "
            "newer MMIS span.”); this row says otherwise.") in html
    assert "Nothing was changed" in html
    assert CaseHistory.objects.count() == history  # all or nothing: the untouched row too
    untouched.refresh_from_db()
    assert untouched.mmis_result == ""


def test_the_error_page_lists_the_first_problems_and_counts_them_all(
        monitor_cases, monitor, client_for):
    client = client_for(monitor)
    book = monitor_sheet(client)
    bad = 3 * MAX_PROBLEMS
    for n in range(bad):
        book.active.append([f"9{n:07d}"])
    response = sheet_upload(client, book)
    html = response.content.decode()
    assert (f"The spreadsheet was not imported: {bad} problem(s). Nothing was changed; "
            f"correct the cells and import it again. The first {MAX_PROBLEMS} are listed.") in html
    assert html.count("is not waiting for the State Monitors") == MAX_PROBLEMS


def test_a_csv_over_the_row_limit_is_refused(monitor_cases, monitor, client_for):
    client = client_for(monitor)
    rows = [MONITOR_HEADERS] + [[""] * len(MONITOR_HEADERS)] * MAX_ROWS
    html = _post_csv(client, rows).content.decode()
    assert f"The sheet has more than {MAX_ROWS:,} rows" in html


def test_a_csv_over_the_size_limit_is_refused(monitor_cases, monitor, client_for):
    upload = SimpleUploadedFile("big.csv", b"," * (MAX_UPLOAD_BYTES + 1))
    html = client_for(monitor).post(reverse(IMPORT), {"sheet": upload}).content.decode()
    assert "The file is larger than 5 MB." in html
