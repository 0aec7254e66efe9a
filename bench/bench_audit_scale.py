"""The audit table at scale: 50 million rows over 12 months, partitioned by month.

    .venv/bin/python bench/bench_audit_scale.py [--rows 50000000] [--keep] [--reuse]

Issue 19 §3. Makes (and at the end drops) the scratch database b_audit19_scale on the
server of DATABASE_URL (any database there; only its host and role are used), migrates it,
and fills the audit table with --rows rows over the 12 Boston months 12/2025-11/2026:
one INSERT … SELECT generate_series per month, keys and indexes built after (as 0002 does).
Rows: --members member IDs (uniform), --clerks users, a VIEW of a member each.

Then it prints, for one month (11/2026) and an older one (03/2026):
- the admin's member-ID search of the month (``?member_id=…&from=11/01/2026&to=11/30/2026``),
  p50/p95/p99 over --searches random members: the database time of the page's queries
  (its COUNT, its rows, the audit row the page writes, the session's own) and the whole
  page (``AuditEventAdmin.changelist_view`` rendered), with the SQL and its EXPLAIN;
- the same by user (``?username=clerkN``); a member-ID search of one week and with no
  date (every partition); the first page with nothing typed, and a whole month;
- the insert cost of an audited page: record_each's INSERT of one row (Django's
  bulk_create SQL) into the partitioned table and into a table shaped as 0001 left it
  (unpartitioned, same indexes, filled with the same month's rows), alternately, in the
  same minutes, each in its own transaction.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

SCRATCH = os.environ.get("BENCH_AUDIT_DB", "b_audit19_scale")
MONTHS = [(2025, 12)] + [(2026, m) for m in range(1, 12)]
COLUMNS = ('"at", "user_id", "username", "client_address", "action", "object_type", '
           '"object_id", "member_id", "path", "detail"')
OLD = "audit_unpartitioned_bench"


def cuts(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100)
    return f"p50 {q[49]:7.2f}  p95 {q[94]:7.2f}  p99 {q[98]:7.2f}  max {max(samples):7.2f} ms"


def scratch_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + name))


def admin_database(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(scratch_url(base, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def build(cursor, *, rows: int, members: int, clerks: int) -> None:
    """Fill 12 months of audit rows; keys and indexes after, as migration 0002 builds them."""

    cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'audit_auditevent' "
                   "AND indexname <> 'audit_auditevent_pkey'")
    # pg_indexes says "ON ONLY" for a partitioned table: that would make no partition's index.
    indexes = [r[0].replace(" ON ONLY ", " ON ") for r in cursor.fetchall()]
    cursor.execute("ALTER TABLE audit_auditevent DROP CONSTRAINT audit_auditevent_pkey")
    for name in ("audit_member_at", "audit_username_at", "audit_user_at", "audit_at"):
        cursor.execute(f"DROP INDEX {name}")
    cursor.execute("SELECT count(*) FROM audit_partitions_ensure('2025-12-01', 12)")
    cursor.execute("SET synchronous_commit = off")
    per_month = rows // len(MONTHS)
    for year, month in MONTHS:
        started = time.perf_counter()
        first = f"{year}-{month:02d}-01"
        # One clerk's VIEW of one member's page, at a uniform moment of the Boston month.
        cursor.execute(f"""
            INSERT INTO audit_auditevent ({COLUMNS})
            SELECT lo + (hi - lo) * random(), u, 'clerk' || u, ('10.1.' || u %% 250 || '.7')::inet,
                   'VIEW', 'member', m, m, '/enrollment/sco/member/' || m || '/', 'member page'
            FROM (SELECT %s::timestamp AT TIME ZONE 'America/New_York' AS lo,
                         (%s::timestamp + interval '1 month') AT TIME ZONE 'America/New_York' AS hi)
                 AS b,
                 LATERAL (SELECT 1 + floor(random() * %s)::int AS u,
                                 to_char(500000000000 + floor(random() * %s)::bigint,
                                         'FM000000000000') AS m, g
                          FROM generate_series(1, %s) AS g) AS r
        """, [first, first, clerks, members, per_month])
        print(f"  {first}: {per_month:,} rows in {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)
    started = time.perf_counter()
    cursor.execute("SET maintenance_work_mem = '512MB'")
    cursor.execute("ALTER TABLE audit_auditevent ADD CONSTRAINT audit_auditevent_pkey "
                   "PRIMARY KEY (id, at)")
    for sql in indexes:
        cursor.execute(sql)
    print(f"  keys and indexes in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    started = time.perf_counter()
    cursor.execute("VACUUM (ANALYZE) audit_auditevent")
    print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def searches(admin_site, superuser, *, label: str, params: list[dict], show_sql: bool) -> None:
    """Build the admin's changelist for each of *params*; print DB and whole times."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from audit.models import AuditEvent

    model_admin = admin_site.get_model_admin(AuditEvent)
    factory = RequestFactory()
    db_ms, whole_ms, counts = [], [], []
    spent = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    for i, query in enumerate(params):
        request = factory.get("/admin/audit/auditevent/", query)
        request.user = superuser
        spent.clear()
        request.session = {}
        request._messages = FallbackStorage(request)
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
            started = time.perf_counter()
            response = model_admin.changelist_view(request)
            response.render()
            whole_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        cl = response.context_data["cl"]
        page = list(cl.result_list)
        db_ms.append(sum(spent) * 1000)
        counts.append(cl.result_count)
        if show_sql and i == 0:
            reads = [q["sql"] for q in captured.captured_queries
                     if "audit_auditevent" in q["sql"] and q["sql"].startswith("SELECT")]
            for sql in reads:
                print(f"    SQL: {sql}")
            with connection.cursor() as cursor:
                for sql in reads:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    print("    " + "\n    ".join(r[0] for r in cursor.fetchall()))
        assert len(page) == min(cl.result_count, 100)
    print(f"  {label}: {len(params)} searches, {statistics.mean(counts):.0f} rows found on "
          f"average ({len(captured.captured_queries)} queries a page, its audit row included)"
          f"\n    database {cuts(db_ms)}\n    page     {cuts(whole_ms)}")


def insert_cost(cursor, *, samples: int) -> None:
    """One audit row per transaction, alternately partitioned and unpartitioned."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from audit.models import AuditEvent

    cursor.execute(f"DROP TABLE IF EXISTS {OLD}")
    cursor.execute(f"CREATE TABLE {OLD} (LIKE audit_auditevent INCLUDING DEFAULTS)")
    cursor.execute(f"ALTER TABLE {OLD} ALTER COLUMN id DROP DEFAULT, ALTER COLUMN id "
                   "ADD GENERATED BY DEFAULT AS IDENTITY (START WITH 100000000)")
    cursor.execute(f"INSERT INTO {OLD} SELECT * FROM audit_auditevent_p202611")
    for sql in (f"ALTER TABLE {OLD} ADD PRIMARY KEY (id)",
                f"CREATE INDEX ON {OLD} (member_id, at DESC)",
                f"CREATE INDEX ON {OLD} (username, at DESC)",
                f"CREATE INDEX ON {OLD} (user_id, at DESC)",
                f"CREATE INDEX ON {OLD} (at DESC)", f"VACUUM (ANALYZE) {OLD}"):
        cursor.execute(sql)
    # Django's own statement for record_each of one row, shown once.
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        AuditEvent.objects.bulk_create([AuditEvent(
            at="2026-11-30T12:00:00-05:00", user_id=1, username="clerk1",
            client_address="10.1.1.7", action="VIEW", object_type="member",
            object_id="500000000001", member_id="500000000001", path="/", detail="x")])
    print("    SQL: " + next(q["sql"] for q in captured.captured_queries if "INSERT" in q["sql"]))
    times = {"partitioned": [], "unpartitioned": []}
    rng = random.Random(19)
    for i in range(samples):
        for table in (("audit_auditevent", OLD) if i % 2 else (OLD, "audit_auditevent")):
            m = f"{500000000000 + rng.randrange(300000):012d}"
            started = time.perf_counter()
            with transaction.atomic():
                cursor.execute(
                    f'INSERT INTO "{table}" ({COLUMNS}) VALUES '
                    "(%s::timestamptz + %s * interval '1 millisecond', %s, %s, %s, %s, %s, %s, "
                    f'%s, %s, %s) RETURNING "{table}"."id"',
                    ["2026-11-30T12:00:00-05:00", i, 7, "clerk7", "10.1.7.7", "VIEW",
                     "member", m, m, f"/enrollment/sco/member/{m}/", "member page"])
                cursor.fetchone()
            key = "partitioned" if table == "audit_auditevent" else "unpartitioned"
            times[key].append((time.perf_counter() - started) * 1000)
    for key, ms in times.items():
        print(f"  insert one row + commit, {key:13}: mean {statistics.mean(ms):.3f}  {cuts(ms)}")
    cursor.execute(f"DROP TABLE {OLD}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--members", type=int, default=300_000)
    parser.add_argument("--clerks", type=int, default=500)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--inserts", type=int, default=3000)
    parser.add_argument("--reuse", action="store_true", help="the database is built already")
    parser.add_argument("--keep", action="store_true", help="do not drop it at the end")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL") or sys.exit("set DATABASE_URL (its server is used)")
    print(f"disk free on /work: {shutil.disk_usage('/work').free / 2**30:.0f} GiB")
    if not args.reuse:
        admin_database(base, f"DROP DATABASE IF EXISTS {SCRATCH}")
        admin_database(base, f"CREATE DATABASE {SCRATCH}")
    os.environ["DATABASE_URL"] = scratch_url(base, SCRATCH)
    from django_setup import django_ready
    from machine import print_machine

    print_machine()
    django_ready()
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            if not args.reuse:
                started = time.perf_counter()
                build(cursor, rows=args.rows, members=args.members, clerks=args.clerks)
                print(f"built in {time.perf_counter() - started:.0f} s")
            cursor.execute("SELECT count(*), pg_size_pretty(sum(pg_total_relation_size(c.oid))) "
                           "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                           "WHERE i.inhparent = 'audit_auditevent'::regclass")
            print(f"partitions: {cursor.fetchone()}; rows: {args.rows:,} (as built)")
        superuser = get_user_model().objects.filter(username="bench-ops").first() or \
            get_user_model().objects.create_superuser("bench-ops", "ops@example.org", None)
        rng = random.Random(3)

        def member() -> str:
            return f"{500000000000 + rng.randrange(args.members):012d}"

        for first, last in (("11/01/2026", "11/30/2026"), ("03/01/2026", "03/31/2026")):
            month = {"from": first, "to": last}
            searches(admin.site, superuser, label=f"member ID, {first}-{last}",
                     params=[{"member_id": member(), **month} for _ in range(args.searches)],
                     show_sql=True)
            searches(admin.site, superuser, label=f"user, {first}-{last}",
                     params=[{"username": f"clerk{1 + rng.randrange(args.clerks)}", **month}
                             for _ in range(args.searches // 5)], show_sql=first == "11/01/2026")
        searches(admin.site, superuser, label="member ID, 11/01/2026-11/07/2026",
                 params=[{"member_id": member(), "from": "11/01/2026", "to": "11/07/2026"}
                         for _ in range(args.searches // 5)], show_sql=False)
        searches(admin.site, superuser, label="member ID, no date (every partition)",
                 params=[{"member_id": member()} for _ in range(args.searches // 5)],
                 show_sql=True)
        searches(admin.site, superuser, label="the log's first page, nothing typed",
                 params=[{} for _ in range(20)], show_sql=True)
        searches(admin.site, superuser, label="a whole month, nothing else typed",
                 params=[{"from": "11/01/2026", "to": "11/30/2026"} for _ in range(20)],
                 show_sql=False)
        with connection.cursor() as cursor:
            insert_cost(cursor, samples=args.inserts)
    finally:
        connection.close()
        if not args.keep:
            admin_database(base, f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
            print(f"dropped {SCRATCH}")


if __name__ == "__main__":
    main()
