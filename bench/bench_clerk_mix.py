"""A clerk-mix load test: N clerks doing the job aids end to end, through PgBouncer and direct.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/posc_bench_load \\
        .venv/bin/python bench/bench_clerk_mix.py [--levels 10,50,200] [--seconds 60]

Issue 19 section 4. Loopback only; every level runs --seconds and stops by itself (a clerk
starts no new job after the deadline and finishes the one under way). No extra package:
the clerks are threads of this process, each with its own cookies, reading the pages' own
links and forms as a browser does (tests/deploy/servers.py `Browser`), so the panels' flow
URL, one-time token and page seal come from the HTML. Debian's PgBouncer
(/usr/sbin/pgbouncer) in transaction pooling and gunicorn (the checkout's gunicorn.conf.py)
are started as tests/deploy/servers.py does (imported from there, not copied). The bench
writes members, spans, clerks and transactions: give it a scratch database of its own.
Figures and the sizing derived from them: docs/performance.md, "Issue 19 §4".

For each mode (pgbouncer: gunicorn -> PgBouncer pool_mode=transaction -> PostgreSQL with
DB_POOL_MODE=transaction; direct: gunicorn -> PostgreSQL) and each level, gunicorn runs
bench/site_settings.py (production settings over plain HTTP; the clerks send
X-Forwarded-Proto: https as the TLS proxy does), --workers sync workers. Each clerk is
signed in beforehand (a session made in the database, second factor passed, as
bench/bench_throughput.py does) for one of the three SCO plans, then repeats:

- Member Search (the form), Member Search POST -> Verification, Confirm -> Certification,
  certify + Submit -> Confirmation (enrollment of a member nobody else is given);
- one time in four: Member Search of a member enrolled in its plan -> Disenrollment, Submit;
- one time in eight: the 834 Files page and a download of the plan's first 834.

Think time between pages: uniform in [--think-min, --think-max] seconds (0.5-2 s by
default; real clerks read and type for longer, so this is a harsher load per clerk).
Per step: p50 / p95 / p99 milliseconds (a step includes the redirect it is answered with);
errors (an exception, a status other than 200 at the end of the step, or a page that is
not the expected one); duplicates (a member with more than one transaction) and the
submits confirmed against the rows written; steps per second; PostgreSQL client
connections (sampled every 0.5 s: the most seen, and the mean of those not idle, i.e.
the connections a pool must hold by Little's law); gunicorn workers' CPU time per request;
the load average before and after each level.
"""

import argparse
import collections
import datetime
import itertools
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

SCO_PANELS = "Enroll/Disenroll SCO Members"  # the left menu's link to Member Search
STEPS = ("home", "search form", "search -> verification", "verification -> certification",
         "submit (enroll)", "search -> disenrollment", "submit (disenroll)", "834 Files",
         "834 download")


class Pool:
    """Members handed out once each, per plan, across the whole run (thread-safe)."""

    def __init__(self, by_plan: dict[str, list]):
        self.by_plan = {k: collections.deque(v) for k, v in by_plan.items()}
        self.lock = threading.Lock()
        self.given: list = []

    def take(self, provider_id: str):
        with self.lock:
            queue = self.by_plan[provider_id]
            if not queue:
                return None
            member = queue.popleft()
            self.given.append(member[0])
            return member


def prepare(args) -> tuple[dict, Pool, Pool, dict]:
    """Members, spans, clerks with sessions, and one 834 batch per plan to download."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.db import connection
    from django.utils.module_loading import import_string
    from django_setup import django_ready, ensure_members, second_factor_passed

    django_ready()
    ensure_members(args.members)
    from enrollment.models import Batch834
    from enrollment.services import batch_cut, batch_write, enrollment_submit
    from posc import clock
    from posc.members.demo import CCA_SCO, FALLON_SCO, SWH_SCO
    from posc.members.models import EnrollmentSpan, Member, Plan, ProviderLink

    plans = {p.provider_id: p for p in Plan.objects.filter(
        provider_id__in=(CCA_SCO, SWH_SCO, FALLON_SCO)).prefetch_related("service_areas")}
    counties = {pid: {a.county for a in p.service_areas.all()} for pid, p in plans.items()}
    with connection.cursor() as cursor:  # members with no span and no transaction yet
        cursor.execute("""
            SELECT m.member_id, m.last_name, m.first_name, m.county FROM members_member m
            WHERE m.member_id LIKE '5%%'
              AND NOT EXISTS (SELECT 1 FROM members_enrollmentspan s
                              WHERE s.member_id = m.member_id)
              AND NOT EXISTS (SELECT 1 FROM enrollment_enrollmenttransaction t
                              WHERE t.member_id = m.member_id)
            ORDER BY m.member_id""")
        free = cursor.fetchall()
    rng = random.Random(19)
    rng.shuffle(free)
    to_enroll: dict[str, list] = {pid: [] for pid in plans}
    to_disenroll: dict[str, list] = {pid: [] for pid in plans}
    order = list(plans)
    for n, row in enumerate(free):
        pid = next((p for p in order[n % 3:] + order[:n % 3] if row[3] in counties[p]), None)
        if pid is None:
            continue
        (to_disenroll if n % 4 == 0 else to_enroll)[pid].append(row[:3])
    spans = [EnrollmentSpan(member_id=row[0], plan=plans[pid], program=plans[pid].program,
                            start_date=datetime.date(2024, 1, 1),
                            source=EnrollmentSpan.Source.FEED)
             for pid, rows in to_disenroll.items() for row in rows[:args.spans]]
    EnrollmentSpan.objects.bulk_create(spans, batch_size=2000)
    for pid in plans:
        to_disenroll[pid] = to_disenroll[pid][:args.spans]

    users = get_user_model()
    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    clerks: dict[str, list[tuple[str, str]]] = {pid: [] for pid in plans}
    per_plan = -(-max(args.levels) // len(plans))
    for pid in plans:
        for i in range(per_plan):
            user, _ = users.objects.get_or_create(username=f"bench.clerk.{pid}.{i}")
            ProviderLink.objects.get_or_create(user=user, provider_id=pid)
            store = store_class()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            second_factor_passed(user, store)
            store.save(must_create=True)
            clerks[pid].append((settings.SESSION_COOKIE_NAME, store.session_key))
        if not Batch834.objects.filter(plan=plans[pid]).exists():  # a file to download
            member_id, last, first = to_enroll[pid].pop()
            txn = enrollment_submit(token=uuid.uuid4(), program=plans[pid].program,
                                    provider_id=pid, member=Member.objects.get(pk=member_id),
                                    last_name=last, first_name=first,
                                    actor=users.objects.get(username=f"bench.clerk.{pid}.0"),
                                    today=clock.today())
            assert txn.accepted, txn.errors
            with tempfile.TemporaryDirectory() as tmp:
                batch_write(batch=batch_cut(plan=plans[pid]), path=Path(tmp) / "first.x12")
    connection.close()
    return clerks, Pool(to_enroll), Pool(to_disenroll), counties


class Clerk:
    """One signed-in clerk's browser and its measurements."""

    def __init__(self, port, cookie, provider_id, pools, args, rng, record):
        from tests.deploy.servers import Browser

        self.browser = Browser(port)
        self.browser.cookies[cookie[0]] = cookie[1]
        self.provider_id, self.pools, self.args, self.rng = provider_id, pools, args, rng
        self.record = record
        self.sent = collections.Counter()

    def think(self):
        time.sleep(self.rng.uniform(self.args.think_min, self.args.think_max))

    def step(self, name: str, action, expect: str):
        """Run *action* (one page and its redirects); time it; None on error."""
        started = time.perf_counter()
        try:
            page = action()
        except Exception as exc:  # noqa: BLE001 - any failure is an error of the step
            self.record(name, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}")
            return None
        ms = (time.perf_counter() - started) * 1000
        if page.status != 200:
            self.record(name, ms, f"status {page.status}")
            return None
        if expect and expect.encode() not in page.body:
            if os.environ.get("BENCH_DEBUG"):
                print(page.url, page.body.decode()[:3000], file=sys.stderr)
            self.record(name, ms, "unexpected page")
            return None
        self.record(name, ms, None)
        return page

    def run(self, deadline: float):
        b = self.browser
        time.sleep(self.rng.uniform(0, self.args.think_max))  # clerks do not all start at once
        home = self.step("home", lambda: b.get("/"), "Signed in as")
        if home is None:
            return
        links = home.links()
        start, files_link = links[SCO_PANELS], links.get("834 Files")
        while time.monotonic() < deadline:
            self.think()
            self.enroll(start)
            if self.rng.random() < 0.25:
                self.think()
                self.disenroll(start)
            if files_link and self.rng.random() < 0.125:
                self.think()
                self.files(files_link)

    def search(self, start, member, name, expect):
        b = self.browser
        form = self.step("search form", lambda: b.get(start), "<h1>Member Search</h1>")
        if form is None:
            return None
        self.think()
        return self.step(name, lambda: b.submit(
            form, form.form("member_id", "last_name", "first_name"), member_id=member[0],
            last_name=member[1], first_name=member[2]), expect)

    def enroll(self, start):
        member = self.pools[0].take(self.provider_id)
        if member is None:
            return
        b = self.browser
        page = self.search(start, member, "search -> verification", "<h1>Verification</h1>")
        if page is None:
            return
        self.think()
        page = self.step("verification -> certification",
                         lambda: b.submit(page, page.form()), "<h1>Certification</h1>")
        if page is None:
            return
        self.think()
        self.sent["enroll"] += 1
        if self.step("submit (enroll)", lambda: b.submit(page, page.form("certify"),
                                                         certify="on"),
                     "Enrollment validated by MMIS"):
            self.sent["enroll confirmed"] += 1

    def disenroll(self, start):
        member = self.pools[1].take(self.provider_id)
        if member is None:
            return
        b = self.browser
        page = self.search(start, member, "search -> disenrollment", "<h1>Disenrollment</h1>")
        if page is None:
            return
        self.think()
        self.sent["disenroll"] += 1
        if self.step("submit (disenroll)", lambda: b.submit(page, page.form("reason"),
                                                            reason="MBR_REQ"),
                     "<h1>Disenrollment Confirmation</h1>"):
            self.sent["disenroll confirmed"] += 1

    def files(self, link):
        b = self.browser
        page = self.step("834 Files", lambda: b.get(link), "834")
        if page is None:
            return
        downloads = [href for text, href in page.links().items() if text.startswith("Download")]
        if downloads:
            self.think()
            self.step("834 download", lambda: b.get(downloads[-1]), "ISA*")


def pg_connections(database: str, stop: threading.Event, seen: list) -> None:
    """Sample the client connections to *database* every 0.5 s (this sampler's excluded)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"], dbname=db["NAME"], user=db["USER"],
                         password=db["PASSWORD"] or None, autocommit=True) as conn:
        while not stop.is_set():
            [row] = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE state <> 'idle') FROM pg_stat_activity"
                " WHERE datname = %s AND backend_type = 'client backend'"
                " AND pid <> pg_backend_pid()", (database,)).fetchall()
            seen.append(row)
            stop.wait(0.5)


def run_level(port, clerks, pools, args, n, server, database):
    """Run *n* clerks for args.seconds; return the measurements."""
    from bench_throughput import cpu_seconds

    samples: dict[str, list[float]] = collections.defaultdict(list)
    errors: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    lock = threading.Lock()

    def record(step, ms, error):
        with lock:
            samples[step].append(ms)
            if error:
                errors[step][error] += 1

    tagged = [[(pid, cookie) for cookie in cookies] for pid, cookies in clerks.items()]
    cookies = [pc for group in itertools.zip_longest(*tagged) for pc in group if pc][:n]
    people = [Clerk(port, cookie, pid, pools, args, random.Random(f"{n}-{i}"), record)
              for i, (pid, cookie) in enumerate(cookies)]
    given_before = (len(pools[0].given), len(pools[1].given))
    load_before = os.getloadavg()
    stop, seen = threading.Event(), []
    sampler = threading.Thread(target=pg_connections, args=(database, stop, seen))
    sampler.start()
    cpu_before = cpu_seconds(server)
    started = time.monotonic()
    threads = [threading.Thread(target=c.run, args=(started + args.seconds,)) for c in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(server) - cpu_before
    stop.set()
    sampler.join()
    sent = sum((c.sent for c in people), collections.Counter())
    members = (pools[0].given[given_before[0]:], pools[1].given[given_before[1]:])
    return {"samples": samples, "errors": errors, "elapsed": elapsed, "cpu": cpu,
            "sent": sent, "members": members, "load": (load_before, os.getloadavg()),
            "pg_max": max((n for n, _ in seen), default=0),
            "pg_active": statistics.mean(a for _, a in seen) if seen else 0.0}


def duplicates(members) -> tuple[int, collections.Counter]:
    """Return the members with more than one transaction, and the rows of these members."""
    from django.db import connection
    from django.db.models import Count

    from enrollment.models import EnrollmentTransaction

    ids = list(members[0]) + list(members[1])
    rows = EnrollmentTransaction.objects.filter(member_id__in=ids)
    dup = rows.values("member_id").annotate(n=Count("id")).filter(n__gt=1).count()
    kinds = collections.Counter(
        f"{k.lower()} {'accepted' if s == 'ACCEPTED' else s.lower()}"
        for k, s in rows.values_list("kind", "status"))
    connection.close()
    return dup, kinds


def report(mode, n, result, workers, dup, kinds) -> None:
    samples, errors = result["samples"], result["errors"]
    total = sum(len(v) for v in samples.values())
    err = sum(sum(c.values()) for c in errors.values())
    (b1, b5, _), (a1, a5, _) = result["load"]
    print(f"\n### {mode}, {n} clerks: {result['elapsed']:.0f} s, {total} steps, "
          f"{total / result['elapsed']:.1f} steps/s, {err} errors, {dup} duplicates")
    print(f"load average before {b1:.2f} / {b5:.2f}, after {a1:.2f} / {a5:.2f} (1 / 5 min); "
          f"PostgreSQL client connections: most {result['pg_max']}, busy (not idle) on "
          f"average {result['pg_active']:.2f}; gunicorn {workers} workers "
          f"CPU {result['cpu']:.1f} s = {result['cpu'] * 1000 / max(total, 1):.1f} ms/step")
    print(f"HTTP requests {result['http']} ({result['http'] / result['elapsed']:.1f}/s, "
          f"worker CPU {result['cpu'] * 1000 / max(result['http'], 1):.1f} ms each)")
    print(f"sent {dict(result['sent'])}; rows of these members {dict(kinds)}")
    print("| step | n | p50 ms | p95 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---|")
    for step in STEPS:
        values = samples.get(step)
        if not values:
            continue
        cuts = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        what = ", ".join(f"{k} × {v}" for k, v in errors[step].items()) or "0"
        print(f"| {step} | {len(values)} | {cuts[49]:.0f} | {cuts[94]:.0f} | {cuts[98]:.0f} "
              f"| {what} |")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")],
                        default=[10, 50, 200])
    parser.add_argument("--modes", default="pgbouncer,direct")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pool-size", type=int, default=4, help="PgBouncer default_pool_size")
    parser.add_argument("--think-min", type=float, default=0.5)
    parser.add_argument("--think-max", type=float, default=2.0)
    parser.add_argument("--members", type=int, default=60_000)
    parser.add_argument("--spans", type=int, default=1500, help="members to disenroll per plan")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "site_settings"
    from machine import print_machine

    clerks, enroll_pool, disenroll_pool, _ = prepare(args)
    from django.conf import settings

    from tests.deploy.servers import database_url, gunicorn, pgbouncer

    db = settings.DATABASES["default"]
    print_machine()
    print(f"think time {args.think_min}-{args.think_max} s; {args.seconds} s per level; "
          f"gunicorn {args.workers} sync workers (bench/site_settings.py); "
          f"PgBouncer pool_mode=transaction default_pool_size={args.pool_size}")
    for mode in args.modes.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            bouncer = None
            env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "CONN_"))}
            env.update(DJANGO_SETTINGS_MODULE="site_settings",
                       PYTHONPATH=os.pathsep.join((str(BENCH), str(ROOT))))
            if mode == "pgbouncer":
                bouncer = pgbouncer(db, tmp_path)
                ini = tmp_path / "pgbouncer.ini"  # the project's ini, with this pool size
                ini.write_text(ini.read_text().replace(
                    "default_pool_size = 10", f"default_pool_size = {args.pool_size}").replace(
                    "max_client_conn = 200", "max_client_conn = 1000"))
                bouncer.stop()
                bouncer = _restart(bouncer, ini)
                env.update(DB_POOL_MODE="transaction",
                           DATABASE_URL=database_url(db, host="127.0.0.1", port=bouncer.port))
            web = gunicorn(env, tmp_path, workers=args.workers)
            try:  # warm-up, not reported: workers boot, import and fill their caches
                run_level(web.port, clerks, (enroll_pool, disenroll_pool),
                          argparse.Namespace(**{**vars(args), "seconds": 5}),
                          args.workers, web.proc, db["NAME"])
                for n in args.levels:
                    before = web.output().count(" HTTP/1.1\" ")  # access log lines
                    result = run_level(web.port, clerks, (enroll_pool, disenroll_pool), args,
                                       n, web.proc, db["NAME"])
                    result["http"] = web.output().count(" HTTP/1.1\" ") - before
                    dup, kinds = duplicates(result["members"])
                    report(mode, n, result, args.workers, dup, kinds)
            finally:
                web.stop()
                if bouncer:
                    bouncer.stop()
                log = (tmp_path / "gunicorn.log").read_text()
                tracebacks = log.count("Traceback")
                if tracebacks:
                    print(f"gunicorn log: {tracebacks} tracebacks\n{log[-3000:]}")


def _restart(old, ini):
    """Start PgBouncer again on *ini* (rewritten), on the port it had."""
    from tests.deploy.servers import PGBOUNCER, Server

    args = [PGBOUNCER, str(ini)]
    if os.getuid() == 0:  # PgBouncer refuses to run as root (tests/deploy/servers.py)
        args[1:1] = ["-u", "postgres"]
    return Server("pgbouncer", args, port=old.port, log=ini.parent / "pgbouncer.log")


if __name__ == "__main__":
    main()
