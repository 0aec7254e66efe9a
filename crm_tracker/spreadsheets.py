"""The QC report and State Monitor spreadsheets (xlsx and csv), and the monitor's re-import.

Seed 003: the QC Team forwards the report of "True" cases to the State Monitors, who send
the spreadsheet back updated. Exports show the SSN's last four digits only, and every text
cell that a spreadsheet would run as a formula is prefixed with an apostrophe (CWE-1236).
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from crm_tracker.models import Case, MmisResult
from crm_tracker.selectors import monitor_queue
from crm_tracker.services import case_mmis_record
from posc.clock import today_eastern
from posc.exceptions import DomainError, ImportRejected
from posc.xlsx import FORMULA_START, WorkbookRefused, sheet_rows, workbook_open



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


def _table(cases: Iterable[Case], columns: tuple[Column, ...]) -> Iterable[list[Any]]:
    yield [name for name, _ in columns]
    for case in cases:
        yield [cell_safe(get(case)) for _, get in columns]


def xlsx_bytes(sheets: list[tuple[str, Iterable[list[Any]]]]) -> bytes:
    """Return a workbook with one sheet per (title, rows); the first row is bold."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(sheet.columns, start=1):
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 10), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: Iterable[list[Any]]) -> bytes:
    """Return *rows* as CSV with a byte-order mark, which Excel needs to read UTF-8."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def qc_report_xlsx(cases: Iterable[Case], counts: list[tuple[str, int]]) -> bytes:
    return xlsx_bytes([("MCO Manual Tracker", _table(cases, QC_COLUMNS)),
                       ("Counts per type", [["Case Type", "Cases"], *map(list, counts)])])


def qc_report_csv(cases: Iterable[Case]) -> bytes:
    return csv_bytes(_table(cases, QC_COLUMNS))


def monitor_sheet_xlsx(cases: Iterable[Case]) -> bytes:
    return xlsx_bytes([("True tracker cases", _table(cases, MONITOR_COLUMNS))])


def monitor_sheet_csv(cases: Iterable[Case]) -> bytes:
    return csv_bytes(_table(cases, MONITOR_COLUMNS))


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.column:
            return f"Row {self.row}: {self.message}"
        letter = get_column_letter(MONITOR_HEADERS.index(self.column) + 1)
        return f"Row {self.row}, column {letter} ({self.column}): {self.message}"


@dataclass(frozen=True)
class MonitorRow:
    row: int
    case: Case
    processed: bool
    processed_on: datetime.date | None
    reason: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # Our own export prefixes risky text with an apostrophe; take it off again.
    if text.startswith("'") and text[1:2] in FORMULA_START:
        text = text[1:]
    return text


def _parse_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.datetime.strptime(_text(value), "%m/%d/%Y").date()


def _read_row(number: int, cells: dict[str, Any], queue: dict[int, Case], seen: set[int],
              today: datetime.date, problems: list[Problem]) -> MonitorRow | None:
    """Check one sheet row cell by cell; return it when it carries a result to record."""
    found = len(problems)
    for column, value in cells.items():
        if isinstance(value, str) and value.startswith("="):
            problems.append(Problem(number, column, "formulas are not accepted; type the value."))
    if len(problems) > found:
        return None
    raw_number = _text(cells["Case Number"])
    if not raw_number.isdigit():
        problems.append(Problem(number, "Case Number", f"“{raw_number}” is not a case number."))
        return None
    case = queue.get(int(raw_number))
    if case is None:
        problems.append(Problem(number, "Case Number", f"case {int(raw_number):08d} is not "
                                "waiting for the State Monitors."))
        return None
    if case.case_number in seen:
        problems.append(Problem(number, "Case Number", f"case {case.number} appears twice."))
        return None
    seen.add(case.case_number)
    result_text = _text(cells[MONITOR_RESULT])
    date_value, reason = cells[MONITOR_DATE], _text(cells[MONITOR_REASON])
    if not result_text:
        if _text(date_value) or reason:
            problems.append(Problem(number, MONITOR_RESULT, "enter Processed or Not Processed."))
        return None  # not worked yet: the case stays in the queue
    result = RESULT_VALUES.get(result_text.lower())
    if result is None:
        problems.append(Problem(number, MONITOR_RESULT, f"“{result_text}” must be Processed or "
                                "Not Processed."))
        return None
    processed_on = None
    if result == MmisResult.PROCESSED:
        if not _text(date_value):
            problems.append(Problem(number, MONITOR_DATE, "enter the date (MM/DD/YYYY)."))
        else:
            try:
                processed_on = _parse_date(date_value)
            except ValueError:
                problems.append(Problem(number, MONITOR_DATE, f"“{_text(date_value)}” is not a "
                                        "date in MM/DD/YYYY form."))
            else:
                if processed_on > today:
                    problems.append(Problem(number, MONITOR_DATE, "the date is in the future."))
                elif processed_on < today_eastern(case.created_at):
                    problems.append(Problem(number, MONITOR_DATE,
                                            "the date is before the case was opened."))
        if reason:
            problems.append(Problem(number, MONITOR_REASON, "leave it empty for a processed "
                                    "case."))
    else:
        if not reason:
            problems.append(Problem(number, MONITOR_REASON, "enter why the case was not "
                                    "processed."))
        if _text(date_value):
            problems.append(Problem(number, MONITOR_DATE, "leave it empty for a case not "
                                    "processed."))
    if len(problems) > found:
        return None
    return MonitorRow(number, case, result == MmisResult.PROCESSED, processed_on, reason)


def _sheet_rows(sheet) -> Iterable[tuple]:
    """Yield the sheet's rows (posc.xlsx limits); a refusal becomes ImportRejected."""
    try:
        yield from sheet_rows(sheet, values_only=True)
    except WorkbookRefused as refused:
        raise ImportRejected(f"{refused.message} Upload the spreadsheet exported from this "
                             "page.", extra={"problems": []}) from None


def monitor_sheet_import(*, file: io.IOBase, user: AbstractBaseUser,
                         today: datetime.date, now: datetime.datetime) -> int:
    """Record the MMIS results of the State Monitor's updated sheet: all rows or none.

    Every cell is checked first; any problem refuses the whole sheet with the list of
    problems (row and column). Rows with an empty MMIS Result are left in the queue.
    """
    try:
        book = workbook_open(file)  # the size and shape limits of every upload
    except WorkbookRefused as refused:
        raise ImportRejected(f"{refused.message} Upload the spreadsheet exported from this "
                             "page.", extra={"problems": []}) from None
    sheet = book.worksheets[0]
    rows = _sheet_rows(sheet)
    header = [_text(v) for v in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    if header != MONITOR_HEADERS:
        raise ImportRejected(
            "Row 1 must hold the exported column headings: " + ", ".join(MONITOR_HEADERS) + ".",
            extra={"problems": [str(Problem(1, "", "the column headings were changed."))]})
    problems: list[Problem] = []
    checked: list[MonitorRow] = []
    seen: set[int] = set()
    with transaction.atomic():
        queue = {c.case_number: c for c in monitor_queue().select_for_update(of=("self",))}
        for number, values in enumerate(rows, start=2):
            values = list(values) + [None] * (len(MONITOR_HEADERS) - len(values))
            if all(_text(v) == "" for v in values):
                continue
            cells = dict(zip(MONITOR_HEADERS, values))
            row = _read_row(number, cells, queue, seen, today, problems)
            if row is not None:
                checked.append(row)
        if not problems:
            for row in checked:
                try:
                    case_mmis_record(case=row.case, processed=row.processed,
                                     processed_on=row.processed_on, reason=row.reason,
                                     user=user, today=today, now=now)
                except DomainError as exc:
                    problems.append(Problem(row.row, "", exc.message))
        if problems:
            transaction.set_rollback(True)
    book.close()
    if problems:
        raise ImportRejected(
            f"The spreadsheet was not imported: {len(problems)} problem(s). Nothing was "
            "changed; correct the cells and import it again.",
            extra={"problems": [str(p) for p in problems]})
    return len(checked)


monitor_sheet_import.alters_data = True
