"""The QC report and State Monitor spreadsheets (xlsx and csv); sheet_reader reads them back.

Seed 003: the QC Team forwards the report of "True" cases to the State Monitors, who send
the spreadsheet back updated. Exports show the SSN's last four digits only, and no cell can
run as a formula (CWE-1236): an xlsx cell is typed text, which Excel never runs, so its value
is written as it is; a CSV cell has no type, so one that starts with a formula character is
prefixed with an apostrophe there (and only there, issue 13 point 15).
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from crm_tracker.models import Case, MmisResult
from posc.xlsx import FORMULA_START


def cell_safe(value: Any) -> Any:
    """Return *value* so that no spreadsheet runs it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _date(value: datetime.date | datetime.datetime | None) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%m/%d/%Y") if value else ""


Column = tuple[str, Callable[[Case], Any]]

COMMON_COLUMNS: tuple[Column, ...] = (
    ("Case Number", lambda c: c.number),
    ("Case Type", lambda c: c.get_case_type_display()),
    ("Participant Name(s)", lambda c: c.participant_names),
    ("MassHealth ID (MA)", lambda c: c.masshealth_id),
    ("SSN", lambda c: c.ssn_masked),
    ("Requested MCO or Provider", lambda c: c.requested),
    ("For Cause Reason", lambda c: c.get_for_cause_reason_display()),
)
QC_COLUMNS: tuple[Column, ...] = (
    COMMON_COLUMNS[:2] + (("Subject", lambda c: c.subject),) + COMMON_COLUMNS[2:] + (
        ("CSR Disposition", lambda c: str(c.csr_disposition)),
        ("Disposition", lambda c: str(c.disposition)),
        ("Status", lambda c: str(c.status)),
        ("Owner", lambda c: str(c.owner)),
        ("Waiting In", lambda c: str(c.work_queue or "")),
        ("CSR", lambda c: c.created_by.get_username()),
        ("Created On", lambda c: _date(c.created_at)),
    ))
MONITOR_RESULT, MONITOR_DATE, MONITOR_REASON = ("MMIS Result", "Date Processed in MMIS",
                                                "Reason Not Processed")
MONITOR_COLUMNS: tuple[Column, ...] = COMMON_COLUMNS + (
    ("CSR", lambda c: c.created_by.get_username()),
    ("Created On", lambda c: _date(c.created_at)),
    (MONITOR_RESULT, lambda c: ""),
    (MONITOR_DATE, lambda c: ""),
    (MONITOR_REASON, lambda c: ""),
)
MONITOR_HEADERS = [name for name, _ in MONITOR_COLUMNS]
RESULT_VALUES = {"processed": MmisResult.PROCESSED, "not processed": MmisResult.NOT_PROCESSED}
RESULT_LABELS = ("Processed", "Not Processed")


def _table(cases: Iterable[Case], columns: tuple[Column, ...]) -> Iterable[list[Any]]:
    yield [name for name, _ in columns]
    for case in cases:
        yield [get(case) for _, get in columns]


def _as_text(row) -> None:
    """Keep text that openpyxl took for a formula ("=…") as text: Excel shows it, never runs it."""
    for cell in row:
        if cell.data_type == "f":
            cell.data_type = "s"
            cell.quotePrefix = True  # Excel's own mark of "typed as text"; no apostrophe shown


def xlsx_bytes(sheets: list[tuple[str, Iterable[list[Any]]]],
               finish: Callable[[Workbook], None] | None = None) -> bytes:
    """Return a workbook with one sheet per (title, rows); the first row is bold.

    *finish*, when given, adds to the book before it is saved (the monitor's dropdown).
    """
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
            _as_text(sheet[sheet.max_row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(sheet.columns, start=1):
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 10), 60)
    if finish is not None:
        finish(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: Iterable[list[Any]]) -> bytes:
    """Return *rows* as CSV with a byte-order mark, which Excel needs to read UTF-8."""
    out = io.StringIO()
    csv.writer(out).writerows([cell_safe(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def qc_report_xlsx(cases: Iterable[Case], counts: list[tuple[str, int]]) -> bytes:
    return xlsx_bytes([("MCO Manual Tracker", _table(cases, QC_COLUMNS)),
                       ("Counts per type", [["Case Type", "Cases"], *map(list, counts)])])


def qc_report_csv(cases: Iterable[Case]) -> bytes:
    return csv_bytes(_table(cases, QC_COLUMNS))


def monitor_sheet_xlsx(cases: Iterable[Case]) -> bytes:
    return xlsx_bytes([("True tracker cases", _table(cases, MONITOR_COLUMNS))],
                      finish=_monitor_dropdown)


def _monitor_dropdown(book: Workbook) -> None:
    """Offer the two MMIS Results as a dropdown and show typed dates as MM/DD/YYYY."""
    sheet = book.worksheets[0]
    last = max(sheet.max_row, 2)
    result = get_column_letter(MONITOR_HEADERS.index(MONITOR_RESULT) + 1)
    rule = DataValidation(
        type="list", formula1=f'"{",".join(RESULT_LABELS)}"', allow_blank=True,
        showErrorMessage=True, errorTitle=MONITOR_RESULT,
        error="Choose Processed or Not Processed (or leave the cell empty).",
        showInputMessage=True, promptTitle=MONITOR_RESULT,
        prompt="Processed: enter the Date Processed in MMIS. Not Processed: enter the reason.")
    rule.add(f"{result}2:{result}{last}")
    sheet.add_data_validation(rule)
    date = MONITOR_HEADERS.index(MONITOR_DATE) + 1
    for (cell,) in sheet.iter_rows(min_row=2, max_row=last, min_col=date, max_col=date):
        cell.number_format = "mm/dd/yyyy"


def monitor_sheet_csv(cases: Iterable[Case]) -> bytes:
    return csv_bytes(_table(cases, MONITOR_COLUMNS))
