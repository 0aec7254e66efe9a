"""Login and sessions: Argon2, password rules, the axes lockout, the automatic logoff.

HIPAA 45 CFR 164.312(a)(2)(iii) (automatic logoff), 164.312(d) (authentication); OWASP ASVS
4.0.3 2.1.x (password rules), 2.2.1 (anti-automation), 2.4.x (password storage), 3.3.x
(session timeouts).
"""

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db.models import F
from django.test import Client, override_settings

from posc.middleware import LAST_ACTIVITY, REFRESH_AFTER, SIGNED_IN_AT
from posc.sessions.db import SessionStore
from posc.settings import base
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "posc-test-pw"  # tests/factories.py UserFactory
IDLE = base.POSC_IDLE_TIMEOUT
MINUTE = 60


# Passwords -----------------------------------------------------------------------------------

@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_a_new_password_is_stored_with_argon2id():
    """ASVS 2.4.1/2.4.4: the production hasher list stores Argon2id (test settings use MD5)."""
    user = UserFactory()
    user.set_password("a long invented passphrase")
    user.save()
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("a long invented passphrase")


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_a_pbkdf2_hash_still_logs_in_and_is_upgraded_to_argon2(client):
    """Hashes stored before the switch verify, and the login re-hashes them with Argon2."""
    user = UserFactory(username="legacy")
    user.password = make_password("an older invented passphrase", hasher="pbkdf2_sha256")
    user.save()
    response = client.post("/login/", {"username": "legacy",
                                       "password": "an older invented passphrase"})
    assert response.status_code == 302 and response.url == "/"
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.parametrize(("weak", "refusal"), [
    ("Sh0rt-pw", "This password is too short. It must contain at least 12 characters."),
    ("password1234", "This password is too common."),
    ("740315928461", "This password is entirely numeric."),
    ("staffclerk.ops", "The password is too similar to the username."),
])
def test_the_password_change_form_refuses_a_weak_password(client, weak, refusal):
    """ASVS 2.1.1 (12 characters), 2.1.7 (common passwords): Django's validators refuse it."""
    user = UserFactory(username="staffclerk.ops", is_staff=True)
    client.force_login(user)
    response = client.post("/admin/password_change/", {
        "old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
    assert response.status_code == 200
    assert refusal in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_password_change_form_accepts_a_strong_password(client):
    """The refusals above are the validators', not a form that refuses everything."""
    user = UserFactory(is_staff=True)
    client.force_login(user)
    strong = "violet lantern harbour 42"
    response = client.post("/admin/password_change/", {
        "old_password": PASSWORD, "new_password1": strong, "new_password2": strong})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)


# Lockout (django-axes) -----------------------------------------------------------------------

def fail_logins(client, username: str, times: int):
    """Post *times* wrong passwords for *username* to the login page; return the responses."""
    return [client.post("/login/", {"username": username, "password": f"wrong-{n}"})
            for n in range(times)]


def age_attempts(minutes: int) -> None:
    """Move every recorded failed attempt *minutes* into the past (instead of sleeping)."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes))


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_five_failed_logins_lock_the_account_for_15_minutes(client):
    """ASVS 2.2.1: the 5th failure locks; the right password is refused until the cool-off."""
    UserFactory(username="clerk")
    *first_four, fifth = fail_logins(client, "clerk", 5)
    assert [r.status_code for r in first_four] == [200] * 4  # the form again, with its error
    assert fifth.status_code == 429
    assert "Login locked" in fifth.content.decode()

    refused = client.post("/login/", {"username": "clerk", "password": PASSWORD})
    page_text = refused.content.decode()
    assert refused.status_code == 429 and not signed_in(client)
    assert "Please try again in 15 minutes." in page_text
    assert "5 unsuccessful attempts" in page_text

    age_attempts(14)  # inside the cool-off: refused, and axes counts the attempt anew
    assert client.post("/login/", {"username": "clerk", "password": PASSWORD}).status_code == 429
    age_attempts(16)  # the cool-off (AXES_COOLOFF_TIME = 0.25 h) has passed since the last try
    response = client.post("/login/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302 and signed_in(client)


def test_the_admin_has_no_login_form_of_its_own(client):
    """The admin's login URL sends to the portal's login page: one lockout path (posc/admin.py)."""
    UserFactory(username="clerk", is_staff=True)
    response = client.post("/admin/login/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert not signed_in(client)


def test_four_failed_logins_do_not_lock():
    client = Client()
    UserFactory(username="clerk")
    fail_logins(client, "clerk", 4)
    response = client.post("/login/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302 and signed_in(client)


# One address failing for many usernames locks none of them: tests/security/test_lockout.py


# Automatic logoff ----------------------------------------------------------------------------

@pytest.fixture
def user_client(client, cca_sco):
    """Return the test client signed in through the login page as cca.sco."""
    response = client.post("/login/", {"username": "cca.sco", "password": PASSWORD})
    assert response.status_code == 302
    return client


def set_clock(client, *, idle: int, since_login: int | None = None) -> str:
    """Put the session's last activity *idle* seconds (and its sign-in *since_login*) ago."""
    session = client.session
    now = int(time.time())
    session[LAST_ACTIVITY] = now - idle
    if since_login is not None:
        session[SIGNED_IN_AT] = now - since_login
    session.save()
    return session.session_key


def stored(session_key: str, key: str):
    """Return *key* of the session as the database holds it."""
    return SessionStore(session_key=session_key).get(key)


def test_the_login_starts_both_clocks(user_client):
    session = user_client.session
    now = time.time()
    assert now - 5 <= session[LAST_ACTIVITY] <= now
    assert session[SIGNED_IN_AT] == session[LAST_ACTIVITY]


def test_a_request_after_14_idle_minutes_works_and_restarts_the_clock(user_client):
    key = set_clock(user_client, idle=14 * MINUTE)
    response = user_client.get("/")
    assert response.status_code == 200
    assert time.time() - stored(key, LAST_ACTIVITY) < 5 * MINUTE  # refreshed


def test_a_request_after_15_idle_minutes_logs_off_and_shows_the_login_page(user_client):
    """HIPAA 45 CFR 164.312(a)(2)(iii): the session row is gone; the login page says why."""
    key = set_clock(user_client, idle=IDLE + 5)
    response = user_client.get("/enrollment/834-files/")
    assert response.status_code == 302
    assert response.url == "/login/?next=/enrollment/834-files/"
    assert not Session.objects.filter(session_key=key).exists()
    login_page = user_client.get(response.url)
    assert "You were logged out after 15 minutes without activity." in (
        login_page.content.decode())
    assert user_client.get("/").status_code == 302  # still signed out


def test_an_idle_session_is_ended_on_the_login_page_itself(user_client):
    """idle.js sends the page to /login/ at the timeout: the message shows there at once."""
    set_clock(user_client, idle=IDLE + 5)
    response = user_client.get("/login/?next=/")
    assert response.status_code == 200
    assert "You were logged out after 15 minutes without activity." in response.content.decode()
    assert not signed_in(user_client)


def test_a_session_ends_12_hours_after_login_however_active(user_client):
    """ASVS 3.3.2: re-authentication at least every 12 hours."""
    set_clock(user_client, idle=10, since_login=12 * 60 * MINUTE + 5)
    response = user_client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert not signed_in(user_client)


def test_recent_activity_is_not_written_again(user_client):
    """Within REFRESH_AFTER seconds a request leaves the session row alone (no UPDATE)."""
    key = set_clock(user_client, idle=REFRESH_AFTER // 2)
    before = stored(key, LAST_ACTIVITY)
    assert user_client.get("/").status_code == 200
    assert stored(key, LAST_ACTIVITY) == before


def test_the_page_tells_idle_js_how_long_is_left(user_client):
    set_clock(user_client, idle=REFRESH_AFTER // 2)
    page = user_client.get("/").content.decode()
    left = int(page.split('data-idle-left="')[1].split('"')[0])
    assert IDLE - REFRESH_AFTER <= left <= IDLE - REFRESH_AFTER // 2
    assert f'data-idle-timeout="{IDLE}"' in page
    assert 'data-idle-keep-alive="/session/keep-alive/"' in page
    assert '<script src="/static/js/idle.js" defer></script>' in page
    assert 'id="idle-warning"' in page and "Stay signed in" in page


def test_admin_pages_warn_too(client, ops_user):
    """The admin's pages are signed-in pages: templates/admin/base_site.html adds the dialog."""
    client.force_login(ops_user)
    page = client.get("/admin/").content.decode()
    assert 'id="idle-warning"' in page and "/static/js/idle.js" in page


def test_an_anonymous_page_has_no_idle_script(client):
    page = client.get("/login/").content.decode()
    assert "idle.js" not in page and "data-idle" not in page


def test_keep_alive_restarts_the_idle_clock(user_client):
    key = set_clock(user_client, idle=13 * MINUTE)
    response = user_client.post("/session/keep-alive/")
    assert response.status_code == 204
    assert time.time() - stored(key, LAST_ACTIVITY) < 5


def test_keep_alive_needs_the_csrf_token(cca_sco):
    """A page on another site cannot keep a session alive (ASVS 4.2.2)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cca_sco)
    assert client.post("/session/keep-alive/").status_code == 403


@pytest.mark.parametrize(("method", "status"), [("get", 405), ("post", 204)])
def test_keep_alive_is_post_only(user_client, method, status):
    assert getattr(user_client, method)("/session/keep-alive/").status_code == status


def test_keep_alive_after_the_timeout_does_not_revive_the_session(user_client):
    set_clock(user_client, idle=IDLE + 5)
    response = user_client.post("/session/keep-alive/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert not signed_in(user_client)


def test_the_session_cookie_ends_with_the_browser(client, cca_sco):
    """SESSION_EXPIRE_AT_BROWSER_CLOSE: the cookie carries no expiry date (ASVS 3.3.1)."""
    response = client.post("/login/", {"username": "cca.sco", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
