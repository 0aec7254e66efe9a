"""A plan's roster compared with the state's members in force (issue 17, point 4).

The plan uploads its roster for a month as CSV (docs/reconciliation.md): Member ID, Rate
Cell, Start Date. Every row is checked first; one bad row refuses the whole file, with
every problem named by its row, and nothing is stored. A good roster is compared with the
spans in force with the plan on the month's first day (the members of that day's audit
834), and the counts and every difference are stored: the page and the spreadsheet show
what was found at upload, however the spans change later.
"""

import csv
import datetime
import io
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from enrollment.audit_files import in_force_spans, state_rate_cell
from enrollment.models import Reconciliation, ReconciliationDifference
from posc.clock import EASTERN
from posc.exceptions import DomainError
from posc.members.models import Plan, Program
from posc.members.selectors import user_plans
from posc.submission import submission_replay
from posc.xlsx import FORMULA_START, MB

HEADERS = ("Member ID", "Rate Cell", "Start Date")
MAX_ROSTER_BYTES = 5 * MB  # within POSC_MAX_REQUEST_BYTES (posc/settings/base.py)
MAX_ROSTER_ROWS = 120_000  # a 5 MB roster holds about 130,000 rows
MAX_PROBLEMS = 25  # listed on the page; the count says how many more

_MEMBER_ID = re.compile(r"[0-9]{12}", re.ASCII)
# A rate cell code: program code, rating category, region (posc/mmis/programs.py).
_RATE_CELL = re.compile(r"(SCO|OC)-[A-Z0-9]{1,4}-(GB|RS)", re.ASCII)
_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")


@dataclass(frozen=True)
class RosterRow:
    row: int  # the file's row number, the header being row 1
    member_id: str
    rate_cell: str
    start_date: datetime.date


class RosterRejected(ValueError):
    """The roster was refused; ``problems`` names each one by its row, for the user."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _header(cells: list[str]) -> str:
    return " ".join(cells).replace("_", " ").strip().lower()


def _text(file: IO[bytes]) -> str:
    too_large = RosterRejected([f"The file is larger than {MAX_ROSTER_BYTES // MB} MB."])
    size = getattr(file, "size", None)
    if size is not None and size > MAX_ROSTER_BYTES:
        raise too_large
    data = file.read(MAX_ROSTER_BYTES + 1)
    if len(data) > MAX_ROSTER_BYTES:
        raise too_large
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV (Comma delimited)" saves Windows-1252.
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise RosterRejected(["The file is not a CSV file."])
    return text


def _date(value: str) -> datetime.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _row(number: int, cells: list[str], problems: list[str]) -> RosterRow | None:
    """Return the row checked, or None after adding its problems to *problems*."""
    cells = [c.strip() for c in cells]
    while len(cells) > len(HEADERS) and not cells[-1]:
        cells.pop()
    if len(cells) != len(HEADERS):
        problems.append(f"Row {number}: expected 3 values (Member ID, Rate Cell, Start Date), "
                        f"found {len(cells)}.")
        return None
    member_id, rate_cell, start = cells[0], cells[1].upper(), cells[2]
    found = len(problems)
    if not _MEMBER_ID.fullmatch(member_id):
        hint = (" Excel wrote it as a number: format the column as Text."
                if "E+" in member_id.upper() else "")
        problems.append(f"Row {number}: Member ID {member_id[:20]!r} is not 12 digits.{hint}")
    if not _RATE_CELL.fullmatch(rate_cell):
        problems.append(f"Row {number}: Rate Cell {cells[1][:20]!r} is not a rate cell code "
                        "such as SCO-CW-GB.")
    day = _date(start)
    if day is None:
        problems.append(f"Row {number}: Start Date {start[:20]!r} is not a date as MM/DD/YYYY.")
    if len(problems) > found:
        return None
    return RosterRow(row=number, member_id=member_id, rate_cell=rate_cell, start_date=day)


def roster_read(file: IO[bytes]) -> list[RosterRow]:
    """Return every row of the roster CSV, or raise RosterRejected listing every problem.

    Row 1 is the header ``Member ID,Rate Cell,Start Date``; blank rows are skipped; a
    Member ID may appear once.
    """
    text = _text(file)
    problems: list[str] = []
    rows: list[RosterRow] = []
    first_row: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_ROSTER_ROWS + 1:
                raise RosterRejected([f"The roster has more than {MAX_ROSTER_ROWS:,} rows."])
            if number == 1:
                if _header(cells[:3]) != _header(list(HEADERS)) or any(c.strip()
                                                                        for c in cells[3:]):
                    raise RosterRejected([f"Row 1 must be the header {','.join(HEADERS)}."])
                continue
            if not any(c.strip() for c in cells):
                continue
            row = _row(number, cells, problems)
            if row is None:
                continue
            if row.member_id in first_row:
                problems.append(f"Row {number}: Member ID {row.member_id} is already on row "
                                f"{first_row[row.member_id]}.")
                continue
            first_row[row.member_id] = number
            rows.append(row)
    except csv.Error as exc:
        raise RosterRejected([f"Row {reader.line_num}: the file is not valid CSV ({exc})."])\
            from None
    if not rows and not problems:
        problems.append("The roster lists no member: one row per member after the header.")
    if problems:
        more = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS]
        if more > 0:
            shown.append(f"… and {more:,} more problem{'s' if more > 1 else ''}.")
        raise RosterRejected(shown)
    return rows


def _state_members(*, plan: Plan, month: datetime.date) -> dict[str, tuple[str, datetime.date]]:
    """Return each member in force with *plan* on *month*: (rate cell, span start)."""
    rows = (in_force_spans(plan=plan, as_of=month)
            .values_list("member_id", "start_date", "member__rating_category", "member__county")
            .iterator(chunk_size=10_000))
    return {member_id: (state_rate_cell(program=plan.program, rating_category=category,
                                        county=county), start)
            for member_id, start, category, county in rows}


def _differences(state: dict[str, tuple[str, datetime.date]],
                 roster: list[RosterRow]) -> Iterator[ReconciliationDifference]:
    kind = ReconciliationDifference.Kind
    on_roster = set()
    for row in roster:
        on_roster.add(row.member_id)
        theirs = state.get(row.member_id)
        if theirs is None:
            yield ReconciliationDifference(
                kind=kind.PLAN_ONLY, member_id=row.member_id, roster_row=row.row,
                roster_rate_cell=row.rate_cell, roster_start_date=row.start_date)
            continue
        rate_cell, start = theirs
        if rate_cell != row.rate_cell:
            yield ReconciliationDifference(
                kind=kind.RATE_CELL, member_id=row.member_id, roster_row=row.row,
                state_rate_cell=rate_cell, roster_rate_cell=row.rate_cell,
                state_start_date=start, roster_start_date=row.start_date)
        if start != row.start_date:
            yield ReconciliationDifference(
                kind=kind.START_DATE, member_id=row.member_id, roster_row=row.row,
                state_rate_cell=rate_cell, roster_rate_cell=row.rate_cell,
                state_start_date=start, roster_start_date=row.start_date)
    for member_id in sorted(state.keys() - on_roster):
        rate_cell, start = state[member_id]
        yield ReconciliationDifference(kind=kind.STATE_ONLY, member_id=member_id,
                                       state_rate_cell=rate_cell, state_start_date=start)


@transaction.atomic(durable=True)
def reconciliation_run(*, plan: Plan, month: datetime.date, roster: list[RosterRow],
                       file_name: str, token: uuid.UUID,
                       actor: AbstractBaseUser) -> Reconciliation:
    """Compare *roster* with the members in force with *plan* on *month*; store the result.

    A re-post of the same form (*token*) returns the reconciliation it made.
    """
    stored = submission_replay(
        Reconciliation, token=token, user=actor, owner_field="uploaded_by_id",
        refusal="This form can no longer be submitted. Open the Reconciliation page again.")
    if stored is not None:
        return stored
    if month.day != 1:
        raise DomainError("Choose a month.", code="MONTH")
    if plan.program not in Program.integrated():
        raise DomainError("Only SCO and One Care plans reconcile their rosters.", code="PLAN")
    state = _state_members(plan=plan, month=month)
    differences = list(_differences(state, roster))
    counts = {k: 0 for k in ReconciliationDifference.Kind.values}
    for difference in differences:
        counts[difference.kind] += 1
    on_both = len(roster) - counts["PLAN_ONLY"]
    mismatched = len({d.member_id for d in differences if d.kind in ("RATE_CELL", "START_DATE")})
    reconciliation = Reconciliation.objects.create(
        plan=plan, month=month, uploaded_by=actor, submission_token=token,
        file_name=file_name[:255], roster_count=len(roster), state_count=len(state),
        matched_count=on_both - mismatched, state_only_count=counts["STATE_ONLY"],
        plan_only_count=counts["PLAN_ONLY"], rate_cell_count=counts["RATE_CELL"],
        start_date_count=counts["START_DATE"])
    for difference in differences:
        difference.reconciliation = reconciliation
    ReconciliationDifference.objects.bulk_create(differences, batch_size=5_000)
    audit_record(AuditAction.IMPORT, "reconciliation", reconciliation.label, user=actor,
                 detail=(f"{len(roster)} roster rows, {len(state)} in force, "
                         f"{reconciliation.difference_count} differences"))
    return reconciliation


# ---------------------------------------------------------------------------- the sheet

COLUMNS = ("Difference", "Member ID", "Roster Row", "State Rate Cell", "Roster Rate Cell",
           "State Start Date", "Roster Start Date")


def _cell(sheet, value: object) -> object:
    """Return *value* for a write-only *sheet*: a date shown MM/DD/YYYY (ui.md), and text
    Excel would run as a formula kept as text (OWASP CSV injection)."""
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "mm/dd/yyyy"
        return cell
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def difference_rows(differences: Iterable[ReconciliationDifference]) -> Iterator[list]:
    for d in differences:
        yield [d.get_kind_display(), d.member_id, d.roster_row, d.state_rate_cell,
               d.roster_rate_cell, d.state_start_date, d.roster_start_date]


def reconciliation_xlsx(reconciliation: Reconciliation,
                        differences: Iterable[ReconciliationDifference]) -> bytes:
    """Return the reconciliation as a workbook: a summary sheet and the differences."""
    book = Workbook(write_only=True)
    summary = book.create_sheet("Summary")
    r = reconciliation
    for label, value in (
            ("Provider ID", r.plan.provider_id), ("Plan", r.plan.name),
            ("Month", r.month.strftime("%m/%Y")), ("Roster file", r.file_name),
            ("Uploaded by", r.uploaded_by.get_username()),
            ("Uploaded at", f"{r.created_at.astimezone(EASTERN):%m/%d/%Y %I:%M %p}"),
            ("Members on the roster", r.roster_count), ("Members the state has", r.state_count),
            ("Members who match", r.matched_count),
            ("Enrolled at the state, not on the roster", r.state_only_count),
            ("On the roster, not enrolled at the state", r.plan_only_count),
            ("Rate cell differs", r.rate_cell_count), ("Start date differs", r.start_date_count)):
        summary.append([label, _cell(summary, value)])
    sheet = book.create_sheet("Differences")
    sheet.append(list(COLUMNS))
    for row in difference_rows(differences):
        sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------- selectors

VIEW_ALL = "enrollment.view_reconciliation"  # Enrollment Operations (posc/roles.py)


def reconciliation_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Reconciliation]:
    """Return the reconciliations the user may open: their plans', or all with VIEW_ALL."""
    found = Reconciliation.objects.select_related("plan", "uploaded_by")
    if not user.has_perm(VIEW_ALL):
        found = found.filter(plan__in=user_plans(user=user))
    return found.order_by("-created_at", "-pk")


def reconciliation_latest_per_plan() -> list[tuple[Plan, Reconciliation | None]]:
    """Return every SCO and One Care plan with its last reconciliation (None if none yet)."""
    plans = list(Plan.objects.filter(program__in=Program.integrated()).order_by("provider_id"))
    latest = {r.plan_id: r for r in (Reconciliation.objects.select_related("uploaded_by")
                                      .order_by("plan_id", "-created_at", "-pk")
                                      .distinct("plan_id"))}
    return [(plan, latest.get(plan.pk)) for plan in plans]
