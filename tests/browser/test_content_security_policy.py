"""The Content Security Policy blocks nothing the portal or its admin needs, in a real browser.

The header tests (tests/security/test_csp.py) prove the policy is sent; this walk proves the
pages live with it: Chromium reports no `securitypolicyviolation` event and no console
error on portal pages, the admin's list, filter and form pages (their scripts, jsi18n,
widgets) and the idle warning's script. OWASP ASVS 4.0.3 14.4.3.
"""

import pytest
from playwright.sync_api import expect

from posc.members.demo import DEMO_PASSWORD
from tests.browser.pages import (
    RECORD_VIOLATIONS,
    authenticator_code,
    button,
    click,
    field,
    heading,
)

PORTAL_PAGES = ["/", "/enrollment/sco/search/", "/enrollment/834-files/", "/account/api-tokens/",
                "/api/docs/"]  # Swagger UI from the portal's static files (issue 18)
ADMIN_PAGES = ["/admin/", "/admin/auth/user/", "/admin/auth/user/?is_staff__exact=1",
               "/admin/auth/user/add/", "/admin/auth/group/add/"]


@pytest.fixture
def watched(page):
    """Return the page, recording CSP violations and console errors; fail if any occurred."""
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text} ({m.location['url']})")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.errors = errors
    return page


def visit(page, path: str) -> list[str]:
    """Open *path*; return the violations the page reported."""
    page.goto(path)
    page.wait_for_load_state("load")
    return page.evaluate("window.__cspViolations")


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    field(page, "Username").fill(username)
    field(page, "Password").fill(DEMO_PASSWORD)
    click(button(page, "Log in"))
    field(page, "Verification code").fill(authenticator_code(username))  # MFA_REQUIRED
    click(button(page, "Verify"))
    heading(page, "Home").wait_for()


@pytest.mark.parametrize(("username", "paths"), [
    pytest.param("cca.sco", PORTAL_PAGES, id="portal"),
    pytest.param("admin", ADMIN_PAGES, id="admin"),
    # Issue 18: the dashboard's SVG charts, every panel (the superuser sees them all).
    pytest.param("admin", ["/dashboard/"], id="dashboard"),
])
def test_pages_raise_no_policy_violation(watched, username, paths):
    violations = {"/login/": visit(watched, "/login/")}
    sign_in(watched, username)
    for path in paths:
        violations[path] = visit(watched, path)
    # The admin's change page of a user: date and password widgets, prepopulated fields.
    if username == "admin":
        watched.goto("/admin/auth/user/")
        click(watched.locator("#result_list tbody a").first)
        violations[watched.url] = watched.evaluate("window.__cspViolations")
    assert {path: found for path, found in violations.items() if found} == {}
    console = [e for e in watched.errors if not e.endswith("/favicon.ico)")]  # none exists
    assert console == []


def test_the_recorder_sees_an_inline_script_blocked(watched):
    """The walk above can fail: an inline script added to a page is blocked and recorded."""
    visit(watched, "/login/")
    watched.evaluate("""() => { const s = document.createElement('script');
                               s.textContent = 'window.__ran = true'; document.body.append(s); }""")
    expect(watched.locator("body")).to_be_visible()
    assert watched.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in watched.evaluate("window.__cspViolations"))
