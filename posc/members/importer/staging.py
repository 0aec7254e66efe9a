"""Stage the feed in a temporary table and find what only the whole file shows: repeated
member IDs and plans that collide with another plan's enrollment."""

import datetime
import itertools
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path

from posc.exceptions import ImportRejected
from posc.members.importer.checks import COLUMNS, MEMBER_FIELDS, Problem
from posc.members.importer.digests import LineSet, digest_rows, digester, salt
from posc.members.importer.reader import check_rows, read_header
from posc.members.models import EnrollmentSpan, FeedLine, Member, Plan, Program

_MEMBER, _SPAN, _PLAN_TABLE, _FEED_LINE = (m._meta.db_table
                                           for m in (Member, EnrollmentSpan, Plan, FeedLine))
_STAGING = "import_members_staging"
_DIGESTS = "import_members_digests"
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
    # "unchanged": a line the first pass matched; only its member ID and plan are staged.
    "create": f"CREATE TEMPORARY TABLE {_STAGING} "
              f"({', '.join(f'{n} {kind}' for n, _, kind in COLUMNS)}, line integer, "
              "digest uuid, unchanged boolean NOT NULL DEFAULT false) ON COMMIT DROP",
    "known": f"SELECT EXISTS (SELECT FROM {_FEED_LINE})",
    "drop_digests": f"DROP TABLE IF EXISTS pg_temp.{_DIGESTS}",
    "create_digests": f"CREATE TEMPORARY TABLE {_DIGESTS} (digest uuid, line integer)"
                      " ON COMMIT DROP",
    "copy_digests": f"COPY {_DIGESTS} (digest, line) FROM STDIN",
    "analyze_digests": f"ANALYZE {_DIGESTS}",
    "match": f"""
        INSERT INTO {_STAGING} (member_id, current_plan_provider_id, current_plan_start, line,
                                unchanged)
        SELECT f.member_id, nullif(f.current_plan_provider_id, ''), f.current_plan_start,
               d.line, true
        FROM {_DIGESTS} d JOIN {_FEED_LINE} f ON f.digest = d.digest
        WHERE f.checked_on <= %(today)s""",
    "unmatched": f"""
        SELECT d.line FROM {_DIGESTS} d
        WHERE NOT EXISTS (SELECT FROM {_STAGING} b WHERE b.line = d.line)""",
    # Only the import reads these rows, under its lock: when no line matched, forgetting them
    # all (a line forgotten is only checked again) is cheaper than a million deletes.
    "forget_all": f"TRUNCATE {_FEED_LINE}",
    "forget_lines": f"""
        DELETE FROM {_FEED_LINE} f USING {_STAGING} b
        WHERE f.member_id = b.member_id AND NOT b.unchanged""",
    "remember_lines": f"""
        INSERT INTO {_FEED_LINE} (member_id, digest, current_plan_provider_id,
                                  current_plan_start, checked_on)
        SELECT member_id, digest, coalesce(current_plan_provider_id, ''), current_plan_start,
               %(today)s
        FROM {_STAGING} WHERE digest IS NOT NULL ORDER BY member_id COLLATE "C" """,
    # The feed is the only writer of members: the lock keeps the two-step upsert below free
    # of races (and it is cheaper than INSERT ... ON CONFLICT). Readers are not blocked,
    # nor are span writers (their foreign-key checks take row locks only).
    "lock": f"LOCK TABLE {_MEMBER} IN SHARE ROW EXCLUSIVE MODE",
    # The joins of the staging table with members hash a million rows: let them in memory
    # (measured: the anti-join 3.7 s -> 1.4 s for 1M rows). Restored after the import.
    # JIT compiling the wide comparisons of "update" took 0.66 of its 8 s (1M rows, none
    # changed) and gains nothing on one pass over the rows: off for the import, restored.
    # ANALYZE of the staging table samples 300 x the statistics target rows: 30,000 at the
    # default 100 took 0.5 s of a 250k-row import (2 s of 1M), 3,000 take 0.07 s. The plans
    # only need row counts and whether member IDs are distinct (all distinct in a sample of
    # 3,000 reads as unique), which the smaller sample gives as well. Restored after.
    "work_mem": "SELECT current_setting('work_mem'), set_config('work_mem', '64MB', true),"
                " current_setting('jit'), set_config('jit', 'off', true),"
                " current_setting('default_statistics_target'),"
                " set_config('default_statistics_target', '10', true)",
    "restore_work_mem": "SELECT set_config('work_mem', %s, true), set_config('jit', %s, true),"
                        " set_config('default_statistics_target', %s, true)",
    "copy": "COPY {table} ({columns}, line, digest) FROM STDIN (FORMAT csv)",
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
        FROM {_STAGING} b LEFT JOIN {_MEMBER} m ON m.member_id = b.member_id
        WHERE NOT b.unchanged""",
    "count_spans": f"SELECT count(*) FROM ({_NEW_SPANS}) AS new",
    # Unchanged members are not rewritten: no dead rows, and updated_at keeps its meaning
    # (the rows just inserted are equal, so not rewritten either). Sorted by member ID, the
    # rows are updated in about the order of the table: measured a third faster for 1M.
    "update": f"""
        UPDATE {_MEMBER} m
        SET ({', '.join(MEMBER_FIELDS[1:])}, updated_at) = ({_STAGED_DATA}, %(now)s)
        FROM (SELECT * FROM {_STAGING} WHERE NOT unchanged ORDER BY member_id COLLATE "C") b
        WHERE m.member_id = b.member_id AND {_CHANGED}""",
    # Sorted by member ID: the B-tree inserts then go through the index pages in order.
    # COLLATE "C": twelve digits sort alike in every collation, and a byte-wise sort of a
    # million keys is several times cheaper than the database's linguistic one.
    "insert": f"""
        INSERT INTO {_MEMBER} ({', '.join(MEMBER_FIELDS)}, updated_at)
        SELECT {_STAGED}, %(now)s FROM {_STAGING} b
        WHERE NOT b.unchanged
          AND NOT EXISTS (SELECT 1 FROM {_MEMBER} m WHERE m.member_id = b.member_id)
        ORDER BY b.member_id COLLATE "C" """,
    # Sorted too: measured a quarter cheaper for the GiST index of the exclusion constraint.
    "insert_spans": f"""
        INSERT INTO {_SPAN} (member_id, plan_id, program, start_date, end_date, cancelled,
                             source, created_at, updated_at)
        {_NEW_SPANS}
        ORDER BY b.member_id COLLATE "C" """,
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
           problems: list[Problem], progress: Callable[[int], None] | None,
           progress_every: int) -> tuple[int, int]:
    """Create the staging table and stage the rows of *path*: the lines an earlier import
    wrote as they are (matched by digest), the others checked. Return the rows and the
    rows matched.
    """
    cursor.execute(SQL["drop"])
    cursor.execute(SQL["create"])
    cursor.execute(SQL["known"])
    (known,) = cursor.fetchone()
    rows = matched = 0
    names, number = _header(path, problems)
    if names is not None:
        digest = digester(salt(names, plan_programs))
        wanted = None
        if known:  # else every line is new: one pass
            rows, matched, wanted = _match(cursor, path=path, digest=digest, today=today,
                                           progress=progress, progress_every=progress_every)
        if wanted is None or not wanted.empty:
            # PostgreSQL parses the rows already sent while Python checks the next ones.
            with _lines(path) as lines, cursor.copy(SQL["copy"].format(
                    table=_STAGING, columns=", ".join(names))) as copy:
                read_header(lines, [])
                checked = check_rows(lines, names=names, number=number,
                                     plan_programs=plan_programs, today=today,
                                     problems=problems, write=copy.write,
                                     progress=None if known else progress,
                                     progress_every=progress_every, digest=digest,
                                     wanted=wanted)
            rows = rows if known else checked
    cursor.execute(SQL["analyze"])
    return rows, matched


def _lines(path: Path | str):
    # surrogateescape: a byte that is not UTF-8 fails its field's check, on its line.
    return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _header(path: Path | str, problems: list[Problem]) -> tuple[list[str] | None, int]:
    """Return the header's column names (None after a problem) and its last line."""
    with _lines(path) as lines:
        return read_header(lines, problems)


def _match(cursor, *, path: Path | str, digest: Callable[[str], str], today: datetime.date,
           progress: Callable[[int], None] | None,
           progress_every: int) -> tuple[int, int, LineSet]:
    """Stage the lines an earlier import wrote, found by digest; return the rows, the rows
    matched and the lines left to check."""
    cursor.execute(SQL["drop_digests"])
    cursor.execute(SQL["create_digests"])
    to_check = LineSet()
    with _lines(path) as lines, cursor.copy(SQL["copy_digests"]) as copy:
        _, number = read_header(lines, [])
        rows, digested = digest_rows(lines, number=number, digest=digest, write=copy.write,
                                     to_check=to_check, progress=progress,
                                     progress_every=progress_every)
    cursor.execute(SQL["analyze_digests"])
    cursor.execute(SQL["match"], {"today": today})
    matched = cursor.rowcount
    if matched < digested:
        for (line,) in cursor.stream(SQL["unmatched"]):
            to_check.add(line)
    return rows, matched, to_check


def _rejection(problems: list[Problem], path: Path | str) -> ImportRejected:
    """Return the refusal listing every problem, by line."""
    problems.sort(key=itemgetter(0))  # stable: a line's own problems keep their order
    count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
    return ImportRejected(f"{count} in {Path(path).name}; nothing was imported",
                          extra={"problems": [f"line {n}: {column}: {problem}"
                                              for n, column, problem in problems]})
