"""The Content Security Policy and the other security headers, on every kind of page.

OWASP ASVS 4.0.3 14.4.3 (a CSP that stops inline script), 14.4.5 (HSTS, production), 14.4.6
(Referrer-Policy), 14.4.7 (frame-ancestors). Django's own CSP support writes the header
(django.middleware.csp, SECURE_CSP in posc/settings/base.py).
"""

import re

import pytest
from django.test import Client
from django.urls import path

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Which client reaches the page, the path, the status the page answers with.
PAGES = [
    pytest.param("anonymous", "/login/", 200, id="login"),
    pytest.param("provider", "/", 200, id="portal-home"),
    pytest.param("provider", "/enrollment/sco/search/", 200, id="portal-form"),
    pytest.param("provider", "/no/such/page/", 404, id="error-404"),
    pytest.param("staff", "/enrollment/834-files/", 403, id="error-403"),
    pytest.param("staff", "/admin/", 200, id="admin-index"),
    pytest.param("staff", "/admin/auth/user/", 200, id="admin-changelist"),
    pytest.param("staff", "/admin/auth/user/add/", 200, id="admin-add-form"),
]


@pytest.fixture
def clients(cca_sco):
    """Return a test client for each kind of visitor."""
    staff = UserFactory(username="clerk.admin", is_staff=True, is_superuser=True)
    provider, admin = Client(), Client()
    provider.force_login(cca_sco)
    admin.force_login(staff)
    return {"anonymous": Client(), "provider": provider, "staff": admin}


def policy(response) -> dict[str, list[str]]:
    """Return the enforced Content-Security-Policy as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in
            (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize(("who", "path", "status"), PAGES)
def test_every_kind_of_page_carries_the_policy(clients, who, path, status):
    response = clients[who].get(path)
    assert response.status_code == status
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no host
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert not any("unsafe" in source for sources in csp.values() for source in sources)
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]


# A <script> element without src, or an on...= event handler attribute: both inline script.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize(("who", "path", "status"), PAGES)
def test_no_page_has_inline_script_or_style(clients, who, path, status):
    """What the policy would block is not in the page (the browser test sees it run)."""
    page = clients[who].get(path).content.decode()
    assert INLINE_SCRIPT.findall(page) == []
    assert STYLE_ATTRIBUTE.findall(page) == []


def test_the_lockout_page_carries_the_policy(client):
    UserFactory(username="clerk")
    for n in range(5):
        response = client.post("/login/", {"username": "clerk", "password": f"wrong-{n}"})
    assert response.status_code == 429
    assert policy(response)["script-src"] == ["'self'"]


def fail(request):
    raise RuntimeError("an invented failure")


# This module is also the URLconf of the 500 test below: one view, which fails.
urlpatterns = [path("fail/", fail)]


@pytest.mark.urls(__name__)
def test_the_server_error_page_carries_the_policy():
    """A 500 too: the header is added by middleware outside the view that failed."""
    response = Client(raise_request_exception=False).get("/fail/")
    assert response.status_code == 500
    assert policy(response)["script-src"] == ["'self'"]
