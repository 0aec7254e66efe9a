"""Render the banner, the left menu and the idle warning once per state rather than on every
page (docs/performance.md)."""

from django import template
from django.conf import settings
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape

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


# Stand-ins the banner is rendered with once per state; each page puts its own values there.
# Letters and digits only: escaping leaves them as they are.
_USER_MARK = "poscBannerUser7654321"
_CSRF_MARK = "poscBannerCsrf7654321"
_CSRF_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_CSRF_MARK}">'


class _BannerUser:
    """What the banner reads of the user: whether signed in, and the name (a stand-in)."""

    def __init__(self, signed_in: bool):
        self.is_authenticated = signed_in

    def get_username(self) -> str:
        return _USER_MARK


def _current_app(context: template.Context):
    """Return the current_app {% url %} reverses with in *context* (URLNode.render's rule)."""
    try:
        return context.request.current_app
    except AttributeError:
        try:
            return context.request.resolver_match.namespace
        except AttributeError:
            return None


class BannerNode(template.Node):
    """The enclosed markup (the head's style sheet, the banner), rendered once per state.

    It may read only ``user.is_authenticated``, ``user.get_username``, ``{% csrf_token %}``,
    ``{% url %}`` and ``{% static %}``: it is rendered with a stand-in user and CSRF token,
    once per signed-in flag and URL state, and each page then puts its own user name
    (escaped as ``{{ }}`` does) and its own ``{% csrf_token %}`` output in. The two URL
    reversals, the static URL and a dozen nodes were worked out on every page
    (docs/performance.md). ``child_nodelists`` is empty: ``{% extends %}`` looks for blocks
    in a template's nodes, and there are none here. Kept on the node, as the left menu is.
    """

    child_nodelists = ()

    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist
        self.rendered: dict[tuple, str] = {}

    def render(self, context: template.Context) -> str:
        user = context.get("user")
        signed_in = bool(user is not None and user.is_authenticated)
        key = (signed_in, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF,
               _current_app(context), settings.STATIC_URL)
        text = self.rendered.get(key)
        if text is None:
            text = self.nodelist.render(context.new({"user": _BannerUser(signed_in),
                                                     "csrf_token": _CSRF_MARK}))
            if len(self.rendered) < MAX_STATES:
                self.rendered[key] = text
        if not signed_in:
            return text
        name = user.get_username()
        name = conditional_escape(name) if context.autoescape else str(name)
        # The token first: nothing is replaced in the user name once it is in.
        return (text.replace(_CSRF_INPUT, CsrfTokenNode().render(context))
                .replace(_USER_MARK, name))


@register.tag
def banner(parser, token) -> BannerNode:
    """{% banner %}…{% endbanner %}: the banner's markup, reused per signed-in and URL state."""
    nodelist = parser.parse(("endbanner",))
    parser.delete_first_token()
    return BannerNode(nodelist)
