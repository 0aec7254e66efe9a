"""Automatic logoff in a real browser: the warning comes first, then the login page.

HIPAA 45 CFR 164.312(a)(2)(iii). The page's clock is Playwright's (page.clock): the test jumps
it forward instead of waiting 15 minutes. The server's clock cannot be jumped, so where the
server must agree that the time is up, the test moves the session's stored activity time
into the past, as 15 real minutes would have.
"""

import re
import time

from playwright.sync_api import expect

from posc.middleware import LAST_ACTIVITY
from posc.sessions.db import SessionStore
from tests.browser.pages import Walk, axe_check, button, heading, log_in

WARNING_TEXT = "For your security you will be logged out in 2 minutes."


def warning_dialog(page):
    return page.get_by_role("alertdialog", name="Your session is about to end")


def server_session(page) -> SessionStore:
    """Return the browser's session as the server stores it."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    return SessionStore(session_key=key)


def idle_on_server(page, seconds: int) -> None:
    """Make the server's record say the session has been idle for *seconds*."""
    session = server_session(page)
    session[LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_the_warning_comes_two_minutes_before_the_logoff(page):
    walk = Walk(page, "idle_logoff")
    page.clock.install()
    log_in(walk, "cca.sco")

    page.clock.fast_forward("12:50")
    expect(warning_dialog(page)).to_be_hidden()
    page.clock.fast_forward("00:20")  # 13:10: two minutes (and less) are left
    dialog = warning_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(WARNING_TEXT)
    expect(button(page, "Stay signed in")).to_be_focused()
    walk.screenshot("warning")
    axe_check(page)

    idle_on_server(page, 15 * 60 + 5)  # what 15 real minutes without a request would leave
    page.clock.fast_forward("02:00")
    expect(page).to_have_url(re.compile(r"/login/\?next=%2F$"))
    expect(heading(page, "Log in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        "You were logged out after 15 minutes without activity.")
    walk.screenshot("logged_off")
    page.goto("/")  # the session is over on the server too
    expect(heading(page, "Log in")).to_be_visible()


def test_stay_signed_in_keeps_the_session(page):
    walk = Walk(page, "idle_stay_signed_in")
    page.clock.install()
    log_in(walk, "cca.sco")
    page.clock.fast_forward("13:10")
    expect(warning_dialog(page)).to_be_visible()

    idle_on_server(page, 13 * 60 + 10)
    with page.expect_response("**/session/keep-alive/") as keep_alive:
        button(page, "Stay signed in").click()
    assert keep_alive.value.status == 204
    expect(warning_dialog(page)).to_be_hidden()

    page.clock.fast_forward("12:00")  # 12 minutes after "Stay signed in": no warning yet
    expect(warning_dialog(page)).to_be_hidden()
    expect(heading(page, "Home")).to_be_visible()
    # The server, too, counts from the keep-alive.
    assert time.time() - server_session(page)[LAST_ACTIVITY] < 60
