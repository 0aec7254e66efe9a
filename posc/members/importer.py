"""Load the MMIS eligibility feed into members and spans (contracts/member-feed.md).

One pass over the file, one transaction. Each row is checked in Python and streamed with
COPY into a temporary staging table: PostgreSQL parses while Python checks (two cores).
Repeated member IDs and span conflicts are then found with SQL on that table, and the
upsert is set-based. Any problem rolls everything back; memory does not grow with the file.

A row already in canonical form is checked by one regular expression and sent as it is
(the fast path); any other row goes through the per-column converters, which alone decide
what is a problem and say so. The fast path only ever accepts a subset of what they accept.
"""

import csv
import datetime
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from django.db import connection, transaction

from audit.models import Action as AuditAction
from audit.services import record as audit_record
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
BATCH_ROWS = 2_000  # rows per COPY message
_DATE_CACHE_LIMIT = 100_000

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
# The free-text columns and their lengths in the model (contract: names 1-60 and 1-35).
MAX_LENGTHS = {name: Member._meta.get_field(name).max_length
               for name in ("last_name", "first_name", "address_line1", "city")}
# (end, start): an end may not be before its start (member-feed.md); no death before birth.
_ORDERED = (("coverage_end", "coverage_start"), ("medicare_a_end", "medicare_a_start"),
            ("medicare_b_end", "medicare_b_start"), ("date_of_death", "date_of_birth"))
_ORDERED_DATES = tuple((_I[end], _I[start]) for end, start in _ORDERED)
_DOB, _PLAN = _I["date_of_birth"], _I["current_plan_provider_id"]
_PLAN_START = _I["current_plan_start"]

REQUIRED = "is required"
# The 834 carries the date of birth (DMG02), and a D8 date before 1800 is invalid there
# (pyx12 4.0.0): a feed may not bring a member the 834 cannot carry.
FIRST_BIRTH_DATE = "1800-01-01"
_LETTER = re.compile(r"[A-Za-z]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# domain.md F: the CMS MBI format (C A AN N A AN N A A N N; no S, L, O, I, B, Z).
MBI_PATTERN = (r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d"
               r"[AC-HJKMNP-RT-Y]{2}\d{2}")

Converter = Callable[[str], str | None]
Problem = tuple[int, str, str]  # (line, column, problem)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int  # members whose record changed; rows - created - updated were unchanged
    rows: int
    spans_created: int = 0


class _Invalid(ValueError):
    """A value that breaks the contract; the message says how."""


class _Unreadable(ValueError):
    """A record the csv module cannot parse (e.g. a quote never closed)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


# ----------------------------------------------------------------------------- values


def _undecodable(value: str) -> bool:
    """Return True when *value* holds bytes that were not UTF-8 (kept as lone surrogates)."""
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def _show(value: str) -> str:
    """Return *value* quoted for a problem message, shortened, or say it is not UTF-8."""
    if _undecodable(value):
        return "a value that is not valid UTF-8"
    return repr(value if len(value) <= 40 else f"{value[:37]}...")


def _is_date(value: str, valid: set[str]) -> bool:
    """Return True when *value* (YYYY-MM-DD) is a calendar date, remembering it in *valid*."""
    try:
        datetime.date(int(value[:4]), int(value[5:7]), int(value[8:]))
    except ValueError:
        return False
    if len(valid) < _DATE_CACHE_LIMIT:
        valid.add(value)
    return True


def _text(max_len: int, *, name: bool = False) -> Converter:
    """Return a converter for required free text of at most *max_len* characters, trimmed."""
    def convert(value: str) -> str:
        v = value.strip()
        if not v:
            raise _Invalid(REQUIRED)
        if len(v) > max_len:
            raise _Invalid(f"is longer than {max_len} characters")
        if not v.isprintable():
            if _undecodable(v):
                raise _Invalid("is not valid UTF-8")
            # A line break or control character would break 834 segments and screens.
            raise _Invalid("contains a line break or another non-printing character")
        if name and not ((v.isascii() and v.isalpha()) or _LETTER.search(v)):
            # The 834 writer needs a letter for NM103/NM104 after dropping other characters.
            raise _Invalid(f"must contain a letter A-Z, not {_show(v)}")
        return v
    return convert


def _digits(count: int, *, what: str) -> Converter:
    """Return a converter for a required value of exactly *count* ASCII digits."""
    def convert(value: str) -> str:
        v = value.strip()
        if not v:
            raise _Invalid(REQUIRED)
        if len(v) == count and v.isdigit() and v.isascii():
            return v
        raise _Invalid(f"must be {what}, not {_show(v)}")
    return convert


def _middle_initial(value: str) -> str:
    """Return one letter A-Z in upper case, or "" when empty."""
    v = value.strip()
    if not v:
        return ""
    if len(v) == 1 and v.isascii() and v.isalpha():
        return v.upper()
    raise _Invalid(f"must be one letter, not {_show(v)}")


_MBI = re.compile(MBI_PATTERN, re.ASCII | re.IGNORECASE).fullmatch


def _mbi(value: str) -> str:
    """Return the MBI in upper case (domain.md F), or "" when empty."""
    v = value.strip()
    if not v:
        return ""
    if _MBI(v):
        return v.upper()
    raise _Invalid(f"must be an MBI in the CMS format, not {_show(v)}")


def _choice(values: Sequence[str]) -> Converter:
    """Return a converter for a required value of an enumeration, matched ignoring case."""
    folded = {v.casefold(): v for v in values}
    listed = ", ".join(values)

    def convert(value: str) -> str:
        v = value.strip()
        if not v:
            raise _Invalid(REQUIRED)
        canonical = folded.get(v.casefold())
        if canonical is None:
            raise _Invalid(f"must be one of {listed}, not {_show(v)}")
        return canonical  # stored in the canonical spelling (member-feed.md)
    return convert


def _date(valid: set[str], *, required: bool = True, first_of_month: bool = False) -> Converter:
    """Return a converter for a YYYY-MM-DD date, kept as its ISO text (which sorts as dates)."""
    def convert(value: str) -> str | None:
        v = value.strip()
        if not v:
            if required:
                raise _Invalid(REQUIRED)
            return None
        if not _DATE.fullmatch(v):
            raise _Invalid(f"must be a date YYYY-MM-DD, not {_show(v)}")
        if v not in valid and not _is_date(v, valid):
            raise _Invalid(f"is not a calendar date: {v}")
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
            raise _Invalid(f"{v} is not an SCO or One Care plan ({program})")
        return v
    return convert


def converters(*, plan_programs: dict[str, str], valid_dates: set[str]) -> tuple[Converter, ...]:
    """Return one converter per column of COLUMNS, in order."""
    optional_date = _date(valid_dates, required=False)
    yes_no = _choice(("Y", "N"))
    return (
        _digits(12, what="12 digits"),  # domain.md F: the MassHealth member ID
        _text(MAX_LENGTHS["last_name"], name=True),
        _text(MAX_LENGTHS["first_name"], name=True),
        _middle_initial,
        _date(valid_dates),
        _choice(Sex.values),
        _choice(CoverageType.values),
        _date(valid_dates),
        optional_date,
        optional_date,
        optional_date,
        optional_date,
        optional_date,
        _mbi,
        _text(MAX_LENGTHS["address_line1"]),
        _text(MAX_LENGTHS["city"]),
        _digits(5, what="5 digits"),
        _choice(County.values),
        _choice(Residence.values),
        _choice(RATING_CATEGORIES),
        yes_no,
        yes_no,
        optional_date,
        _plan(plan_programs),
        _date(valid_dates, required=False, first_of_month=True),
    )


def _row_problems(values: list[str | None], *, today: str,
                 bad: frozenset[int] = frozenset()) -> list[tuple[str, str]]:
    """Return the (column, problem) pairs of rules involving two values of a converted row.

    *bad* holds the positions of values already refused: rules involving them are skipped.
    """
    problems = []
    for end, start in _ORDERED_DATES:
        if values[end] is None or end in bad or start in bad:
            continue
        if values[start] is None:
            problems.append((NAMES[end], f"is given without {NAMES[start]}"))
        elif values[end] < values[start]:
            problems.append((NAMES[end], f"is before {NAMES[start]} ({values[start]})"))
    if _DOB not in bad and values[_DOB] > today:
        problems.append(("date_of_birth", f"is in the future ({values[_DOB]})"))
    if _DOB not in bad and values[_DOB] < FIRST_BIRTH_DATE:
        problems.append(("date_of_birth", f"is before {FIRST_BIRTH_DATE} ({values[_DOB]})"))
    if _PLAN not in bad and _PLAN_START not in bad:
        if values[_PLAN] is not None and values[_PLAN_START] is None:
            problems.append(("current_plan_start", f"{REQUIRED} with current_plan_provider_id"))
        elif values[_PLAN] is None and values[_PLAN_START] is not None:
            problems.append(("current_plan_start", "is given without current_plan_provider_id"))
    return problems


def convert_row(convs: Sequence[Converter], values: Sequence[str], *, line: int, today: str,
                problems: list[Problem]) -> list[str | None]:
    """Convert a row in COLUMNS order, noting its problems; refused values become None."""
    out: list[str | None] = []
    bad = set()
    for i, (convert, value) in enumerate(zip(convs, values, strict=True)):
        try:
            out.append(convert(value))
        except _Invalid as problem:
            problems.append((line, NAMES[i], str(problem)))
            out.append(None)
            bad.add(i)
    problems.extend((line, column, problem)
                    for column, problem in _row_problems(out, today=today, bad=frozenset(bad)))
    return out


# ----------------------------------------------------------------------------- fast path

# Canonical values only: trimmed, canonical case, printable ASCII without , or ".
_CHAR, _EDGE = r'[ !#-+\--~]', r'[!#-+\--~]'
_ISO = r"\d{4}-\d\d-\d\d"  # a calendar date only once checked against the known dates


def _one_of(values: Iterable[str]) -> str:
    """Return a pattern matching exactly one of *values*."""
    return f"(?:{'|'.join(re.escape(v) for v in values)})"


def _canonical_text(max_len: int, *, name: bool = False) -> str:
    """Return a pattern for trimmed printable ASCII text of 1 to *max_len* characters."""
    first = "[A-Za-z]" if name else _EDGE  # a name holds a letter: here, its first character
    return f"{first}(?:{_CHAR}{{0,{max_len - 2}}}{_EDGE})?"


_CANONICAL = {
    "member_id": r"\d{12}",
    "last_name": _canonical_text(MAX_LENGTHS["last_name"], name=True),
    "first_name": _canonical_text(MAX_LENGTHS["first_name"], name=True),
    "middle_initial": "[A-Z]?",
    "date_of_birth": _ISO,
    "sex": _one_of(Sex.values),
    "coverage_type": _one_of(CoverageType.values),
    "coverage_start": _ISO,
    "coverage_end": f"(?:{_ISO})?",
    "medicare_a_start": f"(?:{_ISO})?",
    "medicare_a_end": f"(?:{_ISO})?",
    "medicare_b_start": f"(?:{_ISO})?",
    "medicare_b_end": f"(?:{_ISO})?",
    "mbi": f"(?:{MBI_PATTERN})?",
    "address_line1": _canonical_text(MAX_LENGTHS["address_line1"]),
    "city": _canonical_text(MAX_LENGTHS["city"]),
    "zip": r"\d{5}",
    "county": _one_of(County.values),
    "residence": _one_of(Residence.values),
    "rating_category": _one_of(RATING_CATEGORIES),
    "esrd": "[YN]",
    "deductible_period": "[YN]",
    "date_of_death": f"(?:{_ISO})?",
    "current_plan_provider_id": None,  # the plans of the database, see fast_checker
    "current_plan_start": r"(?:\d{4}-\d\d-01)?",
}
# The values the fast path needs for the rules involving two columns, in this order.
_CAPTURED = ("date_of_birth", "coverage_start", "coverage_end", "medicare_a_start",
             "medicare_a_end", "medicare_b_start", "medicare_b_end", "date_of_death",
             "current_plan_provider_id", "current_plan_start")


def fast_checker(header: Sequence[str], *, plan_programs: dict[str, str], today: str,
                 valid_dates: set[str]) -> Callable[[str], bool]:
    """Return a test of one physical line (columns in *header* order): True when the row is
    canonical and breaks no rule, so that it may be staged as it is.

    *valid_dates* holds the dates known to be valid (shared with the converters).
    """
    plans = _one_of(sorted(p for p, program in plan_programs.items()
                           if program in Program.integrated()))
    parts = [_CANONICAL[name] or f"{plans}?" for name in header]
    parts = [f"({part})" if name in _CAPTURED else part
             for name, part in zip(header, parts, strict=True)]
    match = re.compile(",".join(parts) + r"\r?\n?", re.ASCII).fullmatch
    captured = [name for name in header if name in _CAPTURED]
    # An absent optional column reads as the "" appended to the groups.
    pick = itemgetter(*(captured.index(n) if n in captured else len(captured) for n in _CAPTURED))
    valid_dates.add("")

    def accept(line: str) -> bool:
        found = match(line)
        if found is None:
            return False
        dob, cov, cov_end, a, a_end, b, b_end, died, plan, plan_start = pick(found.groups() + ("",))
        dates = (dob, cov, cov_end, a, a_end, b, b_end, died, plan_start)
        if not valid_dates.issuperset(dates) and not all(
                d in valid_dates or _is_date(d, valid_dates) for d in dates):
            return False
        return not ((cov_end and cov_end < cov) or (a_end and (not a or a_end < a))
                    or (b_end and (not b or b_end < b)) or (died and died < dob)
                    or dob > today or dob < FIRST_BIRTH_DATE or (not plan) != (not plan_start))
    return accept


# ----------------------------------------------------------------------------- file


_EOL = "\r\n"


class _Lines(list):
    """A list of CSV lines that csv.writer can write to."""

    write = list.append


def _quoted_record(first: str, lines: Iterator[str], number: int) -> tuple[list[str], int]:
    """Parse the record starting with line *first* (number *number*), which holds a quote.

    Return its fields and how many physical lines it took: a quoted field may span lines.
    """
    reader = csv.reader(itertools.chain((first,), lines), strict=True)
    try:
        return next(reader), reader.line_num
    except csv.Error as error:
        raise _Unreadable(number, str(error)) from None


def _split(text: str, lines: Iterator[str], number: int) -> tuple[list[str], int]:
    """Return the fields of the record starting at *text* and the lines it took."""
    if '"' in text:
        return _quoted_record(text, lines, number)
    text = text.rstrip("\r\n")
    return (text.split(",") if text else []), 1


def header_columns(header: list[str]) -> tuple[list[str], list[Problem]]:
    """Return the header's column names in order and its problems (all on line 1)."""
    names = [raw.strip().lower() for raw in header]
    problems = []
    for i, name in enumerate(names):
        if name not in _I:
            shown = name if name and name.isprintable() else f"column {i + 1}"
            problems.append((1, shown, "unknown column"))
        elif name in names[:i]:
            problems.append((1, name, "column repeated"))
    problems.extend((1, name, "required column missing")
                    for name, required, _ in COLUMNS if required and name not in names)
    return names, problems


def read_header(lines: Iterator[str], problems: list[Problem]) -> tuple[list[str] | None, int]:
    """Return the header's column names (None after a problem) and the lines read so far."""
    number = 0
    try:
        for text in lines:  # blank lines before the header are skipped
            number += 1
            header, taken = _split(text, lines, number)
            number += taken - 1
            if header:
                break
        else:
            problems.append((1, "header", "the file is empty"))
            return None, number
    except _Unreadable as error:
        problems.append((error.line, "header", f"cannot be read as CSV: {error}"))
        return None, number
    names, header_problems = header_columns(header)
    problems.extend(header_problems)
    return (None if header_problems else names), number


def check_rows(lines: Iterator[str], *, names: list[str], number: int,
               plan_programs: dict[str, str], today: datetime.date, problems: list[Problem],
               write: Callable[[str], object], progress: Callable[[int], None] | None) -> int:
    """Check the rows after the header, writing as CSV those with a valid member ID (in
    header order, with their line number); return the number of rows.

    *number* is the line of the header. Rows with problems are written too, so that
    repeats and conflicts are reported as well.
    """
    rows = 0
    width = len(names)
    today_iso = today.isoformat()
    valid_dates = {""}
    convs = converters(plan_programs=plan_programs, valid_dates=valid_dates)
    fast = fast_checker(names, plan_programs=plan_programs, today=today_iso,
                        valid_dates=valid_dates)
    # Row values in COLUMNS order ("" for an absent column), and back in header order.
    canonical = itemgetter(*(names.index(n) if n in names else width for n in NAMES))
    staged = itemgetter(*(_I[n] for n in names))
    batch = _Lines()
    slow = csv.writer(batch, lineterminator="\n")
    next_progress = PROGRESS_EVERY
    try:
        for text in lines:
            number += 1
            if fast(text):
                rows += 1
                batch.append(f"{text.rstrip(_EOL)},{number}\n")
            else:
                line = number
                fields, taken = _split(text, lines, number)
                number += taken - 1
                if not fields:  # a blank line
                    continue
                rows += 1
                if len(fields) != width:
                    problems.append((line, "row", f"has {len(fields)} fields, the header {width}"))
                    continue
                fields.append("")
                out = convert_row(convs, canonical(fields), line=line, today=today_iso,
                                  problems=problems)
                if out[0] is None:
                    continue
                slow.writerow((*staged(out), line))
            if len(batch) >= BATCH_ROWS:
                write("".join(batch))
                batch.clear()
            if rows == next_progress and progress is not None:
                progress(rows)
                next_progress += PROGRESS_EVERY
    except _Unreadable as error:
        problems.append((error.line, "row", f"cannot be read as CSV: {error}"))
    write("".join(batch))
    return rows


# ----------------------------------------------------------------------------- database

_MEMBER, _SPAN, _PLAN_TABLE = (m._meta.db_table for m in (Member, EnrollmentSpan, Plan))
_STAGING = "import_members_staging"
_STAGED = ", ".join(f"coalesce(b.{n}, '')" if n in ("middle_initial", "mbi") else f"b.{n}"
                    for n in MEMBER_FIELDS)
_STAGED_DATA = _STAGED.split(", ", 1)[1]  # without the member ID
_CHANGED = f"({', '.join(f'm.{n}' for n in MEMBER_FIELDS[1:])}) IS DISTINCT FROM ({_STAGED_DATA})"
# A non-cancelled SCO / One Care span overlapping [current_plan_start, open): the row's open
# span could not be added (span_no_overlap_integrated). With the row's plan, nothing changes.
_OVERLAPPING = f"""
    SELECT 1 FROM {_SPAN} e WHERE e.member_id = b.member_id AND NOT e.cancelled
      AND e.program = ANY(%(integrated)s)
      AND (e.end_date IS NULL OR e.end_date >= b.current_plan_start)"""
_NEW_SPANS = f"""
    SELECT b.member_id, p.id, p.program, b.current_plan_start, NULL::date, false, %(source)s,
           %(now)s, %(now)s
    FROM {_STAGING} b JOIN {_PLAN_TABLE} p ON p.provider_id = b.current_plan_provider_id
    WHERE b.current_plan_start IS NOT NULL AND NOT EXISTS ({_OVERLAPPING})"""
SQL = {
    "drop": f"DROP TABLE IF EXISTS pg_temp.{_STAGING}",
    "create": f"CREATE TEMPORARY TABLE {_STAGING} "
              f"({', '.join(f'{n} {kind}' for n, _, kind in COLUMNS)}, line integer) "
              "ON COMMIT DROP",
    # The feed is the only writer of members: the lock keeps the two-step upsert below free
    # of races (and it is cheaper than INSERT ... ON CONFLICT). Readers are not blocked,
    # nor are span writers (their foreign-key checks take row locks only).
    "lock": f"LOCK TABLE {_MEMBER} IN SHARE ROW EXCLUSIVE MODE",
    # The joins of the staging table with members hash a million rows: let them in memory
    # (measured: the anti-join 3.7 s -> 1.4 s for 1M rows). Restored after the import.
    # JIT compiling the wide comparisons of "update" took 0.66 of its 8 s (1M rows, none
    # changed) and gains nothing on one pass over the rows: off for the import, restored.
    "work_mem": "SELECT current_setting('work_mem'), set_config('work_mem', '64MB', true),"
                " current_setting('jit'), set_config('jit', 'off', true)",
    "restore_work_mem": "SELECT set_config('work_mem', %s, true), set_config('jit', %s, true)",
    "copy": "COPY {table} ({columns}, line) FROM STDIN (FORMAT csv)",
    "analyze": f"ANALYZE {_STAGING}",
    "repeated_ids": f"SELECT member_id FROM {_STAGING} GROUP BY member_id HAVING count(*) > 1",
    "repeated": f"""
        SELECT member_id, line FROM {_STAGING} WHERE member_id = ANY(%s)
        ORDER BY member_id, line""",
    "conflicts": f"""
        SELECT b.line, op.provider_id, o.start_date, o.end_date
        FROM {_STAGING} b
        JOIN {_SPAN} o ON o.member_id = b.member_id
        JOIN {_PLAN_TABLE} op ON op.id = o.plan_id
        WHERE b.current_plan_start IS NOT NULL AND op.provider_id <> b.current_plan_provider_id
          AND NOT o.cancelled AND o.program = ANY(%(integrated)s)
          AND (o.end_date IS NULL OR o.end_date >= b.current_plan_start)
          AND NOT EXISTS ({_OVERLAPPING} AND e.plan_id IN (
              SELECT id FROM {_PLAN_TABLE} WHERE provider_id = b.current_plan_provider_id))
        ORDER BY b.line, o.start_date""",
    "count": f"""
        SELECT count(*) FILTER (WHERE m.member_id IS NULL),
               count(*) FILTER (WHERE m.member_id IS NOT NULL AND {_CHANGED})
        FROM {_STAGING} b LEFT JOIN {_MEMBER} m ON m.member_id = b.member_id""",
    "count_spans": f"SELECT count(*) FROM ({_NEW_SPANS}) AS new",
    # Unchanged members are not rewritten: no dead rows, and updated_at keeps its meaning
    # (the rows just inserted are equal, so not rewritten either). Sorted by member ID, the
    # rows are updated in about the order of the table: measured a third faster for 1M.
    "update": f"""
        UPDATE {_MEMBER} m
        SET ({', '.join(MEMBER_FIELDS[1:])}, updated_at) = ({_STAGED_DATA}, %(now)s)
        FROM (SELECT * FROM {_STAGING} ORDER BY member_id) b
        WHERE m.member_id = b.member_id AND {_CHANGED}""",
    # Sorted by member ID: the B-tree inserts then go through the index pages in order.
    "insert": f"""
        INSERT INTO {_MEMBER} ({', '.join(MEMBER_FIELDS)}, updated_at)
        SELECT {_STAGED}, %(now)s FROM {_STAGING} b
        WHERE NOT EXISTS (SELECT 1 FROM {_MEMBER} m WHERE m.member_id = b.member_id)
        ORDER BY b.member_id""",
    # Sorted too: measured a quarter cheaper for the GiST index of the exclusion constraint.
    "insert_spans": f"""
        INSERT INTO {_SPAN} (member_id, plan_id, program, start_date, end_date, cancelled,
                             source, created_at, updated_at)
        {_NEW_SPANS}
        ORDER BY b.member_id""",
}
_PARAMS = {"integrated": list(Program.integrated()), "source": EnrollmentSpan.Source.FEED.value}


def _repeated(cursor) -> list[Problem]:
    """Return a problem for every line whose member ID appears on another line too."""
    cursor.execute(SQL["repeated_ids"])
    repeated = [member_id for (member_id,) in cursor.fetchall()]
    if not repeated:
        return []
    cursor.execute(SQL["repeated"], [repeated])
    problems = []
    for member_id, group in itertools.groupby(cursor.fetchall(), key=itemgetter(0)):
        lines = [line for _, line in group]
        for line in lines:
            others = ", ".join(str(n) for n in lines if n != line)
            problems.append((line, "member_id", f"{member_id} is repeated: also on line {others}"))
    return problems


def _span_conflicts(cursor) -> list[Problem]:
    """Return a problem for every row whose plan collides with another plan's enrollment."""
    cursor.execute(SQL["conflicts"], _PARAMS)
    problems = []
    for line, provider_id, start, end in cursor.fetchall():
        until = f"to {end.isoformat()}" if end else "with no end"
        problems.append((line, "current_plan_provider_id",
                         f"the member is enrolled with {provider_id} from {start.isoformat()} "
                         f"{until}; an import does not change that enrollment"))
    return problems


def _stage(cursor, *, path: Path | str, plan_programs: dict[str, str], today: datetime.date,
           problems: list[Problem], progress: Callable[[int], None] | None) -> int:
    """Create the staging table and copy the checked rows of *path* into it; return the rows."""
    cursor.execute(SQL["drop"])
    cursor.execute(SQL["create"])
    rows = 0
    # surrogateescape: a byte that is not UTF-8 fails its field's check, on its line.
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as lines:
        names, number = read_header(lines, problems)
        if names is not None:
            columns = ", ".join(names)
            # PostgreSQL parses the rows already sent while Python checks the next ones.
            with cursor.copy(SQL["copy"].format(table=_STAGING, columns=columns)) as copy:
                rows = check_rows(lines, names=names, number=number, plan_programs=plan_programs,
                                  today=today, problems=problems, write=copy.write,
                                  progress=progress)
    cursor.execute(SQL["analyze"])
    return rows


def _rejection(problems: list[Problem], path: Path | str) -> ImportRejected:
    """Return the refusal listing every problem, by line."""
    problems.sort(key=itemgetter(0))  # stable: a line's own problems keep their order
    count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
    return ImportRejected(f"{count} in {Path(path).name}; nothing was imported",
                          extra={"problems": [f"line {n}: {column}: {problem}"
                                              for n, column, problem in problems]})


def _count_changes(cursor, *, now: datetime.datetime) -> tuple[int, int, int]:
    """Return the members that would be created and updated, and the spans that would be added."""
    cursor.execute(SQL["count"])
    created, updated = cursor.fetchone()
    cursor.execute(SQL["count_spans"], _PARAMS | {"now": now})
    (spans,) = cursor.fetchone()
    return created, updated, spans


def _write_changes(cursor, *, rows: int, now: datetime.datetime) -> tuple[int, int, int]:
    """Upsert the *rows* staged members and add their spans; return created, updated, spans.

    Stamped *now* (the caller's clock, posc.clock), never the database server's clock.
    """
    stamp = {"now": now}
    cursor.execute(SQL["insert"], stamp)  # first: its anti-join then reads a table not yet updated
    created = cursor.rowcount
    updated = 0
    if created < rows:  # else every member is new: nothing to compare
        cursor.execute(SQL["update"], stamp)
        updated = cursor.rowcount
    cursor.execute(SQL["insert_spans"], _PARAMS | stamp)
    return created, updated, cursor.rowcount


def members_import(*, path: Path | str, today: datetime.date, now: datetime.datetime,
                   dry_run: bool = False,
                   progress: Callable[[int], None] | None = None) -> ImportResult:
    """Check the feed at *path* and upsert its members and spans, all or nothing.

    Raise ImportRejected listing every problem when any row is bad; with *dry_run*, write
    nothing and count what would change. *progress* receives the rows checked so far.
    """
    problems: list[Problem] = []
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg 3's own cursor: COPY is not in Django's cursor API
        if not dry_run:
            cursor.execute(SQL["lock"])
        plan_programs = dict(Plan.objects.values_list("provider_id", "program"))
        rows = _stage(cursor, path=path, plan_programs=plan_programs, today=today,
                      problems=problems, progress=progress)
        cursor.execute(SQL["work_mem"])
        (work_mem, _, jit, _) = cursor.fetchone()
        problems.extend(_repeated(cursor))
        problems.extend(_span_conflicts(cursor))
        if problems:
            raise _rejection(problems, path)
        if dry_run:
            created, updated, spans = _count_changes(cursor, now=now)
            transaction.set_rollback(True)
        else:
            created, updated, spans = _write_changes(cursor, rows=rows, now=now)
            # One audit row per feed, not per member (HIPAA 45 CFR 164.312(b)).
            audit_record(AuditAction.IMPORT, "member feed", Path(path).name,
                         detail=f"{rows} rows: {created} members created, {updated} updated, "
                                f"{spans} spans created")
        cursor.execute(SQL["restore_work_mem"], [work_mem, jit])
    return ImportResult(created=created, updated=updated, rows=rows, spans_created=spans)
