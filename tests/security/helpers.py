"""What several security tests share: a child process on production settings, and the URL
of the test's own database for a child process."""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def production(*args: str) -> subprocess.CompletedProcess:
    """Run *args* with production settings and a fresh random secret key of 50+ characters."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="posc.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="posc.example.gov",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://posc@localhost/posc"),
    )
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def database_url() -> str:
    """Return the URL of the test's own database, for the child process."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return (f"postgres://{quote(db['USER'], safe='')}{password}"
            f"@{quote(db['HOST'], safe='')}{port}/{quote(db['NAME'], safe='')}")
