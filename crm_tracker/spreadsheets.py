"""The QC report and State Monitor spreadsheets (xlsx and csv), and the monitor's re-import.

Seed 003: the QC Team forwards the report of "True" cases to the State Monitors, who send
the spreadsheet back updated. Exports show the SSN's last four digits only, and no cell can
run as a formula (CWE-1236): an xlsx cell is typed text, which Excel never runs, so its value
is written as it is; a CSV cell has no type, so one that starts with a formula character is
prefixed with an apostrophe there (and only there, issue 13 point 15).
"""

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from crm_tracker.models import Case, MmisResult
from crm_tracker.selectors import monitor_queue
from crm_tracker.services import case_mmis_record
from posc.clock import today_eastern
from posc.exceptions import DomainError, ImportRejected
from posc.xlsx import (
    FORMULA_START,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    MB,
    WorkbookRefused,
    sheet_rows,
    workbook_open,
)

# The error page lists the first problems and their total, as the recoupment upload does
# (recoupments/xlsx.py MAX_PROBLEMS): 100,000 bad rows once made a 9.6 MB page (issue 13).
MAX_PROBLEMS = 25


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


@dataclass(frozen=True)
class Entry:
    """What one row says: the MMIS Result, its date or its reason (checked)."""

    result: str
    processed_on: datetime.date | None
    reason: str


@dataclass(frozen=True)
class Skipped:
    """A row of a case already recorded with the same values (a sheet imported again)."""

    row: int
    case: Case


@dataclass
class SheetImport:
    """The outcome of an import: the cases updated and the rows already recorded."""

    updated: int = 0
    skipped: list[str] = field(default_factory=list)  # case numbers


class Formula(str):
    """A cell that a spreadsheet would run as a formula (refused on import)."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # Our own CSV export prefixes risky text with an apostrophe; take it off again.
    if text.startswith("'") and text[1:2] in FORMULA_START:
        text = text[1:]
    return text


# Dates as a clerk types them (issue 13 point 12): 11/22/2026, 1/5/2026, or ISO 2026-11-22
# (a CSV written by another tool, with or without a midnight time); an Excel date cell
# arrives as a datetime. A two-digit year is refused: 1/5/26 could be 1926.
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")


def parse_sheet_date(value: Any) -> datetime.date:
    """Return the date of a sheet cell; ValueError when it is not one."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if match := US_DATE.match(text):
        month, day, year = map(int, match.groups())
    elif match := ISO_DATE.match(text):
        year, month, day = map(int, match.groups())
    else:
        raise ValueError(text)
    return datetime.date(year, month, day)  # ValueError for 02/31/2026


def _has_formula(number: int, cells: dict[str, Any], problems: list[Problem]) -> bool:
    found = False
    for column, value in cells.items():
        if isinstance(value, Formula):
            problems.append(Problem(number, column, "formulas are not accepted; type the value."))
            found = True
    return found


def _read_entry(number: int, cells: dict[str, Any], case: Case, today: datetime.date,
                problems: list[Problem]) -> Entry | None:
    """Return the row's MMIS Result, checked cell by cell; None when empty or wrong."""
    found = len(problems)
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
                processed_on = parse_sheet_date(date_value)
            except ValueError:
                problems.append(Problem(
                    number, MONITOR_DATE, f"“{_text(date_value)}” is not a date: type it as "
                    "MM/DD/YYYY (for example 11/22/2026), or as M/D/YYYY, or pick a date cell."))
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
    return Entry(result, processed_on, reason)


def _recorded(case: Case) -> str:
    if case.mmis_result == MmisResult.PROCESSED:
        return f"Processed on {case.mmis_processed_on:%m/%d/%Y}"
    return f"Not Processed (“{case.not_processed_reason}”)"


def _already_done(number: int, case: Case, entry: Entry,
                  problems: list[Problem]) -> Skipped | None:
    """Skip a row the case already carries; a row that says otherwise is a problem.

    Importing the same sheet twice must not refuse it (issue 13 point 12): the MMIS Result
    of a case is recorded once, so a second import of the same values changes nothing.
    """
    if entry.result != case.mmis_result:
        column = MONITOR_RESULT
    elif entry.result == MmisResult.PROCESSED and entry.processed_on != case.mmis_processed_on:
        column = MONITOR_DATE
    elif (entry.result == MmisResult.NOT_PROCESSED
          and entry.reason.strip() != case.not_processed_reason):
        column = MONITOR_REASON
    else:
        return Skipped(number, case)
    problems.append(Problem(number, column, f"case {case.number} was already recorded as "
                            f"{_recorded(case)}; this row says otherwise. Correct the row to "
                            "match, or clear its MMIS Result."))
    return None


def _read_row(number: int, cells: dict[str, Any], queue: dict[int, Case],
              done: dict[int, Case], seen: set[int], today: datetime.date,
              problems: list[Problem]) -> MonitorRow | Skipped | None:
    """Check one sheet row cell by cell; return it when it carries a result to record."""
    if _has_formula(number, cells, problems):
        return None
    raw_number = _text(cells["Case Number"])
    if not raw_number.isdigit():
        problems.append(Problem(number, "Case Number", f"“{raw_number}” is not a case number."))
        return None
    case = queue.get(int(raw_number)) or done.get(int(raw_number))
    if case is None:
        problems.append(Problem(number, "Case Number", f"case {int(raw_number):08d} is not "
                                "waiting for the State Monitors."))
        return None
    if case.case_number in seen:
        problems.append(Problem(number, "Case Number", f"case {case.number} appears twice."))
        return None
    seen.add(case.case_number)
    entry = _read_entry(number, cells, case, today, problems)
    if entry is None:
        return None
    if case.case_number not in queue:
        return _already_done(number, case, entry, problems)
    return MonitorRow(number, case, entry.result == MmisResult.PROCESSED, entry.processed_on,
                      entry.reason)


def _refused(message: str) -> ImportRejected:
    return ImportRejected(f"{message} Upload the spreadsheet exported from this page.",
                          extra={"problems": []})


def _xlsx_rows(file: io.IOBase) -> Iterator[list[Any]]:
    """Yield the workbook's first sheet, row by row (posc.xlsx limits); formulas marked."""
    try:
        book = workbook_open(file)  # the size and shape limits of every upload
    except WorkbookRefused as refused:
        raise _refused(refused.message) from None
    try:
        for row in sheet_rows(book.worksheets[0]):
            yield [Formula(c.value) if c.data_type == "f" else c.value for c in row]
    except WorkbookRefused as refused:
        raise _refused(refused.message) from None
    finally:
        book.close()


def _csv_rows(file: io.IOBase) -> Iterator[list[Any]]:
    """Yield the CSV's rows under the same size and row limits as a workbook (posc.xlsx).

    Our export is UTF-8 with a byte-order mark; Excel's plain "CSV (Comma delimited)" saves
    Windows-1252, which is read too. A cell starting with "=" is a formula there.
    """
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _refused(f"The file is larger than {MAX_UPLOAD_BYTES // MB} MB.")
    data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refused(f"The file is larger than {MAX_UPLOAD_BYTES // MB} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise _refused("The file is not a CSV spreadsheet.")
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if number > MAX_ROWS:
                raise _refused(f"The sheet has more than {MAX_ROWS:,} rows (blank rows count); "
                               "delete the empty rows under the data.")
            yield [Formula(v) if v.startswith("=") else v for v in row]
    except csv.Error:
        raise _refused("The file is not a CSV spreadsheet.") from None


def _upload_rows(file: io.IOBase) -> Iterator[list[Any]]:
    """Read the upload as CSV when its name says .csv, else as an Excel workbook."""
    if str(getattr(file, "name", "")).lower().endswith(".csv"):
        return _csv_rows(file)
    return _xlsx_rows(file)


def _sheet(file: io.IOBase) -> list[list[Any]]:
    """Return the upload's data rows, numbered from 2; refuse changed headings."""
    rows = _upload_rows(file)
    header = [_text(v) for v in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    if header != MONITOR_HEADERS:
        raise ImportRejected(
            "Row 1 must hold the exported column headings: " + ", ".join(MONITOR_HEADERS) + ".",
            extra={"problems": [str(Problem(1, "", "the column headings were changed."))]})
    width = len(MONITOR_HEADERS)
    return [(list(values) + [None] * width)[:width] for values in rows]


def _case_numbers(rows: list[list[Any]]) -> set[int]:
    numbers = (_text(row[0]) for row in rows)
    return {int(n) for n in numbers if n.isdigit() and len(n) <= 12}


def _rejected(problems: list[Problem]) -> ImportRejected:
    """Return the refusal: the count of every problem, the first MAX_PROBLEMS listed."""
    message = (f"The spreadsheet was not imported: {len(problems):,} problem(s). Nothing was "
               "changed; correct the cells and import it again.")
    if len(problems) > MAX_PROBLEMS:
        message += f" The first {MAX_PROBLEMS} are listed."
    return ImportRejected(message, extra={"problems": [str(p) for p in problems[:MAX_PROBLEMS]],
                                          "total": len(problems)})


def monitor_sheet_import(*, file: io.IOBase, user: AbstractBaseUser,
                         today: datetime.date, now: datetime.datetime) -> SheetImport:
    """Record the MMIS results of the State Monitor's updated sheet: all rows or none.

    The sheet is the exported xlsx or CSV. Every cell is checked first; any problem refuses
    the whole sheet with the list of problems (row and column). Rows with an empty MMIS
    Result are left in the queue; rows already recorded with the same values are skipped.
    """
    rows = _sheet(file)
    problems: list[Problem] = []
    checked: list[MonitorRow] = []
    outcome = SheetImport()
    seen: set[int] = set()
    with transaction.atomic():
        queue = {c.case_number: c for c in monitor_queue().select_for_update(of=("self",))}
        done = {c.case_number: c for c in Case.objects.filter(
            case_number__in=_case_numbers(rows) - set(queue)).exclude(mmis_result="")}
        for number, values in enumerate(rows, start=2):
            if all(_text(v) == "" for v in values):
                continue
            row = _read_row(number, dict(zip(MONITOR_HEADERS, values)), queue, done, seen,
                            today, problems)
            if isinstance(row, Skipped):
                outcome.skipped.append(row.case.number)
            elif row is not None:
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
    if problems:
        raise _rejected(problems)
    outcome.updated = len(checked)
    return outcome


monitor_sheet_import.alters_data = True
