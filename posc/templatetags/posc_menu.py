"""Render the left menu and the idle warning once per state rather than on every page
(docs/performance.md)."""

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf

from posc import registry

register = template.Library()

# Distinct menu states one process keeps; roles give a handful, so this is only a guard
# against users with many individually granted permissions.
MAX_STATES = 256


def menu_state(context: template.Context) -> tuple:
    """Return everything the left menu's markup depends on, and nothing that names the user.

    The menu shows only links, chosen by the user's programs (the context processor's
    menu_* flags), the states of the apps' registered entries (posc.registry.MenuEntry), the
    user's permissions and is_staff. A superuser holds every permission, so their set is not
    read (it would cost a query). Anything new the menu templates look at must join this key.
    """
    user = context["user"]
    if user.is_active and user.is_superuser:
        perms: tuple = ("*",)
    else:
        perms = tuple(sorted(user.get_all_permissions()))
    urls = (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)  # what {% url %} uses
    return (*urls, bool(context.get("menu_sco")), bool(context.get("menu_one_care")),
            bool(context.get("menu_834")), *entry_states(context), bool(user.is_staff), perms)


def entry_states(context: template.Context) -> tuple:
    """Return what each app's menu entry shows beyond the permissions (its ``state``)."""
    return tuple(entry.state(context) for entry in registry.menu_entries() if entry.state)


class LeftMenuNode(template.Node):
    """The enclosed markup, rendered once per menu state and then reused (it holds no PHI).

    The rendered text lives on the node, that is on the compiled template: when the
    template loader reloads base.html (development), the old renderings go with it.
    """

    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist
        self.rendered: dict[tuple, str] = {}

    def render(self, context: template.Context) -> str:
        key = menu_state(context)
        text = self.rendered.get(key)
        if text is None:
            templates = [entry.template for entry in registry.menu_entries()]
            # The dashboard entry follows the permissions, which are in the key.
            dashboard = bool(registry.dashboard_panels(context["user"]))
            with context.push(left_menu_entries=templates, menu_dashboard=dashboard):
                text = self.nodelist.render(context)
            if len(self.rendered) < MAX_STATES:
                self.rendered[key] = text
        return text


@register.tag
def left_menu(parser, token) -> LeftMenuNode:
    """{% left_menu %}…{% endleft_menu %}: the left menu's markup, reused per menu state."""
    nodelist = parser.parse(("endleft_menu",))
    parser.delete_first_token()
    return LeftMenuNode(nodelist)


# A countdown no session shows (posc/middleware.py: IdleState.left is never negative): the
# idle warning is rendered with it once per state, and each page puts its own number there.
_LEFT = -7_654_321
IDLE_TEMPLATE = "includes/idle_warning.html"


class _IdleRequest:
    """What includes/idle_warning.html reads of the request: its ``idle`` state only."""

    def __init__(self, idle):
        self.idle = idle


class IdleWarningNode(template.Node):
    """includes/idle_warning.html, rendered once per idle settings and URL state.

    The warning's markup depends on the idle timeout and warning time, the keep-alive and
    login URLs and the script's static URL; only the countdown (``idle.left``) differs
    from one page to the next. The template used to be included, its two URL reversals
    and static URL worked out, on every page (docs/performance.md). Kept on the node, as
    the left menu is: a reloaded base.html starts afresh.
    """

    def __init__(self):
        self.rendered: dict[tuple, str] = {}

    def render(self, context: template.Context) -> str:
        idle = getattr(context.get("request"), "idle", None)
        key = ((idle.timeout, idle.warning) if idle else None,
               get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        text = self.rendered.get(key)
        if text is None:
            stand_in = idle._replace(left=_LEFT) if idle else idle
            text = context.template.engine.get_template(IDLE_TEMPLATE).render(
                template.Context({"request": _IdleRequest(stand_in)},
                                 autoescape=context.autoescape))
            if len(self.rendered) < MAX_STATES:
                self.rendered[key] = text
        return text.replace(str(_LEFT), str(idle.left)) if idle else text


@register.tag
def idle_warning(parser, token) -> IdleWarningNode:
    """{% idle_warning %}: the same markup as {% include "includes/idle_warning.html" %}."""
    return IdleWarningNode()
