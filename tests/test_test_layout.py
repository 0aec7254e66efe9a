"""The tests' own layout (COMMON rules; issue 16, point 5): shared constants and helpers live
in ``tests/helpers.py`` or ``tests/<app>/helpers.py`` (fixtures that other directories need,
in ``tests/<app>/fixtures.py``); no file under tests/ imports from a conftest or from a test
module. A conftest is pytest's to load, and a test module imported by another one runs its
module-level code twice under two names; both hide where a helper really lives.
"""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _forbidden(name: str) -> bool:
    return name == "conftest" or name.startswith("test_")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    """True when *dotted* names a module or package of the repository."""
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def import_violations(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Return the imports in *source* (the module *module*) that target a conftest or a test
    module: ``import tests.conftest``, ``from tests.x.test_y import z``, ``from tests.x import
    conftest``, and their relative forms."""
    found = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1] if node.level > 1 else base
                prefix = ".".join(base)
                origin = f"{prefix}.{node.module}" if node.module else prefix
            else:
                origin = node.module or ""
            targets = [origin]
            for alias in node.names:
                candidate = f"{origin}.{alias.name}"
                if _forbidden(alias.name) and _is_module(candidate):
                    targets.append(candidate)
        else:
            continue
        for target in targets:
            if any(_forbidden(part) for part in target.split(".")):
                found.append(f"line {node.lineno}: {target}")
    return found


def test_no_file_under_tests_imports_a_conftest_or_a_test_module():
    offences = []
    for path in sorted(TESTS.rglob("*.py")):
        module = _module_name(path)
        source = path.read_text(encoding="utf-8")
        for found in import_violations(source, module, is_package=path.name == "__init__.py"):
            offences.append(f"{path.relative_to(ROOT)} {found}")
    assert offences == [], "move the shared names into a helpers.py (or fixtures.py) module"


@pytest.mark.parametrize("source", [
    "import tests.conftest",
    "from tests.conftest import provider_user",
    "from tests.audit.conftest import rows",
    "from tests.members.test_import_members import ROW",
    "from tests.audit import conftest",
    "from tests.members import test_import_members",
    "from .conftest import rows",
    "from .test_writes import rows",
    "from . import test_writes",
    "from ..members.test_import_members import ROW",
    "def f():\n    from tests.conftest import provider_user\n",
])
def test_the_check_sees_every_form_of_the_import(source):
    assert import_violations(source, "tests.audit.test_reads") != []


@pytest.mark.parametrize("source", [
    "from tests.helpers import provider_user",
    "from tests.audit.helpers import rows",
    "from tests.crm_tracker.fixtures import taxonomy",
    "from . import helpers",
    "from posc.members.demo import CCA_SCO",
    "import pytest",
])
def test_the_check_lets_helpers_and_fixtures_modules_through(source):
    assert import_violations(source, "tests.audit.test_reads") == []
