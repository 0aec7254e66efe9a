"""Read service lines from an uploaded .xlsx sheet: every cell checked, all lines or none.

The sheet has a header row with the form's three labels, then one line per row. Formulas
are refused, and so is text starting with a formula character, so that a value stored here
can never run as a formula when someone later opens an export in a spreadsheet (OWASP
"CSV injection").
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import BinaryIO

from openpyxl import Workbook

from posc.xlsx import FORMULA_START, WorkbookRefused, sheet_rows, workbook_open
from recoupments.inputs import LineInput

HEADERS = ("Date(s) of Service Recouped", "Service Code or Name", "Amount Recouped")
COLUMNS = "ABC"
MAX_LINES = 200
MAX_PROBLEMS = 25
SERVICE_MAX = 100
# Sensible bounds of one recouped claim line: a line over $1,000,000.00 or a date of
# service more than 10 years back is a typing slip, not a claim (said to the provider).
AMOUNT_MAX = Decimal("1000000.00")
AMOUNT_MAX_TEXT = "$1,000,000.00"
NOT_AN_AMOUNT = Decimal("999999999999.99")  # beyond this, the text is no amount at all
OLDEST_SERVICE_YEARS = 10
# Text amounts: digits with optional thousands commas and cents; no exponent ("1e5").
AMOUNT_TEXT_RE = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def oldest_date_of_service(today: datetime.date) -> datetime.date:
    """Return the earliest date of service accepted: 10 years before *today*."""
    try:
        return today.replace(year=today.year - OLDEST_SERVICE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - OLDEST_SERVICE_YEARS, day=28)


class SheetRejected(ValueError):
    """The sheet was refused; ``problems`` lists every problem found, by row and column."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _norm(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().lower()


def parse_amount(raw: object) -> Decimal:
    """Return dollars and cents from a number or text such as ``$1,250.00``; ValueError if not."""
    if isinstance(raw, bool):
        raise ValueError("not an amount")
    if isinstance(raw, (int, float, Decimal)):
        text = str(raw)
    else:
        text = str(raw).strip().removeprefix("$").strip()
        if not AMOUNT_TEXT_RE.fullmatch(text):
            raise ValueError("not an amount")  # e.g. 1e5, 1,0,0 or -5
        text = text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("not an amount") from None
    if not amount.is_finite() or abs(amount) > NOT_AN_AMOUNT:
        raise ValueError("not an amount")
    cents = amount.quantize(Decimal("0.01"))
    if cents != amount:
        raise ValueError("not dollars and cents")  # e.g. 12.345
    return cents


def _date(value: object) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0):
            raise ValueError("has a time")
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        return datetime.datetime.strptime(value.strip(), "%m/%d/%Y").date()
    raise ValueError("not a date")


def _line(row_number: int, cells: list, today: datetime.date,
          problems: list[str]) -> LineInput | None:
    """Check one row's cells; add a problem per bad cell; return the line when all are good."""
    before = len(problems)

    def problem(col: int, text: str) -> None:
        problems.append(f"Row {row_number}, column {COLUMNS[col]} ({HEADERS[col]}): {text}")

    values = [cell.value if cell is not None else None for cell in cells]
    formulas = {col for col, cell in enumerate(cells)
                if cell is not None and cell.data_type == "f"}
    for col in sorted(formulas):
        problem(col, "formulas are not accepted; type the value.")
    date_value, service, amount_value = values
    day = amount = None
    if 0 in formulas:
        pass
    elif date_value in (None, ""):
        problem(0, "enter the date of service.")
    else:
        try:
            day = _date(date_value)
        except ValueError:
            problem(0, "enter a date as MM/DD/YYYY.")
        else:
            if day > today:
                problem(0, "the date of service cannot be in the future.")
            elif day < oldest_date_of_service(today):
                problem(0, f"the date of service cannot be more than {OLDEST_SERVICE_YEARS} "
                           f"years ago.")
    service = "" if service is None else str(service).strip()
    if 1 in formulas:
        pass
    elif not service:
        problem(1, "enter the service code or name.")
    elif service.startswith(FORMULA_START):
        problem(1, "must not start with =, +, -, @ or a tab.")
    elif len(service) > SERVICE_MAX:
        problem(1, f"use at most {SERVICE_MAX} characters.")
    if 2 in formulas:
        pass
    elif amount_value in (None, ""):
        problem(2, "enter the amount recouped.")
    else:
        try:
            amount = parse_amount(amount_value)
        except ValueError:
            problem(2, "enter dollars and cents, e.g. 125.00.")
        else:
            if amount <= 0:
                problem(2, "the amount must be more than $0.00.")
            elif amount > AMOUNT_MAX:
                problem(2, f"the amount cannot be more than {AMOUNT_MAX_TEXT} for one line.")
    if len(problems) > before:
        return None
    return LineInput(date_of_service=day, service=service, amount=amount)


def read_lines(upload: BinaryIO, *, today: datetime.date,
               size: int | None = None) -> list[LineInput]:
    """Return the sheet's lines, or raise SheetRejected naming every bad cell.

    The size and shape limits of every upload are posc.xlsx's (*size* is the upload's).
    """
    try:
        workbook = workbook_open(upload)
    except WorkbookRefused as refused:
        raise SheetRejected([refused.message]) from None
    try:
        rows = sheet_rows(workbook.worksheets[0])
        header = next(rows, ())
        if [_norm(c.value) for c in header[:3]] != [_norm(h) for h in HEADERS]:
            raise SheetRejected([
                "Row 1 must hold the headers " + ", ".join(f"“{h}”" for h in HEADERS)
                + " in columns A to C."])
        problems: list[str] = []
        lines: list[LineInput] = []
        for row_number, row in enumerate(rows, start=2):
            cells = list(row)
            extra = [c for c in cells[3:] if c is not None and c.value not in (None, "")]
            padded = (cells[:3] + [None, None, None])[:3]
            if all(c is None or c.value in (None, "") for c in padded) and not extra:
                continue  # a blank row
            if len(lines) + 1 > MAX_LINES:
                raise SheetRejected([f"The sheet has more than {MAX_LINES} lines."])
            for cell in extra:
                problems.append(f"Row {row_number}, column {cell.column_letter}: only columns "
                                f"A to C are read; leave the others empty.")
            line = _line(row_number, padded, today, problems)
            if line is not None:
                lines.append(line)
            if len(problems) >= MAX_PROBLEMS:
                problems.append("… and possibly more: correct these first.")
                break
    except WorkbookRefused as refused:
        raise SheetRejected([refused.message]) from None
    finally:
        workbook.close()
    if problems:
        raise SheetRejected(problems)
    if not lines:
        raise SheetRejected(["The sheet has no service lines under the header row."])
    return lines


def template_workbook() -> bytes:
    """Return an empty sheet with the header row, for providers to fill in."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Service lines"
    sheet.append(list(HEADERS))
    for column, width in zip(COLUMNS, (28, 32, 18)):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
