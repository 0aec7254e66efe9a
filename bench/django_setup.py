"""Shared set-up for the benchmarks that need Django and a scratch PostgreSQL database.

Every benchmark refuses to run without DATABASE_URL: point it at a database you can
fill and empty (e.g. postgres://postgres@127.0.0.1:5432/posc_bench).
"""

import os
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COUNTIES_GB = ("Suffolk", "Middlesex", "Norfolk")
COUNTIES = COUNTIES_GB + ("Worcester", "Essex", "Plymouth", "Bristol", "Hampden")


def django_ready() -> None:
    """Configure Django on the scratch database, migrate it and load the reference data."""
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to a scratch PostgreSQL database first")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posc.settings.test")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("loaddata", "plans", "rate_cells", verbosity=0)


def ensure_members(count: int) -> None:
    """Fill the member table up to *count* SCO-eligible invented members, with COPY."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM members_member")
        have = cursor.fetchone()[0]
        if have >= count:
            return
        print(f"loading {count - have:,} members …", file=sys.stderr)
        columns = ("member_id, last_name, first_name, middle_initial, date_of_birth, sex, "
                   "coverage_type, coverage_start, medicare_a_start, medicare_b_start, mbi, "
                   "address_line1, city, zip, county, residence, rating_category, esrd, "
                   "deductible_period, updated_at")
        with cursor.cursor.copy(f"COPY members_member ({columns}) FROM STDIN") as copy:
            for n in range(have, count):
                copy.write_row((
                    f"{500000000000 + n:012d}", f"BENCH{n}", "PAT", "",
                    f"19{40 + n % 18}-0{1 + n % 9}-15",
                    "F", "STANDARD", "2015-01-01", "2020-01-01", "2020-01-01", "",
                    f"{n % 999} EXAMPLE ST", "BOSTON", "02118", COUNTIES[n % len(COUNTIES)],
                    "COMMUNITY", "CW", False, False, "2026-01-01 00:00:00+00"))
        cursor.execute("ANALYZE members_member")


def member_ids(count: int, sample: int, seed: int = 7) -> list[str]:
    """Return *sample* random member IDs among the first *count* bench members."""
    rng = random.Random(seed)
    return [f"{500000000000 + rng.randrange(count):012d}" for _ in range(sample)]


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """Return p50, p95 and max of *samples_ms*."""
    cuts = statistics.quantiles(samples_ms, n=100)
    return {"p50": cuts[49], "p95": cuts[94], "max": max(samples_ms)}


def second_factor_passed(user, session) -> None:
    """Mark *session* as past the second factor, as the code page does after a good code.

    Production settings require a second factor (MFA_REQUIRED): without this every page
    answers with a redirect to the code page, and a benchmark would time that instead.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="bench", confirmed=True))
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
