"""The left menu is rendered once per menu state: every role still gets its own menu."""

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
