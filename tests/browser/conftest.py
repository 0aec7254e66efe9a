"""A real Chromium against the portal on a free local port, with the demo data of seed_demo.

The browser is Debian's Chromium at /usr/bin/chromium (.ci/run installs it when missing).
Each test gets the live server (pytest-django: a fresh test database, static files served,
flushed after the test) seeded with ``seed_demo``, and a new browser context.
"""

import os
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import sync_playwright

from tests.browser.pages import CHROMIUM, LAUNCH_ARGS


@pytest.fixture(scope="module")
def browser():
    """Return Debian's Chromium, launched headless once per module.

    Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests
    make alongside it (seeding, checking rows) are still plain synchronous code, so Django's
    async-safety check is switched off while, and only while, a browser module runs.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"the browser tests need Chromium at {CHROMIUM}: run "
                    "`apt-get install -y chromium` (as root), or .ci/run, which installs it",
                    pytrace=False)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=LAUNCH_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def mfa_required(settings):
    """Sign in with a second factor, as production does (pages.log_in types the code)."""
    settings.MFA_REQUIRED = True


@pytest.fixture
def demo_data(live_server):
    """Seed the live server's database with the demo members and accounts (demo-data.md).

    Each account gets an authenticator app (a confirmed TOTP device): the walks compute its
    codes from the device's key.
    """
    call_command("seed_demo", allow_demo_accounts=True, stdout=StringIO())
    TOTPDevice.objects.bulk_create(TOTPDevice(user=user, name="Authenticator app",
                                              confirmed=True)
                                   for user in get_user_model().objects.all())


@pytest.fixture
def page(browser, live_server, demo_data):
    """Return a page in a fresh browser context pointed at the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-US",
                                  timezone_id="America/New_York",
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
