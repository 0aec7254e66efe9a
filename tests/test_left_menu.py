"""The left menu and the idle warning are rendered once per state: every role still gets its
own menu, every page its own countdown."""

from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse

from posc.members.demo import DEMO_ACCOUNTS
from posc.templatetags.posc_menu import LeftMenuNode

pytestmark = pytest.mark.django_db


def menu_of(client: Client) -> str:
    html = client.get(reverse("home")).content.decode()
    start = html.index('<nav class="left-menu"')
    return html[start:html.index("</nav>", start) + len("</nav>")]


def menu_nodes() -> list[LeftMenuNode]:
    return get_template("base.html").template.nodelist.get_nodes_by_type(LeftMenuNode)


def test_each_role_gets_the_menu_a_fresh_render_gives(settings, django_user_model):
    settings.DEBUG = True  # seed_demo makes the demo accounts only in development
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))
    clients = {}
    for account in DEMO_ACCOUNTS:
        clients[account.username] = Client()
        clients[account.username].force_login(
            django_user_model.objects.get(username=account.username))
    # One process, the roles one after the other: each reuses what the earlier ones left.
    kept = {name: menu_of(client) for name, client in clients.items()}
    assert menu_nodes(), "base.html no longer has the {% left_menu %} tag"
    for node in menu_nodes():
        node.rendered.clear()
    fresh = {}
    for name, client in clients.items():
        for node in menu_nodes():
            node.rendered.clear()
        fresh[name] = menu_of(client)
    assert kept == fresh
    assert ">Recoupments</a>" in fresh["hospital"] and "Recoupments" not in fresh["csr"]
    assert ">MCO Manual Tracker</a>" in fresh["csr"] and "Tracker" not in fresh["cca.sco"]
    assert ">Enroll/Disenroll SCO Members</a>" in fresh["cca.sco"]
    assert "SCO Members" not in fresh["cca.onecare"]
    assert ">Administration</a>" in fresh["ops"] and "Administration" not in fresh["qc"]
    assert len(set(fresh.values())) >= 7


# The idle warning (HIPAA 45 CFR 164.312(a)(2)(iii)) is rendered once per state too -------

def idle_included(idle) -> str:
    """Return what {% include "includes/idle_warning.html" %} gives for *idle*."""
    from django.template import engines

    page = engines["django"].from_string('{% include "includes/idle_warning.html" %}')
    return page.render({"request": SimpleNamespace(idle=idle)})


def test_the_idle_warning_is_the_included_markup_with_each_pages_countdown(settings):
    from django.template import engines

    from posc.middleware import IdleState

    page = engines["django"].from_string("{% load posc_menu %}{% idle_warning %}")
    states = [IdleState(left, 900, 120) for left in (900, 899, 0, 61)]
    states += [IdleState(300, 600, 60), None, IdleState(5, 900, 120)]
    for idle in states:  # one template, so one node: the later states reuse its renderings
        assert page.render({"request": SimpleNamespace(idle=idle)}) == idle_included(idle), idle
    assert 'data-idle-left="61"' in page.render({"request": SimpleNamespace(
        idle=IdleState(61, 900, 120))})
    settings.FORCE_SCRIPT_NAME = "/posc/"  # another URL state: its own rendering
    from django.urls import set_script_prefix

    set_script_prefix("/posc/")
    try:
        idle = IdleState(900, 900, 120)
        assert 'data-idle-keep-alive="/posc/' in page.render(
            {"request": SimpleNamespace(idle=idle)})
        assert page.render({"request": SimpleNamespace(idle=idle)}) == idle_included(idle)
    finally:
        set_script_prefix("/")


# The banner is rendered once per state too; each page puts its user name and CSRF token in --

def banner_node():
    from posc.templatetags.posc_menu import BannerNode

    nodes = get_template("base.html").template.nodelist.get_nodes_by_type(BannerNode)
    assert len(nodes) == 1, "base.html no longer has one {% banner %} tag"
    return nodes[0]


def test_the_banner_is_what_its_markup_gives_for_each_user_and_token(rf):
    from django.contrib.auth.models import AnonymousUser, User
    from django.template import Context, RequestContext

    node = banner_node()
    node.rendered.clear()
    request = rf.get("/")
    users = [AnonymousUser(), User(username="a<b&\"c'd"), User(username="clerk.one"),
             User(username="poscBannerUser7654321x")]
    # ("NOTPROVIDED" makes Django's own {% csrf_token %} raise, in both.)
    tokens = [{"csrf_token": "tok1"}, {}, {"csrf_token": "x<y"}]
    renders = 0
    for autoescape in (True, False):
        for user in users:
            for token in tokens:
                context = RequestContext(request, {"user": user, **token}, autoescape=autoescape)
                context.template = get_template("base.html").template
                with context.render_context.push_state(context.template):
                    assert node.render(context) == node.nodelist.render(context), (user, token)
                renders += 1
    assert len(node.rendered) == 2  # signed in or not: every other render reused one
    plain = Context({"user": users[2], "csrf_token": "tok1"})
    plain.template = get_template("base.html").template
    html = node.render(plain)
    assert "<strong>clerk.one</strong>" in html
    assert 'name="csrfmiddlewaretoken" value="tok1"' in html
    assert 'href="/account/api-tokens/"' in html and "poscBanner" not in html
    assert renders == 24
