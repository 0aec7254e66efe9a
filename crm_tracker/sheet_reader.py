"""Read the State Monitor's updated sheet back: every row checked, problems by row and column.

The sheet is the xlsx or CSV that crm_tracker.spreadsheets exports (seed 003: the State
Monitors send the spreadsheet back updated). Reading writes nothing: the service
``monitor_sheet_import`` records the rows this module returns.
"""

import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from crm_tracker.models import Case, MmisResult
from crm_tracker.rules import mmis_date_refusal, parse_clerk_date
from crm_tracker.spreadsheets import (
    MONITOR_DATE,
    MONITOR_HEADERS,
    MONITOR_REASON,
    MONITOR_RESULT,
    RESULT_VALUES,
)
from posc.clock import today_eastern
from posc.exceptions import ImportRejected
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


def _date(value: Any) -> datetime.date:
    """Return the date of a sheet cell (an Excel date cell, or typed text); ValueError if none."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return parse_clerk_date(_text(value))


# The sheet's words for the rules of the Date Processed in MMIS (crm_tracker.rules).
DATE_PROBLEMS = {"DATE_FUTURE": "the date is in the future.",
                 "DATE_BEFORE_CASE": "the date is before the case was opened."}


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
                processed_on = _date(date_value)
            except ValueError:
                problems.append(Problem(
                    number, MONITOR_DATE, f"“{_text(date_value)}” is not a date: type it as "
                    "MM/DD/YYYY (for example 11/22/2026), or as M/D/YYYY, or pick a date cell."))
            else:
                refusal = mmis_date_refusal(processed_on=processed_on,
                                            opened_on=today_eastern(case.created_at), today=today)
                if refusal:
                    problems.append(Problem(number, MONITOR_DATE, DATE_PROBLEMS[refusal]))
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


def sheet_read(file: io.IOBase) -> list[list[Any]]:
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


def case_numbers(rows: list[list[Any]]) -> set[int]:
    numbers = (_text(row[0]) for row in rows)
    return {int(n) for n in numbers if n.isdigit() and len(n) <= 12}


def rejected(problems: list[Problem]) -> ImportRejected:
    """Return the refusal: the count of every problem, the first MAX_PROBLEMS listed."""
    message = (f"The spreadsheet was not imported: {len(problems):,} problem(s). Nothing was "
               "changed; correct the cells and import it again.")
    if len(problems) > MAX_PROBLEMS:
        message += f" The first {MAX_PROBLEMS} are listed."
    return ImportRejected(message, extra={"problems": [str(p) for p in problems[:MAX_PROBLEMS]],
                                          "total": len(problems)})


def rows_check(rows: list[list[Any]], *, queue: dict[int, Case], done: dict[int, Case],
               today: datetime.date) -> tuple[list[MonitorRow], list[str], list[Problem]]:
    """Check every row; return the rows to record, the case numbers skipped, the problems.

    *queue* holds the cases waiting for the State Monitors, *done* those of the sheet that
    already carry an MMIS Result. Rows with an empty MMIS Result are left in the queue.
    """
    checked: list[MonitorRow] = []
    skipped: list[str] = []
    problems: list[Problem] = []
    seen: set[int] = set()
    for number, values in enumerate(rows, start=2):
        if all(_text(v) == "" for v in values):
            continue
        row = _read_row(number, dict(zip(MONITOR_HEADERS, values)), queue, done, seen,
                        today, problems)
        if isinstance(row, Skipped):
            skipped.append(row.case.number)
        elif row is not None:
            checked.append(row)
    return checked, skipped, problems
