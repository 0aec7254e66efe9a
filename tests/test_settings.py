"""Production settings pass Django's deployment checks and refuse to start without secrets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_check(**env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://u@localhost/x"),
               **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--settings=posc.settings.production"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_prints_no_warning():
    result = run_check(DJANGO_SECRET_KEY="x" * 20 + "-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6",
                       DJANGO_ALLOWED_HOSTS="posc.example.gov")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_has_no_default_secret():
    result = run_check(DJANGO_ALLOWED_HOSTS="posc.example.gov")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
