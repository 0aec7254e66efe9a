"""Load the MMIS eligibility feed into members and spans (contracts/member-feed.md).

One pass over the file, one transaction. The calling thread reads and checks the rows;
a worker thread copies each batch of checked rows into a temporary table and upserts it,
so that Python and PostgreSQL use the two cores at once. Repeated member IDs are found
with SQL at the end. Any problem rolls everything back; memory does not grow with the file.
"""

import csv
import datetime
import itertools
import queue
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from types import TracebackType

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
BATCH_ROWS = 20_000
_DATE_CACHE_LIMIT = 100_000
NULL = r"\N"  # PostgreSQL COPY text format; converters return this very object for "no value"

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
# (end, start): an end may not be before its start (member-feed.md); no death before birth.
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
# domain.md F: the CMS MBI format (C A AN N A AN N A A N N; no S, L, O, I, B, Z).
MBI_PATTERN = (r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d"
               r"[AC-HJKMNP-RT-Y]{2}\d{2}")

Converter = Callable[[str], str]
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
        return v.replace("\\", "\\\\") if "\\" in v else v  # COPY text escaping
    return convert


def _digits(count: int, *, what: str) -> Converter:
    """Return a converter for a required value of exactly *count* ASCII digits."""
    def convert(value: str) -> str:
        if len(value) == count and value.isdigit() and value.isascii():
            return value
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
    exact = {v: v for v in values}
    folded = {v.casefold(): v for v in values}
    listed = ", ".join(values)

    def convert(value: str) -> str:
        canonical = exact.get(value)
        if canonical is not None:
            return canonical
        v = value.strip()
        if not v:
            raise _Invalid(REQUIRED)
        canonical = folded.get(v.casefold())
        if canonical is None:
            raise _Invalid(f"must be one of {listed}, not {_show(v)}")
        return canonical  # stored in the canonical spelling (member-feed.md)
    return convert


def _date(valid: set[str], *, required: bool = True, first_of_month: bool = False) -> Converter:
    """Return a converter for a YYYY-MM-DD date, kept as its ISO text (which sorts as dates).

    *valid* caches the dates already seen: a feed repeats few distinct dates.
    """
    def convert(value: str) -> str:
        if value in valid:
            v = value
        else:
            v = value.strip()
            if not v:
                if required:
                    raise _Invalid(REQUIRED)
                return NULL
            if not _DATE.fullmatch(v):
                raise _Invalid(f"must be a date YYYY-MM-DD, not {_show(v)}")
            try:
                datetime.date(int(v[:4]), int(v[5:7]), int(v[8:]))
            except ValueError:
                raise _Invalid(f"is not a calendar date: {v}") from None
            if len(valid) < _DATE_CACHE_LIMIT:
                valid.add(v)
        if first_of_month and v[8:] != "01":
            raise _Invalid(f"must be the first day of a month, not {v}")
        return v
    return convert


def _plan(programs: dict[str, str]) -> Converter:
    """Return a converter for the provider ID of an existing SCO or One Care plan."""
    def convert(value: str) -> str:
        if not value:
            return NULL
        v = value.strip().upper()
        if not v:
            return NULL
        program = programs.get(v)
        if program is None:
            raise _Invalid(f"no plan has the provider ID {_show(value.strip())}")
        if program not in Program.integrated():
            raise _Invalid(f"{v} is a {program} plan, not an SCO or One Care plan")
        return v
    return convert


def converters(*, plan_programs: dict[str, str]) -> tuple[Converter, ...]:
    """Return one converter per column of COLUMNS, in order; each gives COPY text or NULL."""
    dates: set[str] = set()
    optional_date = _date(dates, required=False)
    yes_no = _choice(("Y", "N"))
    return (
        _digits(12, what="12 digits"),  # domain.md F: the MassHealth member ID
        _text(60, name=True),
        _text(35, name=True),
        _middle_initial,
        _date(dates),
        _choice(Sex.values),
        _choice(CoverageType.values),
        _date(dates),
        optional_date,
        optional_date,
        optional_date,
        optional_date,
        optional_date,
        _mbi,
        _text(100),
        _text(60),
        _digits(5, what="5 digits"),
        _choice(County.values),
        _choice(Residence.values),
        _choice(RATING_CATEGORIES),
        yes_no,
        yes_no,
        optional_date,
        _plan(plan_programs),
        _date(dates, required=False, first_of_month=True),
    )


def row_problems(values: list[str], *, today: str,
                 bad: frozenset[int] = frozenset()) -> list[tuple[str, str]]:
    """Return the (column, problem) pairs of rules involving two values of a converted row.

    *bad* holds the positions of values already refused: rules involving them are skipped.
    """
    problems = []
    for end, start in _ORDERED_DATES:
        if values[end] is NULL or end in bad or start in bad:
            continue
        if values[start] is NULL:
            problems.append((NAMES[end], f"is given without {NAMES[start]}"))
        elif values[end] < values[start]:
            problems.append((NAMES[end], f"is before {NAMES[start]} ({values[start]})"))
    if _DOB not in bad and values[_DOB] > today:
        problems.append(("date_of_birth", f"is in the future ({values[_DOB]})"))
    if _PLAN not in bad and _PLAN_START not in bad:
        if values[_PLAN] is not NULL and values[_PLAN_START] is NULL:
            problems.append(("current_plan_start", f"{REQUIRED} with current_plan_provider_id"))
        elif values[_PLAN] is NULL and values[_PLAN_START] is not NULL:
            problems.append(("current_plan_start", "is given without current_plan_provider_id"))
    return problems


def _convert_each(convs: Sequence[Converter], values: Sequence[str], line: int,
                  problems: list[Problem], today: str) -> list[str]:
    """Convert a row holding a bad value, noting every problem; refused values become NULL."""
    out = []
    bad = set()
    for i, (convert, value) in enumerate(zip(convs, values)):
        try:
            out.append(convert(value))
        except _Invalid as problem:
            problems.append((line, NAMES[i], str(problem)))
            out.append(NULL)
            bad.add(i)
    problems.extend((line, column, problem)
                    for column, problem in row_problems(out, today=today, bad=frozenset(bad)))
    return out


# ----------------------------------------------------------------------------- file


def records(lines: Iterator[str]) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number of its start, fields) per CSV record, skipping blank lines.

    A line without a quote is split on commas (what csv would do, much faster); a quoted
    record goes through the csv module and may span several physical lines.
    """
    number = 0
    for text in lines:
        number += 1
        if '"' not in text:
            text = text.rstrip("\r\n")
            if text:
                yield number, text.split(",")
            continue
        reader = csv.reader(itertools.chain((text,), lines), strict=True)
        try:
            yield number, next(reader)
        except csv.Error as error:
            raise _Unreadable(number, str(error)) from None
        number += reader.line_num - 1


def _header_positions(header: list[str]) -> tuple[list[int | None], list[Problem]]:
    """Return where each column of COLUMNS sits in *header* (None when absent) and the problems."""
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


def _check_file(lines: Iterator[str], *, plan_programs: dict[str, str], today: datetime.date,
                problems: list[Problem], loader: "_Loader",
                progress: Callable[[int], None] | None) -> int:
    """Check every row, sending those with a valid member ID to *loader*; return the row count."""
    rows = 0
    try:
        found = records(lines)
        header = next(found, None)
        if header is None:
            problems.append((1, "header", "the file is empty"))
            return 0
        positions, header_problems = _header_positions(header[1])
        if header_problems:
            problems.extend(header_problems)
            return 0
        width = len(header[1])
        extract = _extractor(positions, width)
        convs = converters(plan_programs=plan_programs)
        today_iso = today.isoformat()
        batch: list[str] = []
        next_progress = PROGRESS_EVERY
        for line, fields in found:
            rows += 1
            if len(fields) != width:
                problems.append((line, "row", f"has {len(fields)} fields, the header {width}"))
                continue
            values = fields if extract is None else extract(fields)
            try:
                out = [convert(value) for convert, value in zip(convs, values)]
            except _Invalid:
                out = _convert_each(convs, values, line, problems, today_iso)
            else:
                cross = row_problems(out, today=today_iso)
                if cross:
                    problems.extend((line, column, problem) for column, problem in cross)
            if out[0] is not NULL:  # staged even when bad: repeats and conflicts are reported too
                out.append(str(line))
                batch.append("\t".join(out))
                if len(batch) == BATCH_ROWS:
                    loader.put(batch, clean=not problems)
                    batch = []
            if rows == next_progress and progress is not None:
                progress(rows)
                next_progress += PROGRESS_EVERY
        if batch:
            loader.put(batch, clean=not problems)
    except _Unreadable as error:
        problems.append((error.line, "row", f"cannot be read as CSV: {error}"))
    return rows


# ----------------------------------------------------------------------------- database

_MEMBER, _SPAN, _PLAN_TABLE = (m._meta.db_table for m in (Member, EnrollmentSpan, Plan))
_BATCH, _SEEN = "import_members_batch", "import_members_seen"
_STAGED = ", ".join(f"coalesce(b.{n}, '')" if n in ("middle_initial", "mbi") else f"b.{n}"
                    for n in MEMBER_FIELDS)
_CHANGED = (f"({', '.join(f'm.{n}' for n in MEMBER_FIELDS[1:])}) IS DISTINCT FROM "
            f"({_STAGED.split(', ', 1)[1]})")
# A non-cancelled SCO / One Care span overlapping [current_plan_start, open): the row's open
# span could not be added (span_no_overlap_integrated). With the row's plan, nothing changes.
_OVERLAPPING = f"""
    SELECT 1 FROM {_SPAN} e WHERE e.member_id = b.member_id AND NOT e.cancelled
      AND e.program = ANY(%(integrated)s)
      AND (e.end_date IS NULL OR e.end_date >= b.current_plan_start)"""
SQL = {
    "setup": (
        f"DROP TABLE IF EXISTS pg_temp.{_BATCH}, pg_temp.{_SEEN}",
        f"CREATE TEMPORARY TABLE {_BATCH} "
        f"({', '.join(f'{n} {kind}' for n, _, kind in COLUMNS)}, line integer) ON COMMIT DROP",
        f"CREATE TEMPORARY TABLE {_SEEN} (member_id text, line integer) ON COMMIT DROP",
    ),
    # Members are created by this import only: the lock makes the two-step upsert race-free
    # (and cheaper than INSERT ... ON CONFLICT); readers and span writers are not blocked.
    "lock": f"LOCK TABLE {_MEMBER} IN SHARE ROW EXCLUSIVE MODE",
    "copy": f"COPY {_BATCH} ({', '.join(NAMES)}, line) FROM STDIN",
    "seen": f"INSERT INTO {_SEEN} SELECT member_id, line FROM {_BATCH}",
    "conflicts": f"""
        SELECT b.line, op.provider_id, o.start_date, o.end_date
        FROM {_BATCH} b
        JOIN {_SPAN} o ON o.member_id = b.member_id
        JOIN {_PLAN_TABLE} op ON op.id = o.plan_id
        WHERE b.current_plan_start IS NOT NULL AND op.provider_id <> b.current_plan_provider_id
          AND NOT o.cancelled AND o.program = ANY(%(integrated)s)
          AND (o.end_date IS NULL OR o.end_date >= b.current_plan_start)
          AND NOT EXISTS ({_OVERLAPPING} AND e.plan_id IN (
              SELECT id FROM {_PLAN_TABLE} WHERE provider_id = b.current_plan_provider_id))
        ORDER BY b.line, o.start_date""",
    "update": f"""
        UPDATE {_MEMBER} m SET ({', '.join(MEMBER_FIELDS[1:])}, updated_at)
            = ({_STAGED.split(', ', 1)[1]}, now())
        FROM {_BATCH} b WHERE m.member_id = b.member_id AND {_CHANGED}""",
    # Sorted by member ID: the B-tree inserts then touch the index pages in order.
    "insert": f"""
        INSERT INTO {_MEMBER} ({', '.join(MEMBER_FIELDS)}, updated_at)
        SELECT DISTINCT ON (b.member_id) {_STAGED}, now() FROM {_BATCH} b
        WHERE NOT EXISTS (SELECT 1 FROM {_MEMBER} m WHERE m.member_id = b.member_id)
        ORDER BY b.member_id, b.line""",
    "count": f"""
        SELECT count(*) FILTER (WHERE m.member_id IS NULL),
               count(*) FILTER (WHERE m.member_id IS NOT NULL AND {_CHANGED})
        FROM {_BATCH} b LEFT JOIN {_MEMBER} m ON m.member_id = b.member_id""",
    "spans": f"""
        SELECT DISTINCT ON (b.member_id) b.member_id, p.id, p.program, b.current_plan_start,
               NULL::date, false, %(source)s, now(), now()
        FROM {_BATCH} b JOIN {_PLAN_TABLE} p ON p.provider_id = b.current_plan_provider_id
        WHERE b.current_plan_start IS NOT NULL AND NOT EXISTS ({_OVERLAPPING})
        ORDER BY b.member_id, b.line""",
    "insert_spans": f"""
        INSERT INTO {_SPAN} (member_id, plan_id, program, start_date, end_date, cancelled,
                             source, created_at, updated_at) """,
    "truncate": f"TRUNCATE {_BATCH}",
    "repeated": f"""
        SELECT member_id, line FROM {_SEEN} WHERE member_id IN (
            SELECT member_id FROM {_SEEN} GROUP BY member_id HAVING count(*) > 1)
        ORDER BY member_id, line""",
}
_PARAMS = {"integrated": list(Program.integrated()), "source": EnrollmentSpan.Source.FEED.value}


class _Loader:
    """Load batches of checked rows on a worker thread while the caller checks the next ones.

    Every batch is staged and checked for span conflicts. A batch is written (members and
    spans) only while no problem has been found and it is not a dry run; otherwise counts
    are taken. The transaction is the caller's: a problem found later rolls it all back.
    """

    def __init__(self, cursor, *, dry_run: bool):
        self._cursor = cursor
        self._dry_run = dry_run
        self._queue: queue.Queue[tuple[list[str], bool] | None] = queue.Queue(maxsize=2)
        self._abandoned = False
        self.problems: list[Problem] = []
        self.created = self.updated = self.spans = 0

    def __enter__(self) -> "_Loader":
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-members")
        self._future = self._executor.submit(self._run)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._abandoned = kind is not None
        try:
            self._put(None)
            if kind is None:
                self._future.result()  # raise the worker's error here, in the caller's thread
            else:
                self._future.exception()  # wait: the connection is the worker's until it ends
        finally:
            self._executor.shutdown()

    def put(self, batch: list[str], *, clean: bool) -> None:
        """Queue a batch of staging rows; *clean* when no problem has been found so far."""
        self._put((batch, clean))

    def _put(self, item: tuple[list[str], bool] | None) -> None:
        while True:
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                if self._future.done():
                    self._future.result()  # the worker failed: raise its error
                    return

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if not self._abandoned:
                self._load(*item)

    def _load(self, batch: list[str], clean: bool) -> None:
        cursor = self._cursor
        with cursor.copy(SQL["copy"]) as copy:
            copy.write("\n".join(batch))
            copy.write("\n")
        cursor.execute(SQL["seen"])
        cursor.execute(SQL["conflicts"], _PARAMS)
        for line, provider_id, start, end in cursor.fetchall():
            until = f"to {end.isoformat()}" if end else "with no end"
            self.problems.append((line, "current_plan_provider_id",
                                  f"the member is enrolled with {provider_id} from "
                                  f"{start.isoformat()} {until}; an import does not change it"))
        if clean and not self.problems:
            if self._dry_run:
                cursor.execute(SQL["count"])
                created, updated = cursor.fetchone()
                cursor.execute(f"SELECT count(*) FROM ({SQL['spans']}) AS new", _PARAMS)
                (spans,) = cursor.fetchone()
            else:
                cursor.execute(SQL["update"])
                updated = cursor.rowcount
                cursor.execute(SQL["insert"])
                created = cursor.rowcount
                cursor.execute(SQL["insert_spans"] + SQL["spans"], _PARAMS)
                spans = cursor.rowcount
            self.created += created
            self.updated += updated
            self.spans += spans
        cursor.execute(SQL["truncate"])


def _repeated(cursor) -> list[Problem]:
    """Return a problem for every line whose member ID appears on another line too."""
    cursor.execute(SQL["repeated"])
    problems = []
    for member_id, group in itertools.groupby(cursor.fetchall(), key=itemgetter(0)):
        lines = [line for _, line in group]
        for line in lines:
            others = ", ".join(str(n) for n in lines if n != line)
            problems.append((line, "member_id", f"{member_id} is repeated: also on line {others}"))
    return problems


def members_import(*, path: Path | str, today: datetime.date, dry_run: bool = False,
                   progress: Callable[[int], None] | None = None) -> ImportResult:
    """Check the feed at *path* and upsert its members and spans, all or nothing.

    Raise ImportRejected listing every problem when any row is bad; with *dry_run*, write
    nothing and count what would change.
    """
    problems: list[Problem] = []
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg 3's own cursor: COPY is not in Django's cursor API
        plan_programs = dict(Plan.objects.values_list("provider_id", "program"))
        for statement in SQL["setup"]:
            cursor.execute(statement)
        if not dry_run:
            cursor.execute(SQL["lock"])
        # surrogateescape: a byte that is not UTF-8 fails its field's check, on its line.
        with (open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as lines,
              _Loader(cursor, dry_run=dry_run) as loader):
            rows = _check_file(lines, plan_programs=plan_programs, today=today,
                               problems=problems, loader=loader, progress=progress)
        problems.extend(loader.problems)
        problems.extend(_repeated(cursor))
        if problems:
            problems.sort(key=itemgetter(0))  # stable: a line's own problems keep their order
            raise ImportRejected(
                f"{len(problems)} problems in {Path(path).name}; nothing was imported",
                extra={"problems": [f"line {n}: {column}: {problem}"
                                    for n, column, problem in problems]})
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(created=loader.created, updated=loader.updated, rows=rows,
                        spans_created=loader.spans)
