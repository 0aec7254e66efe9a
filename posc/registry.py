"""What the workflow apps tell the kernel at start-up: their roles, menu entries and demo data.

The kernel (posc/, audit/) imports no workflow app (docs/architecture.md); each app calls
these from its ``AppConfig.ready()`` instead, so the arrows point from the apps down.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from django import template


@dataclass(frozen=True)
class MenuEntry:
    """A left-menu entry: its template, and what its markup depends on beyond permissions."""

    template: str
    position: int  # the entries' order in the left menu (contracts: ui.md's left menu)
    state: Callable[[template.Context], Hashable] | None = None


class AppDemo(Protocol):
    """An app's demo module: its reference fixtures and the rows it seeds."""

    FIXTURES: tuple[str, ...]

    def demo_seed(self, *, stdout, now) -> str: ...


_roles: dict[str, list[str]] = {}
_menu: dict[str, MenuEntry] = {}
_demos: dict[str, AppDemo] = {}


def roles_register(permissions: Mapping[str, Iterable[str]]) -> None:
    """Add an app's permissions to the roles they name (posc.roles.ROLE_PERMISSIONS)."""
    for role, perms in permissions.items():
        known = _roles.setdefault(role, [])
        known.extend(p for p in perms if p not in known)


def role_permissions() -> dict[str, list[str]]:
    """Return the permissions the apps registered, by role."""
    return {role: list(perms) for role, perms in _roles.items()}


def menu_register(entry: MenuEntry) -> None:
    """Show an app's entry in the left menu (registering it again replaces it)."""
    _menu[entry.template] = entry


def menu_entries() -> list[MenuEntry]:
    """Return the registered left-menu entries in menu order."""
    return sorted(_menu.values(), key=lambda e: e.position)


@dataclass(frozen=True)
class DashboardPanel:
    """A panel of the operations dashboard (issue 18): an app's charts of its own queue.

    ``context(request=, now=)`` returns the panel's template context (its charts made with
    ``posc.charts``, one aggregate query each); the page shows the panel to a user holding
    ``permission`` ("app_label.codename").
    """

    name: str
    title: str
    permission: str
    template: str
    context: Callable[..., dict]
    position: int  # the panels' order on the page


_panels: dict[str, DashboardPanel] = {}


def dashboard_register(panel: DashboardPanel) -> None:
    """Show an app's panel on the dashboard (registering it again replaces it)."""
    _panels[panel.name] = panel


def dashboard_panels(user) -> list[DashboardPanel]:
    """Return the registered panels *user* may see, in page order."""
    return sorted((p for p in _panels.values() if user.has_perm(p.permission)),
                  key=lambda p: p.position)


def demo_register(name: str, demo: AppDemo) -> None:
    """Have ``seed_demo`` load an app's fixtures and seed its demo rows."""
    _demos[name] = demo


def demos() -> list[AppDemo]:
    """Return the registered demo modules in the order the apps registered them."""
    return list(_demos.values())


# ------------------------------------------------------- enrollment adjustments (issue 17 §1)

@dataclass(frozen=True)
class AdjustmentRow:
    """One enrollment adjustment as another app shows it (a recoupment's research)."""

    number: str
    move: str  # the move's label, e.g. "Retro-disenroll"
    member_id: str
    summary: str  # plans and dates, as the adjustment's page says them
    url: str  # the adjustment's page


@dataclass(frozen=True)
class AdjustmentHooks:
    """What the enrollment app offers the others about adjustments, without an import.

    ``made_for(reference)`` lists the adjustments made for a reference such as
    ``recoupment:12``; ``start_url(reference=, member_ids=, dates=)`` is the page that
    starts one, pre-filled.
    """

    made_for: Callable[[str], list[AdjustmentRow]]
    start_url: Callable[..., str]
    permission: str  # who may make one ("app_label.codename")


_adjustments: list[AdjustmentHooks] = []


def adjustments_register(hooks: AdjustmentHooks) -> None:
    """Offer the adjustment pages and lists (the enrollment app, at start-up)."""
    _adjustments[:] = [hooks]


def adjustments_made_for(reference: str) -> list[AdjustmentRow]:
    """Return the adjustments made for *reference*; [] when no app offers them."""
    return _adjustments[0].made_for(reference) if _adjustments else []


def adjustments_allowed(user) -> bool:
    """Return whether *user* may make adjustments (False when no app offers them)."""
    return bool(_adjustments) and user.has_perm(_adjustments[0].permission)


def adjustment_start_url(*, reference: str = "", member_ids: Iterable[str] = (),
                         dates: Iterable = ()) -> str:
    """Return the page that starts an adjustment pre-filled with these; "" when none is offered."""
    if not _adjustments:
        return ""
    return _adjustments[0].start_url(reference=reference, member_ids=list(member_ids),
                                     dates=list(dates))
