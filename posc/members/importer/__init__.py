"""Load the MMIS eligibility feed into members and spans (contracts/member-feed.md).

One transaction. Each row is checked in Python and streamed with COPY into a temporary
staging table: PostgreSQL parses while Python checks (two cores). On a re-import a first
pass digests every line and PostgreSQL matches the digests with those of the lines an
earlier import wrote (``digests``): only the rows left are checked, and written.
Repeated member IDs and span conflicts are then found with SQL on that table, and the
upsert is set-based. Any problem rolls everything back; memory does not grow with the file.

A row already in canonical form is checked by one regular expression and sent as it is
(the fast path); any other row goes through the per-column converters, which alone decide
what is a problem and say so. The fast path only ever accepts a subset of what they accept.

The package: ``checks`` (the columns and one row's checks), ``reader`` (the file),
``digests`` (the first pass of a re-import), ``staging`` (the staging table and the
whole-file checks), ``load`` (the upsert).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from posc.members.importer.checks import (
    COLUMNS,
    MAX_LENGTHS,
    NAMES,
    Problem,
    convert_row,
    converters,
    fast_checker,
)
from posc.members.importer.load import _count_changes, _write_changes
from posc.members.importer.staging import (
    SQL,
    _rejection,
    _repeated,
    _span_conflicts,
    _stage,
)
from posc.members.models import Plan

__all__ = ["COLUMNS", "MAX_LENGTHS", "NAMES", "PROGRESS_EVERY", "ImportResult", "convert_row",
           "converters", "fast_checker", "members_import"]

PROGRESS_EVERY = 100_000


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int  # members whose record changed; rows - created - updated were unchanged
    rows: int
    spans_created: int = 0


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
        cursor.execute(SQL["work_mem"])  # before staging: the digests are matched by a join
        (work_mem, _, jit, _, statistics, _) = cursor.fetchone()
        rows, unchanged = _stage(cursor, path=path, plan_programs=plan_programs, today=today,
                                 problems=problems, progress=progress,
                                 progress_every=PROGRESS_EVERY)
        problems.extend(_repeated(cursor))
        problems.extend(_span_conflicts(cursor))
        if problems:
            raise _rejection(problems, path)
        if dry_run:
            created, updated, spans = _count_changes(cursor, now=now)
            transaction.set_rollback(True)
        else:
            created, updated, spans = _write_changes(cursor, rows=rows - unchanged,
                                                     unchanged=unchanged, now=now, today=today)
            # One audit row per feed, not per member (HIPAA 45 CFR 164.312(b)).
            audit_record(AuditAction.IMPORT, "member feed", Path(path).name,
                         detail=f"{rows} rows: {created} members created, {updated} updated, "
                                f"{spans} spans created")
        cursor.execute(SQL["restore_work_mem"], [work_mem, jit, statistics])
    return ImportResult(created=created, updated=updated, rows=rows, spans_created=spans)
