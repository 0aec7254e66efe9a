"""CPU time per request of the throughput benchmark's pages, in-process (no gunicorn, no wrk).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/posc_bench \\
        .venv/bin/python bench/bench_pages_cpu.py [--requests 1000] [--repeat 5] [--profile]

Calls Django's WSGI handler directly, as a gunicorn sync worker would, with the same signed-in
clerk session as bench_throughput.py, and reports this process's CPU time (user + system)
per request: the best of --repeat batches, which moves little with other load on the
machine. The minimal view runs in a child process with its own settings. Use it to
compare changes quickly; bench_throughput.py stays the figure of record (gunicorn adds
about 0.35 ms to every request).
"""

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PROVIDER_ID = "110000001A"


def environ(method: str, path: str, cookie: str, body: bytes = b"") -> dict:
    """Return a WSGI environ for one request."""
    return {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": cookie, "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded" if body else "",
    }


def run_site(kind: str, requests: int, repeat: int, profile: bool) -> None:
    """Measure the cases of one site in this process; print one line per case."""
    import random

    sys.path.insert(0, str(BENCH))
    settings = "site_settings" if kind == "portal" else "minimal_settings"
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    import django

    django.setup()
    from bench_throughput import signed_in_sessions
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    cookie, csrf = signed_in_sessions(1)[0]
    rng = random.Random(7)

    panel = []  # the Verification panel of the last search (each search opens its own flow)

    def call(env: dict, expected: int) -> None:
        status = []
        body = app(env, lambda s, h, *a: (status.append(s),
                                          panel.extend(v for k, v in h if k == "Location")))
        b"".join(body)
        body.close()
        if not status[0].startswith(str(expected)):
            sys.exit(f"{env['PATH_INFO']}: {status[0]}")

    def member() -> str:
        return f"{500000000000 + rng.randrange(1_000_000):012d}"

    def search_post() -> None:
        n = member()
        body = urlencode({"csrfmiddlewaretoken": csrf, "provider_id": PROVIDER_ID, "member_id": n,
                          "last_name": f"BENCH{int(n) - 500000000000}", "first_name": "PAT"})
        call(environ("POST", "/enrollment/sco/search/", cookie, body.encode()), 302)

    if kind == "minimal":
        cases = {"minimal view": lambda: call(environ("GET", f"/m/{member()}/", cookie), 200)}
    else:
        search_post()  # the session now holds a Verification panel
        cases = {
            "Search GET": lambda: call(environ("GET", "/enrollment/sco/search/", cookie), 200),
            "Search POST": search_post,
            "Verification GET": lambda: call(environ("GET", panel[-1], cookie), 200),
        }
    for label, case in cases.items():
        for _ in range(200):  # warm-up: templates, prepared statements
            case()
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            for _ in range(requests):
                case()
            best = min(best, (time.process_time() - start) * 1000 / requests)
        print(f"{label:20} {best:6.3f}", flush=True)
        if profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            for _ in range(requests):
                case()
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--site", choices=("portal", "minimal"))
    args = parser.parse_args()
    if args.site:
        run_site(args.site, args.requests, args.repeat, args.profile)
        return
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to the benchmark database (posc_bench) first")
    sys.path.insert(0, str(BENCH))
    from machine import print_machine

    print_machine()
    print(f"CPU ms per request, in-process, best of {args.repeat} x {args.requests}")
    for site in ("minimal", "portal"):
        subprocess.run([sys.executable, __file__, "--site", site, "--requests", str(args.requests),
                        "--repeat", str(args.repeat)] + (["--profile"] if args.profile else []),
                       check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
