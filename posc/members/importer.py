"""Load the MMIS eligibility feed into members and spans (contracts/member-feed.md).

The file is streamed once: each row is checked in Python and copied into a temporary
staging table inside one transaction. Repeated member IDs and span conflicts are then
found with SQL on that table, and the upsert is one INSERT ... SELECT, so memory does
not grow with the file size. Any problem rolls the whole transaction back.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from django.db import connection, transaction

from posc.exceptions import ImportRejected
from posc.members.models import (
    County,
    CoverageType,
    EnrollmentSpan,
    Member,
    Plan,
    Program,
    Residence,
    Sex,
)

# demo-data.md: the SCO and One Care rating categories.
RATING_CATEGORIES = ("CW", "CNHC", "T1", "T2", "T3", "F1", "C3A", "C3B", "C2A", "C2B", "C1")
PROGRESS_EVERY = 100_000
_BATCH_ROWS = 5_000
_DATE_CACHE_LIMIT = 100_000
_STAGING = "import_members_staging"

# (column, required, staging type), in the contract's order. The first 23 are Member fields.
COLUMNS: tuple[tuple[str, bool, str], ...] = (
    ("member_id", True, "text"),
    ("last_name", True, "text"),
    ("first_name", True, "text"),
    ("middle_initial", False, "text"),
    ("date_of_birth", True, "date"),
    ("sex", True, "text"),
    ("coverage_type", True, "text"),
    ("coverage_start", True, "date"),
    ("coverage_end", False, "date"),
    ("medicare_a_start", False, "date"),
    ("medicare_a_end", False, "date"),
    ("medicare_b_start", False, "date"),
    ("medicare_b_end", False, "date"),
    ("mbi", False, "text"),
    ("address_line1", True, "text"),
    ("city", True, "text"),
    ("zip", True, "text"),
    ("county", True, "text"),
    ("residence", True, "text"),
    ("rating_category", True, "text"),
    ("esrd", True, "boolean"),
    ("deductible_period", True, "boolean"),
    ("date_of_death", False, "date"),
    ("current_plan_provider_id", False, "text"),
    ("current_plan_start", False, "date"),
)
NAMES = tuple(name for name, _, _ in COLUMNS)
MEMBER_FIELDS = NAMES[:23]
_I = {name: i for i, name in enumerate(NAMES)}
# (end, start): the end may not be before its start (member-feed.md); death not before birth.
_ORDERED_DATES = tuple((_I[end], _I[start]) for end, start in (
    ("coverage_end", "coverage_start"),
    ("medicare_a_end", "medicare_a_start"),
    ("medicare_b_end", "medicare_b_start"),
    ("date_of_death", "date_of_birth"),
))
_DOB, _PLAN, _PLAN_START = _I["date_of_birth"], _I["current_plan_provider_id"], _I["current_plan_start"]

REQUIRED = "is required"
_LETTER = re.compile(r"[A-Za-z]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# domain.md F: the CMS MBI pattern (letters exclude S, L, O, I, B, Z).
MBI_PATTERN = (r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d"
               r"[AC-HJKMNP-RT-Y]{2}\d{2}")


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    rows: int
    spans_created: int = 0


class _Invalid(ValueError):
    """A value that breaks the contract; the message says how."""


Converter = Callable[[str], str | None]


def _undecodable(value: str) -> bool:
    """Return True when *value* holds bytes that were not UTF-8 (kept as lone surrogates)."""
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def _show(value: str) -> str:
    """Return *value* quoted for a problem message, shortened and with bad bytes named."""
    if _undecodable(value):
        return "a value that is not valid UTF-8"
    return repr(value if len(value) <= 40 else f"{value[:37]}...")


def _text(max_len: int, *, required: bool = True, letter: bool = False) -> Converter:
    """Return a converter for free text of at most *max_len* characters, trimmed."""
    def convert(value: str) -> str:
        v = value.strip()
        if not v:
            if required:
                raise _Invalid(REQUIRED)
            return ""
        if len(v) > max_len:
            raise _Invalid(f"is longer than {max_len} characters")
        if not v.isprintable():
            if _undecodable(v):
                raise _Invalid("is not valid UTF-8")
            # Line breaks or control characters would break the 834 segments and the screens.
            raise _Invalid("contains a line break or another non-printing character")
        if letter and not _LETTER.search(v):
            # The 834 writer needs a name with at least one letter (NM103/NM104).
            raise _Invalid(f"must contain a letter, not {_show(v)}")
        return v
    return convert


def _pattern(regex: str, what: str, *, required: bool = True, upper: bool = False) -> Converter:
    """Return a converter for a value matching *regex* (ASCII only)."""
    match = re.compile(regex, re.ASCII | (re.IGNORECASE if upper else 0)).fullmatch

    def convert(value: str) -> str:
        if match(value):
            return value.upper() if upper else value
        v = value.strip()
        if not v:
            if required:
                raise _Invalid(REQUIRED)
            return ""
        if match(v):
            return v.upper() if upper else v
        raise _Invalid(f"must be {what}, not {_show(v)}")
    return convert


def _choice(values: Sequence[str], *, required: bool = True) -> Converter:
    """Return a converter for an enumeration matched ignoring case, giving the canonical value."""
    exact = {v: v for v in values}
    folded = {v.casefold(): v for v in values}
    listed = ", ".join(values)

    def convert(value: str) -> str:
        canonical = exact.get(value)
        if canonical is not None:
            return canonical
        v = value.strip()
        if not v:
            if required:
                raise _Invalid(REQUIRED)
            return ""
        canonical = folded.get(v.casefold())
        if canonical is None:
            raise _Invalid(f"must be one of {listed}, not {_show(v)}")
        return canonical
    return convert


def _date(valid: set[str], *, required: bool = True, first_of_month: bool = False) -> Converter:
    """Return a converter for a YYYY-MM-DD date, kept as its ISO string (which sorts as dates)."""
    def convert(value: str) -> str | None:
        if value in valid:
            v = value
        else:
            v = value.strip()
            if not v:
                if required:
                    raise _Invalid(REQUIRED)
                return None
            if not _DATE.fullmatch(v):
                raise _Invalid(f"must be a date YYYY-MM-DD, not {_show(v)}")
            try:
                datetime.date(int(v[:4]), int(v[5:7]), int(v[8:]))
            except ValueError:
                raise _Invalid(f"is not a calendar date: {_show(v)}") from None
            if len(valid) < _DATE_CACHE_LIMIT:
                valid.add(v)
        if first_of_month and v[8:] != "01":
            raise _Invalid(f"must be the first day of a month, not {v}")
        return v
    return convert


def _plan(programs: dict[str, str]) -> Converter:
    """Return a converter for the provider ID of an existing SCO or One Care plan."""
    def convert(value: str) -> str | None:
        v = value.strip().upper()
        if not v:
            return None
        program = programs.get(v)
        if program is None:
            raise _Invalid(f"no plan has the provider ID {_show(value.strip())}")
        if program not in Program.integrated():
            raise _Invalid(f"{v} is a {program} plan, not an SCO or One Care plan")
        return v
    return convert


def converters(*, plan_programs: dict[str, str]) -> tuple[Converter, ...]:
    """Return one converter per column of COLUMNS, in order."""
    dates: set[str] = set()
    yes_no = _choice(("Y", "N"))
    return (
        _pattern(r"\d{12}", "12 digits"),  # domain.md F: the MassHealth member ID
        _text(60, letter=True),
        _text(35, letter=True),
        _pattern(r"[A-Za-z]", "one letter", required=False, upper=True),
        _date(dates),
        _choice(Sex.values),
        _choice(CoverageType.values),
        _date(dates),
        _date(dates, required=False),
        _date(dates, required=False),
        _date(dates, required=False),
        _date(dates, required=False),
        _date(dates, required=False),
        _pattern(MBI_PATTERN, "an MBI in the CMS format", required=False, upper=True),
        _text(100),
        _text(60),
        _pattern(r"\d{5}", "5 digits"),
        _choice(County.values),
        _choice(Residence.values),
        _choice(RATING_CATEGORIES),
        yes_no,
        yes_no,
        _date(dates, required=False),
        _plan(plan_programs),
        _date(dates, required=False, first_of_month=True),
    )


def row_problems(values: list[str | None], *, today: str,
                 bad: frozenset[int] = frozenset()) -> list[tuple[str, str]]:
    """Return the (column, problem) pairs that involve two values of a row.

    *bad* holds the positions of values already refused; rules involving them are skipped.
    """
    problems = []
    for end, start in _ORDERED_DATES:
        if values[end] is None or end in bad or start in bad:
            continue
        if values[start] is None:
            problems.append((NAMES[end], f"is given without {NAMES[start]}"))
        elif values[end] < values[start]:
            problems.append((NAMES[end], f"is before {NAMES[start]} ({values[start]})"))
    dob = values[_DOB]
    if dob is not None and dob > today:
        problems.append(("date_of_birth", f"is in the future ({dob})"))
    if _PLAN in bad or _PLAN_START in bad:
        return problems
    if values[_PLAN] is not None and values[_PLAN_START] is None:
        problems.append(("current_plan_start", f"{REQUIRED} with current_plan_provider_id"))
    elif values[_PLAN] is None and values[_PLAN_START] is not None:
        problems.append(("current_plan_start", "is given without current_plan_provider_id"))
    return problems


def _convert_each(convs: Sequence[Converter], values: Sequence[str], line: int,
                  problems: list[tuple[int, str, str]], today: str) -> list[str | None]:
    """Convert a row that has a bad value, noting every problem; refused values become None."""
    out: list[str | None] = []
    bad = set()
    for i, (convert, value) in enumerate(zip(convs, values)):
        try:
            out.append(convert(value))
        except _Invalid as problem:
            problems.append((line, NAMES[i], str(problem)))
            out.append(None)
            bad.add(i)
    problems.extend((line, column, problem)
                    for column, problem in row_problems(out, today=today, bad=frozenset(bad)))
    return out


def _header_positions(header: list[str]) -> tuple[list[int | None], list[tuple[int, str, str]]]:
    """Return where each column of COLUMNS sits in *header* (None when absent) and its problems."""
    positions: dict[str, int] = {}
    problems = []
    for i, raw in enumerate(header):
        name = raw.strip().lower()
        if name not in _I:
            shown = name if name and name.isprintable() else f"column {i + 1}"
            problems.append((1, shown, "unknown column"))
        elif name in positions:
            problems.append((1, name, "column repeated"))
        else:
            positions[name] = i
    problems.extend((1, name, "required column missing")
                    for name, required, _ in COLUMNS if required and name not in positions)
    return [positions.get(name) for name in NAMES], problems


def _extractor(positions: list[int | None], width: int) -> Callable[[list[str]], Sequence[str]] | None:
    """Return a function putting a row's values in COLUMNS order (None when already so)."""
    if positions == list(range(width)):
        return None
    index = [width if p is None else p for p in positions]
    get = itemgetter(*index)
    if width not in index:
        return get

    def extract(row: list[str]) -> Sequence[str]:
        row.append("")  # stands for every absent optional column
        return get(row)
    return extract


def _check_and_stage(lines: io.TextIOBase, *, plan_programs: dict[str, str], today: datetime.date,
                     problems: list[tuple[int, str, str]], write: Callable[[str], object],
                     progress: Callable[[int], None] | None) -> int:
    """Check every row, writing the rows with a valid member ID as staging CSV; return the count."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        problems.append((1, "header", "the file is empty"))
        return 0
    except csv.Error as error:
        problems.append((1, "header", f"cannot be read as CSV: {error}"))
        return 0
    positions, header_problems = _header_positions(header)
    if header_problems:
        problems.extend(header_problems)
        return 0
    width = len(header)
    extract = _extractor(positions, width)
    convs = converters(plan_programs=plan_programs)
    today_iso = today.isoformat()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    batch: list[list[str | int | None]] = []
    rows = 0
    next_progress = PROGRESS_EVERY
    last = reader.line_num
    try:
        for row in reader:
            # A quoted field may span lines: a record starts on the line after the previous one.
            line = last + 1
            last = reader.line_num
            if len(row) != width:
                if row:  # csv gives [] for a blank line, which is skipped
                    rows += 1
                    problems.append((line, "row", f"has {len(row)} fields, the header {width}"))
                continue
            rows += 1
            values = row if extract is None else extract(row)
            try:
                out = [convert(value) for convert, value in zip(convs, values)]
            except _Invalid:
                out = _convert_each(convs, values, line, problems, today_iso)
            else:
                cross = row_problems(out, today=today_iso)
                if cross:
                    problems.extend((line, column, problem) for column, problem in cross)
            if out[0] is not None:
                out.append(line)
                batch.append(out)
                if len(batch) == _BATCH_ROWS:
                    writer.writerows(batch)
                    batch.clear()
                    write(buffer.getvalue())
                    buffer.seek(0)
                    buffer.truncate()
            if rows == next_progress and progress is not None:
                progress(rows)
                next_progress += PROGRESS_EVERY
    except csv.Error as error:
        problems.append((last + 1, "row", f"cannot be read as CSV: {error}"))
    writer.writerows(batch)
    write(buffer.getvalue())
    return rows


def _sql() -> dict[str, str]:
    """Return the statements of an import, with the table names of the models."""
    member, span, plan = (m._meta.db_table for m in (Member, EnrollmentSpan, Plan))
    columns = ", ".join(f"{name} {kind}" for name, _, kind in COLUMNS)
    member_cols = ", ".join(MEMBER_FIELDS)
    selected = ", ".join(f"coalesce({name}, '')" if name in ("middle_initial", "mbi") else name
                         for name in MEMBER_FIELDS)
    assigned = ", ".join(f"{name} = excluded.{name}" for name in MEMBER_FIELDS[1:])
    # A non-cancelled span with the row's plan, in force on or after its start: nothing to add.
    same_plan = f"""EXISTS (
        SELECT 1 FROM {span} e JOIN {plan} ep ON ep.id = e.plan_id
        WHERE e.member_id = s.member_id AND ep.provider_id = s.current_plan_provider_id
          AND NOT e.cancelled AND (e.end_date IS NULL OR e.end_date >= s.current_plan_start))"""
    new_spans = f"""
        FROM {_STAGING} s JOIN {plan} p ON p.provider_id = s.current_plan_provider_id
        WHERE s.current_plan_start IS NOT NULL AND NOT {same_plan}"""
    return {
        "drop": f"DROP TABLE IF EXISTS pg_temp.{_STAGING}",
        "create": f"CREATE TEMPORARY TABLE {_STAGING} ({columns}, line integer) ON COMMIT DROP",
        "copy": f"COPY {_STAGING} ({', '.join(NAMES)}, line) FROM STDIN (FORMAT csv)",
        "analyze": f"ANALYZE {_STAGING}",
        "repeated": f"""
            SELECT member_id, array_agg(line ORDER BY line) FROM {_STAGING}
            GROUP BY member_id HAVING count(*) > 1""",
        # The row's open span would overlap an SCO / One Care span of another plan.
        "conflicts": f"""
            SELECT s.line, op.provider_id, o.start_date, o.end_date
            FROM {_STAGING} s
            JOIN {span} o ON o.member_id = s.member_id
            JOIN {plan} op ON op.id = o.plan_id
            WHERE s.current_plan_start IS NOT NULL
              AND op.provider_id <> s.current_plan_provider_id
              AND NOT o.cancelled AND o.program = ANY(%s)
              AND (o.end_date IS NULL OR o.end_date >= s.current_plan_start)
              AND NOT {same_plan}
            ORDER BY s.line, o.start_date""",
        "upsert": f"""
            WITH upserted AS (
                INSERT INTO {member} ({member_cols}, updated_at)
                SELECT {selected}, now() FROM {_STAGING}
                ON CONFLICT (member_id) DO UPDATE SET {assigned}, updated_at = excluded.updated_at
                RETURNING (xmax = 0) AS created)
            SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created)
            FROM upserted""",
        "count": f"""
            SELECT count(*) FILTER (WHERE m.member_id IS NULL), count(m.member_id)
            FROM {_STAGING} s LEFT JOIN {member} m ON m.member_id = s.member_id""",
        "count_spans": f"SELECT count(*) {new_spans}",
        "insert_spans": f"""
            INSERT INTO {span} (member_id, plan_id, program, start_date, end_date, cancelled,
                                source, created_at, updated_at)
            SELECT s.member_id, p.id, p.program, s.current_plan_start, NULL, false, %s, now(), now()
            {new_spans}""",
    }


def _database_problems(cursor, sql: dict[str, str]) -> list[tuple[int, str, str]]:
    """Return the problems found on the staging table: repeated member IDs and span conflicts."""
    problems = []
    cursor.execute(sql["repeated"])
    for member_id, lines in cursor.fetchall():
        for line in lines:
            others = ", ".join(str(n) for n in lines if n != line)
            problems.append((line, "member_id", f"{member_id} is repeated: also on line {others}"))
    cursor.execute(sql["conflicts"], [list(Program.integrated())])
    for line, provider_id, start, end in cursor.fetchall():
        until = f"to {end.isoformat()}" if end else "with no end"
        problems.append((line, "current_plan_provider_id",
                         f"the member is enrolled with {provider_id} from {start.isoformat()} "
                         f"{until}; an import does not change that enrollment"))
    return problems


def members_import(*, path: Path | str, today: datetime.date, dry_run: bool = False,
                   progress: Callable[[int], None] | None = None) -> ImportResult:
    """Check the feed at *path* and upsert its members and spans, all or nothing.

    Raise ImportRejected with every problem when any row is bad; with *dry_run*, check only.
    """
    sql = _sql()
    problems: list[tuple[int, str, str]] = []
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg 3: COPY is not in Django's cursor API
        plan_programs = dict(Plan.objects.values_list("provider_id", "program"))
        cursor.execute(sql["drop"])
        cursor.execute(sql["create"])
        # surrogateescape: a bad byte fails its field's check, so the problem gets its line.
        with (open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as lines,
              cursor.copy(sql["copy"]) as copy):
            rows = _check_and_stage(lines, plan_programs=plan_programs, today=today,
                                    problems=problems, write=copy.write, progress=progress)
        cursor.execute(sql["analyze"])
        problems.extend(_database_problems(cursor, sql))
        if problems:
            problems.sort(key=itemgetter(0))  # stable: a line's own problems stay in order
            raise ImportRejected(
                f"{len(problems)} problems in {Path(path).name}; nothing was imported",
                extra={"problems": [f"line {n}: {column}: {problem}"
                                    for n, column, problem in problems]})
        if dry_run:
            cursor.execute(sql["count"])
            created, updated = cursor.fetchone()
            cursor.execute(sql["count_spans"])
            (spans,) = cursor.fetchone()
            transaction.set_rollback(True)
        else:
            cursor.execute(sql["upsert"])
            created, updated = cursor.fetchone()
            cursor.execute(sql["insert_spans"], [EnrollmentSpan.Source.FEED.value])
            spans = cursor.rowcount
    return ImportResult(created=created, updated=updated, rows=rows, spans_created=spans)
