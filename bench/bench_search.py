"""Member Search + Verification latency at 1,000,000 members (run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/posc_bench \\
        .venv/bin/python bench/bench_search.py

Each sample is one clerk's Search (POST, answered by a redirect) followed by the
Verification panel (GET), through Django's whole middleware stack in-process (sessions,
CSRF, auth), for a random member. For scale it also times a raw psycopg primary-key
lookup on the same table. Prints p50/p95/max in milliseconds.
"""

import argparse
import os
import time

from django_setup import (
    django_ready,
    ensure_members,
    member_ids,
    percentiles,
    second_factor_passed,
)
from machine import print_machine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--production", action="store_true",
                        help="production settings (bench/site_settings.py)")
    args = parser.parse_args()
    if args.production:
        os.environ["DJANGO_SETTINGS_MODULE"] = "site_settings"
    django_ready()
    ensure_members(args.members)

    import psycopg
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from posc.members.models import ProviderLink

    user, _ = get_user_model().objects.get_or_create(username="bench.sco")
    ProviderLink.objects.get_or_create(user=user, provider_id="110000001A")
    client = Client()
    client.force_login(user)
    session = client.session
    second_factor_passed(user, session)
    session.save()
    ids = member_ids(args.members, args.requests + 50)

    cpu_ms = []

    def one(member_id: str) -> float:
        cpu = time.process_time()
        start = time.perf_counter()
        response = client.post("/enrollment/sco/search/", {
            "provider_id": "110000001A", "member_id": member_id,
            "last_name": f"BENCH{int(member_id) - 500000000000}", "first_name": "PAT"})
        assert response.status_code == 302, response.content[:500]
        assert "/verification/" in response["Location"], response["Location"]
        page = client.get(response["Location"])
        assert page.status_code == 200 and b"Verification" in page.content
        cpu_ms.append((time.process_time() - cpu) * 1000)
        return (time.perf_counter() - start) * 1000

    print_machine()
    for member_id in ids[:50]:  # warm-up: connections, caches, templates
        one(member_id)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: (queries.append(sql),
                                                                  execute(sql, *rest))[1]):
        one(ids[0])
    cpu_ms.clear()
    django_ms = [one(member_id) for member_id in ids[50:]]
    cpu = percentiles(cpu_ms)

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"] or None, port=db["PORT"] or None, dbname=db["NAME"],
                         user=db["USER"], password=db["PASSWORD"] or None) as raw:
        raw_ms = []
        for member_id in ids:
            start = time.perf_counter()
            raw.execute("SELECT * FROM members_member WHERE member_id = %s",
                        (member_id,)).fetchone()
            raw_ms.append((time.perf_counter() - start) * 1000)
        raw_ms = raw_ms[50:]
    connection.close()

    d, r = percentiles(django_ms), percentiles(raw_ms)
    print(f"members: {args.members:,}   samples: {len(django_ms):,}   "
          f"queries per pair: {len(queries)}   "
          f"settings: {os.environ['DJANGO_SETTINGS_MODULE']}")
    print(f"{'':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print(f"{'search + verification (Django)':34} {d['p50']:8.2f} {d['p95']:8.2f} {d['max']:8.2f}")
    print(f"{'  of which Django process CPU':34} {cpu['p50']:8.2f} {cpu['p95']:8.2f}"
          f" {cpu['max']:8.2f}")
    print(f"{'raw psycopg primary-key lookup':34} {r['p50']:8.3f} {r['p95']:8.3f} {r['max']:8.3f}")
    print(f"{'ratio (p95)':34} {d['p95'] / r['p95']:8.1f}x")


if __name__ == "__main__":
    main()
