"""Page throughput of Member Search and Verification under gunicorn, against a minimal view.

    apt-get install -y wrk     # the load tool (a system tool for benchmarks, not a dependency)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/posc_bench \\
        .venv/bin/python bench/bench_throughput.py

Starts gunicorn (2 sync workers, as on a 2-core machine) twice on free local ports: once
with the portal (bench/site_settings.py: production settings over plain HTTP), once with
the minimal site (bench/minimal_settings.py: one view doing one primary-key lookup,
Django's default middleware, the same database settings). wrk then drives, each for
--seconds after a warm-up, with one signed-in clerk (own session) per connection:

- minimal view, GET /m/<random member>/ (the reference);
- Member Search panel, GET (the form);
- Member Search, POST of a random bench member (MMIS checks, answered by a redirect);
- Verification panel, GET (the panel Member Search led to).

With --floor, two more cases run on the minimal site (bench/minimal_urls.py): views that
make only the statements the Member Search POST and the Verification GET cannot do without
(the session with the user, the member, the audit row, the flow in the session) and
nothing else. They tell how close to the minimal view any code of those pages could come.

Prints requests per second (the median of --repeat runs) and the ratio to the minimal view.
"""

import argparse
import http.client
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PROVIDER_ID = "110000001A"  # an SCO plan of the fixtures (demo-data.md)
SEARCH = "/enrollment/sco/search/"  # the portal's Member Search
FLOOR_SEARCH = "/floor/search/"  # its floor on the minimal site (minimal_urls.py)

# One session per wrk thread: setup() hands each thread its cookie and CSRF token.
LUA = """
local sessions = {%(sessions)s}
local counter = 0
function setup(thread)
  counter = counter + 1
  local s = sessions[(counter - 1) %% #sessions + 1]
  thread:set("cookie", s[1])
  thread:set("csrf", s[2])
  thread:set("panel", s[3] or "")
  thread:set("seed", counter)
end
local members = %(members)d
local kind = "%(kind)s"
local expected = %(expected)d
unexpected = 0
function init(args)
  math.randomseed(seed * 7919)
  wrk.headers["Cookie"] = cookie
  if kind == "search_post" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
end
function request()
  if kind == "minimal" then
    local n = math.random(0, members - 1)
    return wrk.format(nil, "/m/" .. string.format("%%012d", 500000000000 + n) .. "/")
  elseif kind == "search_post" then
    local n = math.random(0, members - 1)
    local body = "csrfmiddlewaretoken=" .. csrf .. "&provider_id=%(provider)s&member_id=" ..
      string.format("%%012d", 500000000000 + n) .. "&last_name=BENCH" .. n .. "&first_name=PAT"
    return wrk.format(nil, "%(path)s", nil, body)
  end
  if "%(path)s" == "" then return wrk.format(nil, panel) end
  return wrk.format(nil, "%(path)s")
end
function response(status, headers, body)
  if status ~= expected then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("requests/s %%.1f\\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("p50_ms %%.2f p99_ms %%.2f\\n", latency:percentile(50) / 1000,
                         latency:percentile(99) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(settings: str, port: int, workers: int) -> subprocess.Popen:
    """Start gunicorn with *settings* on *port*; return once it answers."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings,
           "PYTHONPATH": os.pathsep.join((str(BENCH), str(ROOT)))}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "posc.wsgi:application",
         "--workers", str(workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning"], cwd=ROOT, env=env)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit(f"gunicorn ({settings}) did not start")


def cpu_seconds(server: subprocess.Popen) -> float:
    """Return the user + system CPU seconds the server's worker processes used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server.pid:  # ppid: a worker of this gunicorn
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def signed_in_sessions(count: int) -> list[tuple[str, str]]:
    """Return (Cookie header, CSRF token) of *count* sessions of an SCO clerk."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.utils.module_loading import import_string
    from django_setup import second_factor_passed

    from posc.members.models import ProviderLink

    user, _ = get_user_model().objects.get_or_create(username="bench.throughput")
    ProviderLink.objects.get_or_create(user=user, provider_id=PROVIDER_ID)
    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    sessions = []
    for _ in range(count):
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        second_factor_passed(user, store)
        store.save(must_create=True)
        csrf = secrets.token_hex(16)  # an unmasked 32-character secret: cookie and form agree
        sessions.append((f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
                         f"{settings.CSRF_COOKIE_NAME}={csrf}", csrf))
    return sessions


def search_once(port: int, cookie: str, csrf: str, path: str) -> str:
    """POST one search to *path*, so that the session holds a Verification panel; return its
    path.

    Each search opens a flow of its own (enrollment/panel.py), and a session keeps the last
    thirty: the Verification runs use the flow of a search made just before them.
    """
    body = urlencode({"csrfmiddlewaretoken": csrf, "provider_id": PROVIDER_ID,
                      "member_id": "500000000007", "last_name": "BENCH7", "first_name": "PAT"})
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("POST", path, body, {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    if response.status != 302 or "verification" not in response.getheader("Location", ""):
        sys.exit(f"Member Search answered {response.status}, not a redirect to Verification")
    return response.getheader("Location")


def wrk(port: int, script: Path, seconds: int, connections: int) -> tuple[float, str, int]:
    """Run wrk; return requests per second, its latency line and the requests made."""
    run = subprocess.run(
        ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{seconds}s",
         "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True)
    out = run.stdout
    if "Non-2xx" in out or "Socket errors" in out:
        print(out, file=sys.stderr)
    rate = float(re.search(r"requests/s ([\d.]+)", out).group(1))
    latency = re.search(r"p50_ms ([\d.]+) p99_ms ([\d.]+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rate, f"{latency.group(1)} / {latency.group(2)}", requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--floor", action="store_true",
                        help="also measure the floor views (bench/minimal_urls.py): only the "
                             "statements the POST and Verification must make")
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH))
    from machine import print_machine

    os.environ["DJANGO_SETTINGS_MODULE"] = "site_settings"
    from django_setup import django_ready, ensure_members

    django_ready()
    ensure_members(args.members)
    from django.db import connection

    sessions = signed_in_sessions(args.connections)
    connection.close()
    print_machine()

    portal_port, minimal_port = free_port(), free_port()
    portal = start_gunicorn("site_settings", portal_port, args.workers)
    minimal = start_gunicorn("minimal_settings", minimal_port, args.workers)
    servers = {portal_port: portal, minimal_port: minimal}
    cases = (  # label, port, kind, path, expected status
        ("minimal view (1 primary-key lookup)", minimal_port, "minimal", "", 200),
        ("Member Search, GET (the form)", portal_port, "get", SEARCH, 200),
        ("Member Search, POST (MMIS checks)", portal_port, "search_post", SEARCH, 302),
        ("Verification, GET", portal_port, "get", "", 200),  # each session's own panel
    ) + ((
        ("floor: POST's statements only", minimal_port, "search_post", FLOOR_SEARCH, 302),
        ("floor: Verification's statements only", minimal_port, "get", "", 200),
    ) if args.floor else ())
    search_paths = {portal_port: SEARCH, minimal_port: FLOOR_SEARCH}  # where panels come from
    rates: dict[str, list[float]] = {label: [] for label, *_ in cases}
    cpu_ms: dict[str, list[float]] = {label: [] for label, *_ in cases}
    latencies: dict[str, str] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            scripts = {}

            def script_write(label: str, port: int, kind: str, path: str, expected: int) -> None:
                panels = ([search_once(port, cookie, csrf, search_paths[port])
                           for cookie, csrf in sessions]
                          if not path and kind == "get" else [""] * len(sessions))
                sessions_lua = ", ".join(f'{{"{c}", "{t}", "{v}"}}'
                                         for (c, t), v in zip(sessions, panels))
                script = Path(tmp) / f"case{[case[0] for case in cases].index(label)}.lua"
                script.write_text(LUA % {"sessions": sessions_lua, "members": args.members,
                                         "kind": kind, "path": path, "expected": expected,
                                         "provider": PROVIDER_ID})
                scripts[label] = script

            for label, port, kind, path, expected in cases:
                script_write(label, port, kind, path, expected)
                wrk(port, scripts[label], 2, args.connections)  # warm-up: connections, templates
            for _ in range(args.repeat):  # interleaved, so that noise spreads over all
                for label, port, kind, path, expected in cases:
                    script_write(label, port, kind, path, expected)
                    before = cpu_seconds(servers[port])
                    rate, latency, requests = wrk(port, scripts[label], args.seconds,
                                                  args.connections)
                    cpu_ms[label].append((cpu_seconds(servers[port]) - before) * 1000 / requests)
                    rates[label].append(rate)
                    latencies[label] = latency
    finally:
        stop(portal)
        stop(minimal)

    reference = statistics.median(rates[cases[0][0]])
    reference_cpu = statistics.median(cpu_ms[cases[0][0]])
    print(f"gunicorn: {args.workers} sync workers; wrk: {args.connections} connections, "
          f"{args.repeat} x {args.seconds} s each (median shown)")
    print("worker CPU: user + system milliseconds of the gunicorn workers per request (the")
    print("  database's share not included); it moves less with other load than req/s does")
    print(f"{'':38} {'req/s':>7} {'runs':>16} {'p50/p99 ms':>14} {'ratio':>6}"
          f" {'CPU ms/req':>10} {'CPU ratio':>9}")
    for label, *_ in cases:
        median = statistics.median(rates[label])
        cpu = statistics.median(cpu_ms[label])
        runs = " ".join(f"{r:.0f}" for r in rates[label])
        print(f"{label:38} {median:7.0f} {runs:>16} {latencies[label]:>14} "
              f"{median / reference:6.0%} {cpu:10.2f} {reference_cpu / cpu:9.0%}")


if __name__ == "__main__":
    main()
