"""The second factor at sign-in: TOTP codes (RFC 6238, django-otp) and recovery codes.

HIPAA 45 CFR 164.312(d) (person or entity authentication); OWASP ASVS 4.0.3 2.7.x, 2.8.x
(one-time codes: used once, throttled), 3.2.1 (new session token at each authentication
step). MFA_REQUIRED is off in the test settings; these tests turn it on.
"""

import datetime
import json
import re
from base64 import b32encode
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, AuditEvent
from posc import clock
from tests.factories import UserFactory
from tests.security.helpers import production

pytestmark = pytest.mark.django_db

PASSWORD = "posc-test-pw"  # tests/factories.py UserFactory
RECOVERY = ["k7m2q4xa", "p3z6w5tb"]


def code_now(device: TOTPDevice) -> str:
    """Return the code the user's authenticator app shows at this moment."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    """Return a 6-digit code that is none of the codes the device accepts now (±1 step)."""
    accepted = {f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"
                for drift in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


@pytest.fixture
def mfa(settings):
    settings.MFA_REQUIRED = True
    return settings


@pytest.fixture
def user(db):
    """A user with an authenticator app and two recovery codes."""
    user = UserFactory(username="csr")
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    for token in RECOVERY:
        StaticToken.objects.create(device=static, token=token)
    return user


def device_of(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user)


def signed_in(user) -> Client:
    """Return a client that signed in with *user*'s password (the real login page)."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def location(response) -> tuple[str, dict]:
    parts = urlsplit(response["Location"])
    return parts.path, parse_qs(parts.query)


def enter(client: Client, code: str, next_url: str = "/"):
    return client.post(reverse("mfa:verify"), {"code": code, "next": next_url})


def errors_of(response) -> list[str]:
    """Return the error summary's messages."""
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return re.findall(r"<li>(?:<a [^>]*>)?(.*?)(?:</a>)?</li>", summary.group(0)) if summary else []


# The gate ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/enrollment/", "/admin/", "/tracker/"])
def test_a_user_who_has_not_entered_a_code_is_sent_to_the_code_page(mfa, user, url):
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert location(response) == (reverse("mfa:verify"), {"next": [url]})


def test_a_user_without_an_app_is_sent_to_set_one_up(mfa):
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/enrollment/")
    assert location(response) == (reverse("mfa:setup"), {"next": ["/enrollment/"]})


def test_without_mfa_required_the_password_is_enough(settings, user):
    settings.MFA_REQUIRED = False
    assert signed_in(user).get("/").status_code == 200


def test_sign_in_keep_alive_and_logout_stay_open_before_the_code(mfa, user):
    client = Client()
    client.force_login(user)
    assert client.get(reverse("mfa:verify")).status_code == 200
    assert client.post(reverse("keep_alive")).status_code == 204
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").url.startswith(reverse("login"))


# Entering the code ------------------------------------------------------------------------

def test_the_code_page_names_its_field(mfa, user):
    response = signed_in(user).get(reverse("mfa:verify"))
    html = response.content.decode()
    assert "<h1>Enter your verification code</h1>" in html
    assert re.search(r'<label for="id_code">Verification code', html)
    assert 'autocomplete="one-time-code"' in html
    assert 'class="left-menu"' not in html  # no menu of pages the user cannot open yet


def test_the_right_code_lets_the_user_in_under_a_new_session_key(mfa, user):
    client = signed_in(user)
    before = client.session.session_key
    response = enter(client, code_now(device_of(user)), "/tracker/")
    assert response.status_code == 302 and response["Location"] == "/tracker/"
    assert client.session.session_key != before
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused_with_one_message_and_counts_toward_the_throttle(mfa, user):
    client = signed_in(user)
    response = enter(client, wrong_code(device_of(user)))
    assert response.status_code == 200
    assert errors_of(response) == [
        "That code is not correct or was already used. Enter the 6-digit code your "
        "authenticator app shows now, or a recovery code."]
    assert device_of(user).throttling_failure_count == 1
    assert client.get("/").url.startswith(reverse("mfa:verify"))


def test_an_empty_code_is_refused(mfa, user):
    response = enter(signed_in(user), "")
    assert errors_of(response) == ["Enter your verification code."]


def test_a_code_already_used_is_refused(mfa, user):
    code = code_now(device_of(user))
    assert enter(signed_in(user), code).status_code == 302
    other = signed_in(user)  # the same code again, in a second sign-in
    response = enter(other, code)
    assert response.status_code == 200 and errors_of(response)
    assert other.get("/").url.startswith(reverse("mfa:verify"))


def test_after_many_wrong_codes_even_the_right_one_waits(mfa, user):
    device = device_of(user)
    device.throttling_failure_count = 10  # the 11th try waits 2^9 = 512 s
    device.throttling_failure_timestamp = clock.now()
    device.save()
    response = enter(signed_in(user), code_now(device))
    [message] = errors_of(response)
    assert message.startswith("Too many wrong codes. Wait ")
    assert 500 <= int(re.search(r"Wait (\d+) seconds", message).group(1)) <= 512


def test_a_recovery_code_works_once(mfa, user):
    first = signed_in(user)
    assert enter(first, RECOVERY[0].upper()).status_code == 302
    assert first.get("/").status_code == 200
    assert list(StaticToken.objects.values_list("token", flat=True)) == [RECOVERY[1]]
    second = signed_in(user)
    response = enter(second, RECOVERY[0])
    assert response.status_code == 200 and errors_of(response)
    StaticDevice.objects.update(throttling_failure_count=0)  # the 1 s wait of one wrong code
    assert enter(second, RECOVERY[1]).status_code == 302  # the other code still works


def test_next_must_stay_on_the_portal(mfa, user):
    response = enter(signed_in(user), code_now(device_of(user)), "https://evil.example/")
    assert response["Location"] == reverse("home")


# Setting up the app -----------------------------------------------------------------------

def test_set_up_shows_a_qr_code_and_the_key_and_a_code_confirms_it(mfa):
    new = UserFactory(username="hospital")
    client = signed_in(new)
    assert client.get("/").url.startswith(reverse("mfa:setup"))
    page = client.get(reverse("mfa:setup") + "?next=/recoupments/")
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=new, confirmed=False)
    assert '<svg role="img" aria-label="QR code to scan with your authenticator app"' in html
    assert " style=" not in html and "<style" not in html  # the CSP allows no inline style
    key = re.search(r'<p class="code" id="setup-key">([A-Z2-7 ]+)</p>', html).group(1)
    assert key.replace(" ", "") == b32encode(device.bin_key).decode()

    wrong = client.post(reverse("mfa:setup"), {"code": wrong_code(device), "next": "/x/"})
    assert errors_of(wrong) == ["That code is not correct. Enter the 6-digit code your "
                                "authenticator app shows now."]
    assert not TOTPDevice.objects.filter(user=new, confirmed=True).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    done = client.post(reverse("mfa:setup"), {"code": code_now(device), "next": "/recoupments/"})
    assert location(done) == (reverse("mfa:recovery_codes"), {"next": ["/recoupments/"]})
    device.refresh_from_db()
    assert device.confirmed
    shown = client.get(done["Location"])
    codes = re.findall(r'<li class="code">([a-z2-7]{8})</li>', shown.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=new)
                                   .values_list("token", flat=True))
    assert client.get(done["Location"]).status_code == 302  # shown once
    assert client.get("/recoupments/").status_code != 302  # verified: in
    row = AuditEvent.objects.get(object_type="second factor")
    assert (row.action, row.username, row.object_id) == (Action.CREATE, "hospital", str(new.pk))


def test_a_user_with_an_app_cannot_set_up_another(mfa, user):
    client = signed_in(user)
    response = client.get(reverse("mfa:setup"))
    assert response.url.startswith(reverse("mfa:verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


# The administrator's reset ----------------------------------------------------------------

def test_an_administrator_resets_a_second_factor_and_it_is_audited(mfa, user):
    victim = signed_in(user)
    assert enter(victim, RECOVERY[0]).status_code == 302  # verified and working
    admin_user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=admin_user, confirmed=True)
    admin = signed_in(admin_user)
    assert enter(admin, code_now(device_of(admin_user))).status_code == 302

    response = admin.post(reverse("admin:auth_user_changelist"),
                          {"action": "reset_second_factor", "_selected_action": [user.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    row = AuditEvent.objects.get(object_type="second factor")
    assert (row.action, row.username, row.object_id) == (Action.DELETE, "admin", str(user.pk))
    assert row.detail == "second factor reset for csr (2 devices)"
    # The user's session is sent to set up an app again at once.
    assert victim.get("/").url.startswith(reverse("mfa:setup"))


def test_staff_without_the_permission_cannot_reset(settings, user):
    ops = UserFactory(username="ops", is_staff=True)
    ops.user_permissions.add(*Permission.objects.filter(codename__in=["view_user",
                                                                      "change_user"]))
    client = Client()
    client.force_login(ops)
    page = client.get(reverse("admin:auth_user_changelist"))
    assert page.status_code == 200 and "reset_second_factor" not in page.content.decode()
    client.post(reverse("admin:auth_user_changelist"),
                {"action": "reset_second_factor", "_selected_action": [user.pk]})
    assert TOTPDevice.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(object_type="second factor").exists()


def test_the_device_admin_pages_are_not_on_the_site():
    """Django-otp's own admins show the secret keys and delete without an audit row."""
    from django.contrib import admin
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


# Production -------------------------------------------------------------------------------

@pytest.mark.slow
def test_production_requires_the_second_factor(monkeypatch):
    monkeypatch.setenv("MFA_REQUIRED", "false")  # not even the environment turns it off
    result = production("-c", "import json, django; from django.conf import settings; "
                              "django.setup(); print(json.dumps(settings.MFA_REQUIRED))")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) is True


def test_the_throttle_wait_is_counted_from_the_last_failure(mfa, user):
    """2^(n-1) seconds after n wrong codes: a failure an hour old no longer blocks."""
    device = device_of(user)
    device.throttling_failure_count = 3
    device.throttling_failure_timestamp = clock.now() - datetime.timedelta(hours=1)
    device.save()
    assert enter(signed_in(user), code_now(device)).status_code == 302
