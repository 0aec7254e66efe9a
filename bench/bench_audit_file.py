"""The monthly audit 834 of 100,000 members in force, and a 100,000-row reconciliation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/posc_bench_audit \\
        .venv/bin/python bench/bench_audit_file.py [--members 100000] [--pyx12]

Makes its own data (not timed): N invented members with COPY (django_setup.ensure_members)
and one open span each with one SCO plan, in SQL. Then times, once plain and once under
tracemalloc: ``audit_file_cut`` + ``audit_file_write`` (what the monthly task does), and
reading a roster CSV of N rows (1 % of them different) + ``reconciliation_run``. Reports
wall seconds, this process's CPU seconds and peak RSS growth (getrusage), and
tracemalloc's peak. The database is created when missing; point DATABASE_URL at one you
can fill and empty.
"""

import argparse
import datetime
import io
import os
import resource
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from django_setup import django_ready, ensure_members
from machine import print_machine

PLAN = "110000001A"
AS_OF = datetime.date(2026, 12, 1)


def database_create() -> None:
    """Create the database of DATABASE_URL when it does not exist (a fresh machine)."""
    import psycopg

    url = urlsplit(os.environ.get("DATABASE_URL", ""))
    name = url.path.lstrip("/")
    if not name:
        return
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def spans_make(count: int) -> None:
    """Give the first *count* bench members one open span with the plan (and nothing else)."""
    from django.db import connection

    from posc.members.models import Plan

    plan = Plan.objects.get(provider_id=PLAN)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM enrollment_reconciliationdifference")
        cursor.execute("DELETE FROM enrollment_reconciliation")
        cursor.execute("DELETE FROM enrollment_auditfile834")
        cursor.execute("SELECT count(*) FROM members_enrollmentspan WHERE plan_id = %s",
                       [plan.pk])
        if cursor.fetchone()[0] == count:
            return
        cursor.execute("DELETE FROM enrollment_batchentry")
        cursor.execute("DELETE FROM enrollment_enrollmenttransaction")
        cursor.execute("DELETE FROM members_enrollmentspan")
        cursor.execute("""
            INSERT INTO members_enrollmentspan (created_at, updated_at, member_id, plan_id,
                program, start_date, end_date, cancelled, source)
            SELECT now(), now(), member_id, %s, 'SCO',
                   DATE '2020-01-01' + ((row_number() OVER (ORDER BY member_id)) %% 60
                                        * INTERVAL '1 month'),
                   CASE WHEN member_id::bigint %% 10 = 0 THEN DATE '2026-12-31' END,
                   false, 'FEED'
            FROM (SELECT member_id FROM members_member ORDER BY member_id LIMIT %s) AS m""",
                       [plan.pk, count])
        cursor.execute("ANALYZE members_enrollmentspan")


def roster_csv(count: int) -> bytes:
    """Return the plan's roster as it would send it: the state's own data, 1 % different."""
    from enrollment.audit_files import in_force_spans, state_rate_cell
    from posc.members.models import Plan

    plan = Plan.objects.get(provider_id=PLAN)
    out = io.StringIO()
    out.write("Member ID,Rate Cell,Start Date\n")
    rows = (in_force_spans(plan=plan, as_of=AS_OF).order_by("member_id")
            .values_list("member_id", "start_date", "member__rating_category", "member__county"))
    for n, (member_id, start, category, county) in enumerate(rows.iterator(chunk_size=10_000)):
        if n % 400 == 0:
            continue  # a member the plan does not have
        cell = state_rate_cell(program="SCO", rating_category=category, county=county)
        if n % 400 == 1:
            cell = "SCO-CNHC-GB"
        if n % 400 == 2:
            start = start + datetime.timedelta(days=1)
        out.write(f"{member_id},{cell},{start:%m/%d/%Y}\n")
    for n in range(count // 400):
        out.write(f"{990000000000 + n},SCO-CW-GB,01/01/2026\n")  # members the state lacks
    return out.getvalue().encode()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """Return this process's CPU seconds (user + system): less moved by load than wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(label: str, traced: bool, work) -> tuple:
    rss_before = rss_mb()
    if traced:
        tracemalloc.start()
    start, cpu = time.perf_counter(), cpu_s()
    result = work()
    seconds, cpu = time.perf_counter() - start, cpu_s() - cpu
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else float("nan")
    tracemalloc.stop()
    return (label, seconds, cpu, rss_mb() - rss_before, rss_mb(), peak), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--pyx12", action="store_true", help="also validate the file (slow)")
    args = parser.parse_args()
    database_create()
    django_ready()
    ensure_members(args.members)
    spans_make(args.members)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from enrollment.audit_files import audit_file_cut, audit_file_write
    from enrollment.models import AuditFile834
    from enrollment.reconciliation import reconciliation_run, roster_read
    from posc.members.models import Plan

    plan = Plan.objects.get(provider_id=PLAN)
    user, _ = get_user_model().objects.get_or_create(username="bench.audit")
    print_machine()
    out = Path(tempfile.mkdtemp(prefix="bench-audit-")) / "audit.x12"
    rows = []
    # The audit file first: the process's peak RSS then grows by what the write needs only.
    for traced in (False, True):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM enrollment_auditfile834")

        def audit() -> AuditFile834:
            audit_file = audit_file_cut(plan=plan, as_of=AS_OF)
            audit_file_write(audit_file=audit_file, path=out)
            return audit_file

        row, audit_file = timed("audit 834: cut + write" + (" (tracemalloc)" if traced else ""),
                                traced, audit)
        rows.append(row)
    roster = roster_csv(args.members)
    for traced in (False, True):
        def reconcile():
            upload = io.BytesIO(roster)
            return reconciliation_run(plan=plan, month=AS_OF, roster=roster_read(upload),
                                      file_name="roster.csv", token=uuid.uuid4(), actor=user)

        row, rec = timed("reconciliation: read + compare" + (" (tracemalloc)" if traced
                                                              else ""), traced, reconcile)
        rows.append(row)
    print(f"members in force: {audit_file.loop_count:,}   file: "
          f"{out.stat().st_size / 2**20:.1f} MiB   roster: {len(roster) / 2**20:.1f} MiB, "
          f"{rec.roster_count:,} rows, {rec.difference_count:,} differences")
    print(f"{'':44} {'total s':>7} {'CPU s':>6} {'RSS +MiB':>9} {'RSS MiB':>8}"
          f" {'py peak MiB':>12}")
    for label, seconds, cpu, grew, rss, peak in rows:
        print(f"{label:44} {seconds:7.2f} {cpu:6.2f} {grew:9.1f} {rss:8.1f} {peak:12.1f}")
    if args.pyx12:
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.x12check import pyx12_errors

        start = time.perf_counter()
        errors = pyx12_errors(out)
        print(f"pyx12 4.0.0 reads it in {time.perf_counter() - start:.1f} s: "
              f"{len(errors)} errors")


if __name__ == "__main__":
    main()
