"""Time import_members on a 1,000,000-row feed against two COPY references.

Run by hand against a scratch database (its members and spans are deleted):

    psql -h 127.0.0.1 -U postgres -c 'create database posc_bench_import'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/posc_bench_import \\
        .venv/bin/python bench/bench_import_members.py [--rows 1000000]

The four figures of issue 19 §2, each pair run in the same minutes:
  (a) a bare COPY of the CSV into an unindexed table (twice: before and after the imports);
  (c) the creating import into empty tables, then at once
  (b) a COPY of the rows it wrote (members, then spans, in the order the import writes them)
      into copies of members_member and members_enrollmentspan with all their indexes and
      constraints (CREATE TABLE ... (LIKE ... INCLUDING ALL) keeps the exclusion constraint)
      and the spans' foreign keys, deferred as Django's are, in one transaction;
  (d) the same file again (nothing changed), then (a) again.
Printed: c/b (target 1.5) and d/a (target 3). Then a file where every member's address
changed. Imports of a quarter and a tenth of the rows compare peak memory. Each import
runs in a child process so that its peak RSS (its VmHWM) is its own. The feeds are
generated once under var/bench/ from a fixed seed: invented people only, a fifth of them
enrolled in an SCO or One Care plan. With --create-only N, only (c) and (b), N times in
turn: quick paired comparisons (e.g. --rows 250000 --create-only 3).
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
SEED = 834
# A multiplier prime to 10**6: member IDs come in a scrambled order, as in a real extract.
ID_STRIDE = 386_117
PLANS = ("110000001A", "110000002A", "110000003A", "110000004A", "110000005A", "110000006A",
         "120000001A", "120000002A", "120000003A")
SURNAMES = ("SAMPLESON", "DEMOWITZ", "FICTIVO", "MOCKFORD", "TRIALTON", "PRETENDA", "NONESUCH",
            "FAUXLEY", "SIMULO", "STANDINE", "EXAMPLAR", "DUMMETT", "TESTARD", "O'PLACEHOLD")
FIRST_NAMES = (("ALMA", "F"), ("BERT", "M"), ("CORA", "F"), ("DEAN", "M"), ("EDNA", "F"),
               ("FRED", "M"), ("GWEN", "F"), ("HUGO", "M"), ("IDA", "F"), ("JUDE", "M"))
COUNTIES = ("Barnstable", "Berkshire", "Bristol", "Dukes", "Essex", "Franklin", "Hampden",
            "Hampshire", "Middlesex", "Nantucket", "Norfolk", "Plymouth", "Suffolk", "Worcester")
CATEGORIES = ("CW", "CNHC", "T1", "T2", "T3", "F1", "C3A", "C3B", "C2A", "C2B", "C1")
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


def _django() -> None:
    """Configure Django for the scratch database named by DATABASE_URL."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posc.settings.local")
    import django

    django.setup()


def _mbi(rng: random.Random) -> str:
    """Return an invented MBI in the CMS format (domain.md F)."""
    letters, digits = MBI_LETTERS, "0123456789"
    both = letters + digits
    pick = rng.choice
    return "".join(pick(kind) for kind in ("123456789", letters, both, digits, letters, both,
                                           digits, letters, letters, digits, digits))


def _feed_row(i: int, rows: int, rng: random.Random, street: str) -> list[str]:
    """Return the feed row of the *i*-th invented member."""
    day = datetime.date.fromordinal
    born = day(datetime.date(1930, 1, 1).toordinal() + rng.randrange(30 * 365))
    start = day(datetime.date(2005, 1, 1).toordinal() + rng.randrange(18 * 365))
    end = day(start.toordinal() + rng.randrange(30, 2000)).isoformat() if rng.random() < 0.1 else ""
    medicare = born.replace(year=born.year + 65, day=1).isoformat() if rng.random() < 0.8 else ""
    first, sex = FIRST_NAMES[i % len(FIRST_NAMES)]
    county = COUNTIES[i % len(COUNTIES)]
    residence = "NURSING_FACILITY" if i % 9 == 0 else "COMMUNITY"
    plan = start_plan = ""
    if rng.random() < 0.2:
        plan = PLANS[i % len(PLANS)]
        start_plan = datetime.date(2015 + i % 10, 1 + i % 12, 1).isoformat()
    died = day(born.toordinal() + 80 * 365).isoformat() if rng.random() < 0.01 else ""
    row = [
        f"{200_000_000_000 + (i * ID_STRIDE) % rows:012d}",
        SURNAMES[i % len(SURNAMES)], first, "ABCDEFGH"[i % 8] if i % 3 == 0 else "",
        born.isoformat(), sex, "STANDARD" if i % 7 else "COMMONHEALTH", start.isoformat(), end,
        medicare, "", medicare, "", _mbi(rng) if medicare and i % 2 else "",
        f"{1 + i % 999} {street}, APT {i % 40}" if i % 20 == 0 else f"{1 + i % 999} {street}",
        "SAMPLETOWN", f"{1000 + i % 1700:05d}", county, residence, CATEGORIES[i % len(CATEGORIES)],
        "Y" if i % 50 == 0 else "N", "N", died, plan, start_plan,
    ]
    if i % 100 == 0:  # enumerations are matched ignoring case (member-feed.md)
        row[5], row[17], row[18] = sex.lower(), county.upper(), residence.lower()
    return row


def generate(path: Path, rows: int, *, street: str = "EXAMPLE ST") -> None:
    """Write a valid feed of *rows* invented members to *path* (kept for the next run).

    The same seed gives the same members; another *street* changes every member's address.
    """
    import csv

    from posc.members.importer import NAMES

    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    partial = path.with_suffix(".partial")
    with open(partial, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(NAMES)
        writer.writerows(_feed_row(i, rows, rng, street) for i in range(rows))
    partial.rename(path)


def _child(path: str) -> None:
    """Import *path* in this (child) process and print the result as JSON."""
    _django()
    from posc.members.importer import members_import

    started = time.perf_counter()
    result = members_import(path=path, today=datetime.date(2026, 1, 1),
                            now=datetime.datetime(2026, 1, 1, 15, tzinfo=datetime.timezone.utc),
                            progress=lambda n: print(f"  … {n:,} rows", file=sys.stderr))
    print(json.dumps({"seconds": time.perf_counter() - started, "created": result.created,
                      "updated": result.updated, "spans": result.spans_created,
                      "peak_rss_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    """Return this process's peak resident memory since it started this program, in MB.

    VmHWM belongs to the address space exec gave this process. Not the ru_maxrss of
    os.wait4 or getrusage: Linux keeps in it the peak of the image the child was forked
    from before its exec, the parent's (113 MB reported after the parent's 1M COPY steps,
    where the import itself peaked at 82 MB).
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_import(path: Path) -> dict:
    """Run one import in a child process; return its figures with its own peak RSS."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--child", str(path)],
                             stdout=subprocess.PIPE, text=True)
    output = child.stdout.read()
    if child.wait():
        sys.exit(f"import of {path} failed ({child.returncode})")
    figures = json.loads(output.strip().splitlines()[-1])
    figures["wall"] = time.perf_counter() - started
    return figures


def raw_copy_seconds(path: Path) -> float:
    """Return the seconds a plain COPY FROM STDIN of *path* takes into an unindexed table."""
    from django.db import connection

    from posc.members.importer import COLUMNS

    columns = ", ".join(f"{name} {kind}" for name, _, kind in COLUMNS)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(f"CREATE TABLE bench_raw_copy ({columns})")
        started = time.perf_counter()
        with open(path, "rb") as feed, cursor.copy(
                "COPY bench_raw_copy FROM STDIN (FORMAT csv, HEADER true)") as copy:
            while chunk := feed.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw_copy")
    return seconds


_SHAPED = (("members_member", "bench_members"), ("members_enrollmentspan", "bench_spans"))


def shaped_copy_seconds(*, by_member: bool = False) -> tuple[float, int, int]:
    """Return the seconds a COPY of the imported members and spans takes into copies of
    their tables with the same indexes and constraints, and the rows copied.

    The rows are read first (COPY TO, not timed) from the tables the import just filled,
    in their physical order: the order the import wrote them; *by_member*: sorted by
    member ID instead (B-tree and GiST inserts in key order cost less).
    """
    import tempfile

    from django.db import connection, transaction

    with tempfile.TemporaryDirectory(dir=BENCH_DIR) as scratch, connection.cursor() as wrapper:
        cursor = wrapper.cursor
        counts = []
        for table, copy_table in _SHAPED:
            cursor.execute(f"DROP TABLE IF EXISTS {copy_table}")
            cursor.execute(f"CREATE TABLE {copy_table} (LIKE {table} INCLUDING ALL)")
            rows = (f"(SELECT * FROM {table} ORDER BY member_id COLLATE \"C\")" if by_member
                    else table)
            with open(Path(scratch) / table, "wb") as out, cursor.copy(
                    f"COPY {rows} TO STDOUT") as copy:
                for data in copy:
                    out.write(data)
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts.append(cursor.fetchone()[0])
        # LIKE copies no foreign key: add the spans' two, deferred like Django's.
        cursor.execute("""
            ALTER TABLE bench_spans
              ADD FOREIGN KEY (member_id) REFERENCES bench_members DEFERRABLE INITIALLY DEFERRED,
              ADD FOREIGN KEY (plan_id) REFERENCES members_plan DEFERRABLE INITIALLY DEFERRED""")
        started = time.perf_counter()
        with transaction.atomic():
            for table, copy_table in _SHAPED:
                with open(Path(scratch) / table, "rb") as rows, cursor.copy(
                        f"COPY {copy_table} FROM STDIN") as copy:
                    while chunk := rows.read(1 << 20):
                        copy.write(chunk)
        seconds = time.perf_counter() - started  # the commit checked the foreign keys
        cursor.execute("DROP TABLE bench_spans, bench_members")
    return seconds, counts[0], counts[1]


def _prepare_database() -> None:
    """Migrate the scratch database and load the plans (demo-data.md)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", "plans", verbosity=0)


def _empty_members() -> None:
    """Delete every member and span of the scratch database, and the lines remembered."""
    from django.db import connection

    from posc.members.models import EnrollmentSpan, FeedLine, Member

    tables = ", ".join(m._meta.db_table for m in (EnrollmentSpan, Member, FeedLine))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


def _vacuum() -> None:
    """Vacuum and analyze members and spans, as autovacuum would between two daily feeds."""
    from django.db import connection

    from posc.members.models import EnrollmentSpan, FeedLine, Member

    tables = ", ".join(m._meta.db_table for m in (EnrollmentSpan, Member, FeedLine))
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {tables}")


def _feed(rows: int, *, changed: bool = False) -> Path:
    """Return the feed of *rows* members under var/bench/, generating it the first time."""
    path = BENCH_DIR / f"member-feed-{rows}{'-changed' if changed else ''}.csv"
    if not path.exists():
        print(f"generating {path} …", flush=True)
        generate(path, rows, street="EXAMPLE AVE" if changed else "EXAMPLE ST")
    return path


def _report(label: str, figures: dict, reference: float | None = None,
            name: str = "") -> None:
    ratio = f"; {figures['seconds'] / reference:.2f}x {name}" if reference else ""
    print(f"{label}: {figures['seconds']:.1f} s in members_import "
          f"({figures['wall']:.1f} s with process start), "
          f"peak RSS {figures['peak_rss_mb']:.0f} MB; "
          f"{figures['created']:,} created, {figures['updated']:,} updated, "
          f"{figures['spans']:,} spans{ratio}", flush=True)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    """Generate the feeds if needed, run the references and the imports, print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--create-only", type=int, default=0, metavar="N",
                        help="run only (c) and (b), N times in turn, for paired comparisons")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("set DATABASE_URL to a scratch database, e.g. .../posc_bench_import")
    if "bench" not in urlsplit(url).path:
        sys.exit("refusing: this benchmark empties the members table; use a database named *bench*")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from machine import print_machine

    print_machine()
    _django()
    _prepare_database()
    if args.create_only:
        _create_only(_feed(args.rows), args.create_only)
        return
    big, changed = _feed(args.rows), _feed(args.rows, changed=True)
    smaller = [_feed(args.rows // 10), _feed(args.rows // 4)]
    print(f"feed: {big} ({big.stat().st_size / 1e6:.0f} MB, {args.rows:,} rows); "
          f"span exclusion: {_exclusion_form()}")
    for small in smaller:
        _empty_members()
        _report(f"import {_rows(small):,} rows into an empty table", run_import(small))
    bare = [raw_copy_seconds(big)]
    print(f"(a) bare COPY of the CSV into an unindexed table: {bare[0]:.1f} s "
          f"(load {_load()})", flush=True)
    _empty_members()
    created = run_import(big)
    _report("(c) import into empty tables", created)
    shaped, members, spans = shaped_copy_seconds()
    print(f"(b) COPY of its {members:,} members and {spans:,} spans into tables with the same "
          f"indexes and constraints: {shaped:.1f} s (load {_load()})", flush=True)
    by_member, _, _ = shaped_copy_seconds(by_member=True)
    print(f"(b) the same, sorted by member ID: {by_member:.1f} s (load {_load()})", flush=True)
    _vacuum()
    same = run_import(big)
    _report("(d) same file again (nothing changed)", same)
    bare.append(raw_copy_seconds(big))
    print(f"(a) bare COPY again: {bare[1]:.1f} s (load {_load()})", flush=True)
    print(f"c/b = {created['seconds'] / shaped:.2f} (target 1.5), "
          f"{created['seconds'] / by_member:.2f} against (b) sorted; d/a = "
          f"{same['seconds'] / min(bare):.2f}-{same['seconds'] / max(bare):.2f} (target 3)",
          flush=True)
    _vacuum()
    _report("every address changed (update)", run_import(changed), min(bare), "bare COPY")


def _create_only(path: Path, times: int) -> None:
    """Run (c) then (b) *times* times on *path*, printing each pair and its load."""
    for _ in range(times):
        _empty_members()
        created = run_import(path)
        shaped, _, _ = shaped_copy_seconds()
        by_member, _, _ = shaped_copy_seconds(by_member=True)
        print(f"(c) {created['seconds']:.2f} s, (b) {shaped:.2f} s, "
              f"c/b = {created['seconds'] / shaped:.2f}; (b) sorted by member ID "
              f"{by_member:.2f} s, c/b = {created['seconds'] / by_member:.2f}; peak RSS "
              f"{created['peak_rss_mb']:.0f} MB (load {_load()})", flush=True)


def _rows(path: Path) -> int:
    return int(path.stem.split("-")[2])


def _exclusion_form() -> str:
    """Return the form of span_no_overlap_integrated in the scratch database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                       " WHERE conname = 'span_no_overlap_integrated'")
        definition = cursor.fetchone()[0]
    return "int8range (no btree_gist)" if "int8range" in definition else "btree_gist"


if __name__ == "__main__":
    main()
