"""Production settings pass Django's deployment checks and refuse to start without secrets;
every setting is declared in base.py."""

import ast
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


def assigned_names(path: Path) -> set[str]:
    """Return the UPPERCASE names a settings module assigns at its top level."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign))
                   else [])
        names.update(t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper())
    return names


def test_every_setting_is_declared_in_base():
    """An environment changes a setting's value; base.py names every one (issue 16 point 5)."""
    settings_dir = ROOT / "posc" / "settings"
    base = assigned_names(settings_dir / "base.py")
    only_elsewhere = {f"{name} ({module})" for module in ("local", "production", "test")
                      for name in assigned_names(settings_dir / f"{module}.py") - base}
    assert only_elsewhere == set()


def test_no_setting_is_read_with_a_default_of_its_own():
    """getattr(settings, NAME, default) hides a second default outside base.py."""
    found = []
    for package in ("posc", "audit", "enrollment", "recoupments", "crm_tracker"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getattr"
                        and len(node.args) == 3 and getattr(node.args[0], "id", "") == "settings"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
