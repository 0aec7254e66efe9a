"""bin/run behaves like a server command: a stop signal ends everything it started.

The slow tests start the real bin/run (set-up, posc.devdb, posc.devrun, migrate, seed_demo,
runserver) on a scratch database next to the test database, and the embedded PostgreSQL
of posc.devdb in a throw-away data folder; then they send the signal `kill` would.
"""

import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import psutil
import psycopg
import pytest
from django.db import connection

from posc.devdb import PG_MAJOR, _move_other_version_aside
from posc.devrun import DEFAULT_PORT, next_daily_834, parse_args

ROOT = Path(__file__).resolve().parents[1]
BOSTON = datetime.timezone(datetime.timedelta(hours=-5))  # EST, December
# How long a start may take before the test gives up (a guard against hanging, no assertion).
START_LIMIT = 300


# ------------------------------------------------------------------------- arguments

@pytest.mark.parametrize(("argv", "environ", "expected"), [
    ([], {}, (False, DEFAULT_PORT)),
    (["8001"], {}, (False, 8001)),
    ([], {"PORT": "8002"}, (False, 8002)),
    (["--reset", "8003"], {"PORT": "8002"}, (True, 8003)),
    (["--reset"], {}, (True, DEFAULT_PORT)),
])
def test_port_and_reset_are_read(argv, environ, expected):
    assert parse_args(argv, environ) == expected


@pytest.mark.parametrize(("argv", "environ"), [
    (["eighty"], {}), (["0"], {}), (["65536"], {}), ([], {"PORT": "80a"}),
    (["8001", "8002"], {}), (["--rest"], {}),
])
def test_a_bad_port_or_option_is_refused(argv, environ):
    with pytest.raises(ValueError):
        parse_args(argv, environ)


@pytest.mark.parametrize(("now", "expected"), [
    (datetime.datetime(2026, 12, 4, 12, 0, tzinfo=BOSTON), datetime.datetime(2026, 12, 4, 18, 0)),
    (datetime.datetime(2026, 12, 4, 18, 0, tzinfo=BOSTON), datetime.datetime(2026, 12, 5, 18, 0)),
    (datetime.datetime(2026, 12, 4, 23, 30, tzinfo=datetime.UTC),
     datetime.datetime(2026, 12, 5, 18, 0)),
    # Summer time: 18:00 in Boston is 22:00 UTC.
    (datetime.datetime(2026, 7, 1, 21, 59, tzinfo=datetime.UTC),
     datetime.datetime(2026, 7, 1, 18, 0)),
])
def test_the_daily_834_runs_at_six_in_the_evening_in_boston(now, expected):
    due = next_daily_834(now)
    assert due > now
    assert due.replace(tzinfo=None) == expected and due.tzname() in ("EST", "EDT")


def test_a_data_folder_of_another_postgresql_is_moved_aside(tmp_path):
    old = tmp_path / "pgdata"
    old.mkdir()
    (old / "PG_VERSION").write_text("16\n")
    _move_other_version_aside(old)
    assert not old.exists() and (tmp_path / "pgdata-16" / "PG_VERSION").is_file()
    current = tmp_path / "current"
    current.mkdir()
    (current / "PG_VERSION").write_text(f"{PG_MAJOR}\n")
    _move_other_version_aside(current)
    assert (current / "PG_VERSION").is_file()


# ------------------------------------------------------------------------- processes

def _url(dbname: str) -> str:
    """Return a DATABASE_URL for *dbname* on the test database's server."""
    db = connection.settings_dict
    auth = quote(db["USER"], safe="") + (f":{quote(db['PASSWORD'], safe='')}"
                                         if db["PASSWORD"] else "")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{quote(db['HOST'] or '', safe='')}{port}/{dbname}"


def _admin() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(dbname="postgres", user=db["USER"], password=db["PASSWORD"] or None,
                           host=db["HOST"] or None, port=db["PORT"] or None, autocommit=True)


@pytest.fixture(scope="module")
def scratch_url(django_db_blocker):
    """Make an empty database for bin/run beside the test database; drop it at the end."""
    with django_db_blocker.unblock():
        name = f"{connection.settings_dict['NAME'][:40]}_run{os.getpid()}"
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        yield _url(name)
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start *argv* in a session of its own: no terminal, like a service or `nohup`."""
    with log.open("w") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)


def _wait_until(ready, proc: subprocess.Popen, log: Path) -> None:
    """Wait until ready() is true; fail with the log if *proc* ends first or never gets there."""
    limit = time.monotonic() + START_LIMIT
    while not ready():
        if proc.poll() is not None or time.monotonic() > limit:
            proc.kill()
            pytest.fail(f"not started (exit {proc.poll()}):\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _stop(proc: subprocess.Popen, signum: int, started: list[psutil.Process]) -> None:
    """Send *signum* to *proc*; fail unless it and every process in *started* end."""
    os.kill(proc.pid, signum)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("bin/run did not end after the signal")
    gone, alive = psutil.wait_procs(started, timeout=10)
    for left in alive:
        left.kill()
    assert [p.pid for p in alive] == [], "processes left running"


@pytest.mark.slow
def test_reset_gives_fresh_demo_data_and_sigint_stops_it(scratch_url, tmp_path):
    dbname = scratch_url.rsplit("/", 1)[1]
    db = connection.settings_dict
    with psycopg.connect(dbname=dbname, user=db["USER"], password=db["PASSWORD"] or None,
                         host=db["HOST"] or None, port=db["PORT"] or None,
                         autocommit=True) as scratch:
        scratch.execute("CREATE TABLE IF NOT EXISTS left_from_before (id int)")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": scratch_url,
           "DJANGO_SETTINGS_MODULE": "posc.settings.local"}
    proc = _start([str(ROOT / "bin" / "run"), "--reset", str(port)], env, tmp_path / "run.log")
    _wait_until(lambda: _answers(port), proc, tmp_path / "run.log")
    _stop(proc, signal.SIGINT, psutil.Process(proc.pid).children(recursive=True))
    assert _port_is_free(port)
    with psycopg.connect(dbname=dbname, user=db["USER"], password=db["PASSWORD"] or None,
                         host=db["HOST"] or None, port=db["PORT"] or None) as scratch:
        tables = {r[0] for r in scratch.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        members = scratch.execute("SELECT count(*) FROM members_member").fetchone()[0]
    assert "left_from_before" not in tables and members >= 300
    assert "the database is empty again" in (tmp_path / "run.log").read_text()


@pytest.mark.slow
def test_sigterm_stops_bin_run_and_all_it_started(scratch_url, tmp_path):
    # After the reset test (above) the scratch database is migrated and seeded: this run only
    # checks both, which saves a migration from nothing (run alone, it does that too).
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": scratch_url, "PORT": str(port),
           "DJANGO_SETTINGS_MODULE": "posc.settings.local"}
    proc = _start([str(ROOT / "bin" / "run")], env, tmp_path / "run.log")
    _wait_until(lambda: _answers(port), proc, tmp_path / "run.log")
    started = psutil.Process(proc.pid).children(recursive=True)
    commands = [" ".join(p.cmdline()) for p in started]
    assert any("runserver" in c for c in commands), commands
    _stop(proc, signal.SIGTERM, started)
    assert _port_is_free(port)  # the next bin/run can have it


@pytest.mark.slow
def test_sigterm_stops_the_embedded_postgresql_even_after_a_run_killed_outright():
    pgdata = ROOT / "var" / f"test-pgdata-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["POSC_DEVDB_PGDATA"] = str(pgdata)
    log = ROOT / "var" / f"test-devdb-{os.getpid()}.log"
    waiting = "import time; print('running', flush=True); time.sleep(600)"
    argv = [sys.executable, "-m", "posc.devdb", "--", sys.executable, "-c", waiting]
    try:
        # A run killed with SIGKILL cannot stop anything: its server and command stay.
        killed = _start(argv, env, log)
        _wait_until(lambda: "running" in log.read_text(), killed, log)
        orphans = psutil.Process(killed.pid).children(recursive=True)
        killed.kill()
        killed.wait()
        for orphan in orphans:
            orphan.kill()
        # The next run uses that server, and SIGTERM stops it and the command.
        proc = _start(argv, env, log)
        _wait_until(lambda: "running" in log.read_text(), proc, log)
        postmaster = psutil.Process(int((pgdata / "postmaster.pid").read_text().split()[0]))
        started = psutil.Process(proc.pid).children(recursive=True) + [postmaster]
        _stop(proc, signal.SIGTERM, started)
        assert proc.returncode == 128 + signal.SIGTERM  # the command's own status
    finally:
        if (pgdata / "postmaster.pid").is_file():
            left = int((pgdata / "postmaster.pid").read_text().split()[0])
            if psutil.pid_exists(left):
                psutil.Process(left).terminate()
        shutil.rmtree(pgdata, ignore_errors=True)
        log.unlink(missing_ok=True)
