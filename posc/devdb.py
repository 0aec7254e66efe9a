"""Run a command with a PostgreSQL database: DATABASE_URL when set, else an embedded one.

    python -m posc.devdb -- COMMAND [ARG ...]

Without DATABASE_URL this starts the embedded PostgreSQL of the ``pgserver`` package
with its data under ``var/pgdata`` (kept between runs), points DATABASE_URL at its
socket, runs the command, and stops the server when the command ends.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    """Run *argv* (after ``--``) with DATABASE_URL set; return its exit status."""
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print("usage: python -m posc.devdb -- COMMAND [ARG ...]", file=sys.stderr)
        return 2
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(argv)

    # pgserver's platformdirs wants a runtime directory; keep it inside the project.
    runtime = ROOT / "var" / "run"
    runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import pgserver  # imported late: only needed for the embedded server

    pgdata = ROOT / "var" / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://postgres@{quote(str(socket_dir), safe='')}/postgres"
    print(f"devdb: embedded PostgreSQL running at {socket_dir}", file=sys.stderr)
    try:
        return subprocess.call(argv, env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
