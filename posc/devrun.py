"""The development portal (bin/run): migrate, demo data, the server and the daily 834.

    python -m posc.devrun [--reset] [PORT]      (bin/run runs it under posc.devdb)

Migrates, runs ``seed_demo`` and serves on 127.0.0.1:PORT (``PORT`` from the environment
when not given, else 8000) with Django's development server. While it runs, the daily 834
batch is made at 18:00 America/New_York, as the production timer does
(``manage.py enqueue_daily_834``; with the immediate task backend the batches are written
at once to ``var/834``). ``--reset`` first empties the database (every table, the audit log
too) and the 834 files of ``var/834``, so the demo data is fresh again.

SIGTERM, SIGINT and SIGHUP stop every process it started and then it exits.
"""

import datetime
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 8000
# The daily 834 leaves at 18:00 Boston time (README "The daily 834": cron and systemd).
DAILY_834_AT = datetime.time(18, 0)
DAILY_834_ZONE = ZoneInfo("America/New_York")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def next_daily_834(now: datetime.datetime) -> datetime.datetime:
    """Return the first 18:00 America/New_York strictly after the aware datetime *now*."""
    local = now.astimezone(DAILY_834_ZONE)
    run = datetime.datetime.combine(local.date(), DAILY_834_AT, tzinfo=DAILY_834_ZONE)
    if run <= local:
        run = datetime.datetime.combine(local.date() + datetime.timedelta(days=1),
                                        DAILY_834_AT, tzinfo=DAILY_834_ZONE)
    return run


def parse_args(argv: list[str], environ: dict[str, str]) -> tuple[bool, int]:
    """Return (reset, port) from ``[--reset] [PORT]``; raise ValueError on bad input."""
    reset = "--reset" in argv
    rest = [a for a in argv if a != "--reset"]
    if len(rest) > 1 or any(a.startswith("-") for a in rest):
        raise ValueError("usage: bin/run [--reset] [PORT]")
    text = rest[0] if rest else environ.get("PORT", "") or str(DEFAULT_PORT)
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"the port must be a number from 1 to 65535, not {text!r}")
    return reset, int(text)


class Supervisor:
    """Start the portal's processes, and stop them all on the first stop signal."""

    def __init__(self) -> None:
        self.children: list[subprocess.Popen] = []
        self.stopping = False
        self.stopped = threading.Event()  # tells the daily 834 thread to end

    def on_signal(self, signum: int, _frame: object) -> None:
        if not self.stopping:
            print(f"\nrun: {signal.Signals(signum).name}: stopping", file=sys.stderr)
        self.stopping = True
        for child in self.children:
            if child.poll() is None:
                child.terminate()

    def start(self, *args: str) -> subprocess.Popen:
        """Start ``manage.py ARGS`` and keep it to stop later."""
        child = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), *args])
        self.children.append(child)
        if self.stopping:  # the stop came while it was starting
            child.terminate()
        return child

    def run(self, *args: str) -> bool:
        """Run ``manage.py ARGS`` to its end; return True when it succeeded and no stop came."""
        child = self.start(*args)
        status = child.wait()
        self.children.remove(child)
        return status == 0 and not self.stopping

    def daily_834(self) -> None:
        """Make the daily 834 batch at each 18:00 America/New_York until told to stop."""
        while True:
            moment = datetime.datetime.now(datetime.UTC)  # a supervisor's wall clock, no Django
            wait = (next_daily_834(moment) - moment).total_seconds()
            if self.stopped.wait(max(wait, 0)):
                return
            self.run("enqueue_daily_834")

    def stop_all(self) -> None:
        """Stop every child still running and wait for each."""
        self.stopped.set()
        for child in list(self.children):
            if child.poll() is None:
                child.terminate()
        for child in list(self.children):
            child.wait()


def database_reset() -> None:
    """Drop every table of the development database, and the 834 files under var/."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if not settings.DEBUG:
        raise SystemExit("run: --reset empties the database; it is refused when DEBUG is off")
    with connection.cursor() as cursor:
        # The audit log's triggers refuse TRUNCATE and DELETE: drop the schema instead.
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    connection.close()
    outbox = Path(settings.X12_OUTBOX).resolve()
    if outbox.is_relative_to(ROOT / "var"):  # only the default outbox, never a shared one
        for path in outbox.glob("834_*.x12"):
            path.unlink()
    print("run: the database is empty again; migrating and seeding the demo data")


def main(argv: list[str]) -> int:
    """Run the development portal until a stop signal; return the exit status."""
    try:
        reset, port = parse_args(argv, dict(os.environ))
    except ValueError as exc:
        print(f"run: {exc}", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posc.settings.local")
    supervisor = Supervisor()
    for signum in STOP_SIGNALS:
        signal.signal(signum, supervisor.on_signal)
    try:
        if reset:
            database_reset()
        if not (supervisor.run("migrate", "--no-input", "-v", "0")
                and supervisor.run("seed_demo")):
            return 0 if supervisor.stopping else 1
        print(f"\nThe portal is at http://127.0.0.1:{port}/  (Ctrl-C stops it)\n"
              f"The daily 834 batch is made at 18:00 America/New_York while it runs "
              f"(now: bin/manage enqueue_daily_834).", flush=True)
        server = supervisor.start("runserver", "--noreload", f"127.0.0.1:{port}")
        daily = threading.Thread(target=supervisor.daily_834, daemon=True)
        daily.start()
        server.wait()  # a stop signal ends it (the handler terminates it)
        return 0 if supervisor.stopping else (server.returncode or 1)
    finally:
        supervisor.stop_all()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
