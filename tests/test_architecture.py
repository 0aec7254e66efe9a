"""The layers point one way (docs/architecture.md): the import graph read from the source.

Kernel (posc/, audit/) → nothing above it; each workflow app → the kernel only; no circle.
Every ``import`` counts, at the top of a module or inside a function; migrations do not.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNEL = ("posc", "audit")
APPS = ("enrollment", "recoupments", "crm_tracker")
# The wiring on top may import the apps; today it names them only in strings (settings,
# include("enrollment.urls")), so nothing is listed.
WIRING: tuple[str, ...] = ()


def project_modules() -> dict[str, Path]:
    """Return every module of the kernel and the apps, by dotted name (migrations left out)."""
    modules = {}
    for package in KERNEL + APPS:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = project_modules()


def project_module(name: str) -> str | None:
    """Return the project module *name* lives in (itself, or the package holding it)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imported_names(module: str, path: Path) -> set[str]:
    """Return the dotted names *module* imports, relative imports resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # "from pkg import sub" imports the module pkg.sub when there is one.
            names.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                         for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """Return, for each project module, the other project modules it imports."""
    graph = {}
    for module, path in MODULES.items():
        targets = {project_module(name) for name in imported_names(module, path)}
        graph[module] = {t for t in targets if t and t != module}
    return graph


GRAPH = import_graph()


def layer(module: str) -> str:
    """Return the top-level package of *module*."""
    return module.partition(".")[0]


def is_wiring(module: str) -> bool:
    """Return True for the wiring on top (the only kernel modules allowed to name an app)."""
    return any(module == w or module.startswith(f"{w}.") for w in WIRING)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return one circle through each strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                groups.append(set(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [circle_in(graph, group) for group in groups]


def circle_in(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """Return a path that starts and ends at the same module, inside *group*."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:  # breadth first: the shortest circle back to start
        node = frontier.pop(0)
        for target in sorted(graph[node] & group):
            if target == start:
                return paths[node] + [start]
            if target not in paths:
                paths[target] = paths[node] + [target]
                frontier.append(target)
    raise AssertionError(f"no circle in {group}")


def test_the_graph_reads_the_project():
    """The walk finds the modules and their imports (a broken walk would pass every check)."""
    assert "posc.members.models" in MODULES and "crm_tracker.models.case" in MODULES
    assert "posc.members.models" in GRAPH["enrollment.services"]
    assert not [m for m in MODULES if ".migrations" in m]


def test_the_kernel_imports_no_workflow_app():
    upward = sorted(f"{m} → {t}" for m, targets in GRAPH.items() for t in targets
                    if layer(m) in KERNEL and layer(t) in APPS and not is_wiring(m))
    assert upward == [], "the kernel knows an app: register it in AppConfig.ready() instead"


def test_no_app_imports_another():
    across = sorted(f"{m} → {t}" for m, targets in GRAPH.items() for t in targets
                    if layer(m) in APPS and layer(t) in APPS and layer(m) != layer(t))
    assert across == []


def test_no_import_circle():
    assert [" → ".join(c) for c in circles(GRAPH)] == []


# Issue 16: a module a reader takes in at once; a longer one is split by concern (a package).
MODULE_LINES_MAX = 400


def test_no_module_is_over_the_line_limit():
    long = sorted(f"{m}: {n} lines" for m, path in MODULES.items()
                  if (n := len(path.read_text().splitlines())) > MODULE_LINES_MAX)
    assert long == []


def test_a_circle_is_found_and_named():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c", "a"]]


def test_the_apps_register_with_the_kernel():
    """Roles, left-menu entries and demo data come from the apps' AppConfig.ready()."""
    from posc import registry
    from posc.roles import CSR, ENROLLMENT_OPERATIONS, role_permissions

    assert "crm_tracker.intake_case" in role_permissions()[CSR]
    assert "recoupments.view_recoupment" in role_permissions()[ENROLLMENT_OPERATIONS]
    assert [e.template for e in registry.menu_entries()] == [
        "recoupments/_menu.html", "crm_tracker/_menu.html"]
    assert {f for demo in registry.demos() for f in demo.FIXTURES} >= {
        "crm_taxonomy", "edit_codes"}
