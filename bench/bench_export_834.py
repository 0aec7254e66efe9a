"""834 export of 100,000 member loops: cut the batch and write the file (run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/posc_bench \\
        .venv/bin/python bench/bench_export_834.py [--pyx12]

Makes N accepted, unsent enrollment transactions for one plan (SQL, not timed), then
times ``batch_cut`` + ``batch_write`` (what ``export_834`` does) and reports wall seconds,
the process's peak RSS growth and tracemalloc's peak. ``--pyx12`` also times pyx12 4.0.0
reading the same file (about 95 s for 100k loops on a 2-core machine).
"""

import argparse
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from django_setup import django_ready, ensure_members
from machine import print_machine

PLAN = "110000001A"
# One enrollment loop per member, as render_member_loop writes it (built in SQL: set-up only).
LOOP_SQL = """concat_ws('~' || chr(10),
    'INS*Y*18*021*28*A*C', 'REF*0F*' || m.member_id, 'REF*1L*SCO', 'DTP*356*D8*20261201',
    'NM1*IL*1*' || m.last_name || '*' || m.first_name, 'N3*' || m.address_line1,
    'N4*' || m.city || '*MA*' || m.zip, 'DMG*D8*' || to_char(m.date_of_birth, 'YYYYMMDD') || '*F',
    'HD*021**HLT*SCO PLAN*IND', 'DTP*348*D8*20261201', 'REF*CE*SCO-CW-GB') || '~' || chr(10)"""


def make_pending(count: int) -> None:
    """Insert *count* accepted enrollment transactions not yet in a batch."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from posc.members.models import Plan

    user, _ = get_user_model().objects.get_or_create(username="bench.export")
    plan = Plan.objects.get(provider_id=PLAN)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM enrollment_batchentry")
        cursor.execute("DELETE FROM enrollment_batch834")
        cursor.execute("DELETE FROM enrollment_enrollmenttransaction")
        cursor.execute(f"""
            INSERT INTO enrollment_enrollmenttransaction
              (created_at, updated_at, reference, token, kind, status, member_id, plan_id,
               requested_by_id, request_date, effective_date, reason, cancellation, codes,
               errors, loop_x12, loop_segments)
            SELECT now() + (s.n || ' microseconds')::interval, now(),
                   'ENR-BENCH-' || lpad(s.n::text, 8, '0'), gen_random_uuid(), 'ENROLL',
                   'ACCEPTED', m.member_id, %s, %s, DATE '2026-11-22', DATE '2026-12-01', '',
                   false, '{{}}', '[]', {LOOP_SQL}, 11
            FROM (SELECT member_id, row_number() OVER (ORDER BY member_id) AS n
                  FROM members_member ORDER BY member_id LIMIT %s) AS s
            JOIN members_member m ON m.member_id = s.member_id""", [plan.pk, user.pk, count])
        cursor.execute("""
            INSERT INTO enrollment_batchentry (transaction_id, plan_id, batch_id)
            SELECT id, plan_id, NULL FROM enrollment_enrollmenttransaction""")
        cursor.execute("ANALYZE enrollment_batchentry")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loops", type=int, default=100_000)
    parser.add_argument("--pyx12", action="store_true")
    args = parser.parse_args()
    django_ready()
    ensure_members(args.loops)
    from enrollment.services import batch_cut, batch_write
    from posc.members.models import Plan

    plan = Plan.objects.get(provider_id=PLAN)
    print_machine()
    out = Path(tempfile.mkdtemp(prefix="bench834-")) / "batch.x12"
    rows = []
    for label, traced in (("cut + write", False), ("cut + write (tracemalloc)", True)):
        make_pending(args.loops)
        rss_before = rss_mb()
        if traced:
            tracemalloc.start()
        start = time.perf_counter()
        batch = batch_cut(plan=plan)
        cut = time.perf_counter() - start
        batch_write(batch=batch, path=out)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else float("nan")
        tracemalloc.stop()
        rows.append((label, cut, seconds - cut, seconds, rss_mb() - rss_before, rss_mb(), peak))

    print(f"loops: {args.loops:,}   file: {out.stat().st_size / 2**20:.1f} MiB")
    print(f"{'':28} {'cut s':>6} {'write s':>7} {'total s':>7} {'RSS +MiB':>9} {'RSS MiB':>8}"
          f" {'py peak MiB':>12}")
    for label, cut, write, seconds, grew, rss, peak in rows:
        print(f"{label:28} {cut:6.2f} {write:7.2f} {seconds:7.2f} {grew:9.1f} {rss:8.1f}"
              f" {peak:12.1f}")
    if args.pyx12:
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.x12check import pyx12_errors

        start = time.perf_counter()
        errors = pyx12_errors(out)
        pyx12_seconds = time.perf_counter() - start
        print(f"{'pyx12 4.0.0 reads it':28} {pyx12_seconds:22.2f}   errors: {len(errors)}")
        print(f"{'ratio pyx12 / export':28} {pyx12_seconds / rows[0][3]:22.1f}x   (target >= 30x)")


if __name__ == "__main__":
    main()
