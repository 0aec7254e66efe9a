"""Issue 14 section 3: production as the README says it.

gunicorn with `posc.settings.production` (gunicorn.conf.py, after collectstatic) on a free
loopback port, reached as through the TLS proxy: a clerk signs in and gets a page, its
stylesheet and idle.js (the idle-logoff warning), served by WhiteNoise.
"""

import re
from pathlib import Path

import pytest
from django.db import connection

from posc.members.demo import DEMO_ACCOUNTS
from posc.members.management.commands.seed_demo import account_seed
from posc.roles import roles_sync
from tests.deploy.servers import (
    Browser,
    database_url,
    gunicorn,
    production_env,
    production_password,
)

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # starts gunicorn


@pytest.fixture
def portal(transactional_db, reference_data, static_root, tmp_path):
    """Start gunicorn on the test database; stop it before the tables are flushed."""
    env = production_env(tmp_path, database=database_url(connection.settings_dict),
                         static_root=static_root)
    server = gunicorn(env, tmp_path)
    yield server
    server.stop()


@pytest.fixture
def clerk(transactional_db, reference_data):
    """The demo account cca.sco, made as seed_demo makes it, with a production password hash."""
    [account] = [a for a in DEMO_ACCOUNTS if a.username == "cca.sco"]
    user, _ = account_seed(account=account, groups=roles_sync())
    production_password(user)
    return user


def asset(page, pattern: str) -> str:
    """Return the address in *page* that matches *pattern* (a hashed static file name)."""
    found = re.search(pattern, page.text)
    assert found, f"no {pattern} in {page.url}:\n{page.text}"
    return found.group(0)


def test_a_signed_in_page_gets_its_stylesheet_and_idle_js(portal, clerk):
    browser = Browser(portal.port)
    home = browser.sign_in(clerk.username)
    page = browser.get(home.links()["834 Files"])
    assert page.status == 200 and "<h1>834 Files</h1>" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp

    stylesheet = browser.get(asset(page, r"/static/css/posc\.[0-9a-f]{12}\.css"))
    assert stylesheet.status == 200, stylesheet.text
    assert stylesheet.headers["content-type"].startswith("text/css")
    assert stylesheet.body == (ROOT / "static/css/posc.css").read_bytes()
    assert "immutable" in stylesheet.headers["cache-control"]  # hashed: cached for good

    script = browser.get(asset(page, r"/static/js/idle\.[0-9a-f]{12}\.js"))
    assert script.status == 200, script.text
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.body == (ROOT / "static/js/idle.js").read_bytes()
    assert script.headers["x-content-type-options"] == "nosniff"
    assert "max-age" in script.headers["strict-transport-security"]


    # The test reaches gunicorn as the TLS proxy does; plain http still goes to https.
    plain = Browser(portal.port, https=False).get("/login/", follow=False)
    assert (plain.status, plain.headers["location"]) == (
        301, f"https://127.0.0.1:{portal.port}/login/")
