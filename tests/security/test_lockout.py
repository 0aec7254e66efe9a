"""Lockout is no weapon (issue 15, weakness 5; ASVS 4.0.3 2.2.1).

Before: five wrong passwords for ``ops`` from anywhere locked the real ``ops`` out for 15
minutes, and five failures from one address locked out everyone behind it (a clinic's NAT).
Now axes locks the username *and* address pair only; failures for a username from
elsewhere open a short refusal window that doubles up to a minute, and an administrator
clears it all with axes' reset.
"""

import datetime
import html

import pytest
from axes.models import AccessFailureLog
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.db.models import F
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "posc-test-pw"  # tests/factories.py UserFactory
CLINIC, ATTACKERS, OFFICE = "198.51.100.20", "203.0.113.", "192.0.2.10"


def post(address: str, username: str, password: str):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/login/", {"username": username, "password": password})
    return response, SESSION_KEY in client.session


def fail(username: str, times: int, first: int = 1) -> None:
    """Fail *times* for *username*, each from another attacker address."""
    for n in range(first, first + times):
        response, signed_in = post(f"{ATTACKERS}{n}", username, f"wrong-{n}")
        assert response.status_code == 200 and not signed_in


def age_failures(seconds: int) -> None:
    """Move every failure's time *seconds* into the past (instead of sleeping)."""
    AccessFailureLog.objects.update(
        attempt_time=F("attempt_time") - datetime.timedelta(seconds=seconds))


def wait_shown(response) -> str:
    return html.unescape(response.content.decode())


def test_failures_from_elsewhere_slow_the_username_down_but_do_not_lock_it():
    UserFactory(username="ops")
    fail("ops", 5)
    refused, signed_in = post(OFFICE, "ops", PASSWORD)
    assert refused.status_code == 200 and not signed_in
    assert ("Too many failed sign-ins for this username. Wait 5 seconds, then try again."
            in wait_shown(refused))
    age_failures(6)  # the window has passed: no 15-minute lockout
    response, signed_in = post(OFFICE, "ops", PASSWORD)
    assert response.status_code == 302 and signed_in


def test_the_window_doubles_up_to_a_minute():
    UserFactory(username="ops")
    fail("ops", 4)
    for n, seconds in enumerate((5, 10, 20, 40, 60, 60), start=5):
        fail("ops", 1, first=n)
        refused, _ = post(OFFICE, "ops", PASSWORD)
        assert f"Wait {seconds} seconds" in wait_shown(refused)
        age_failures(61)


def test_failures_from_one_address_do_not_lock_out_the_others_behind_it():
    UserFactory(username="clerk")
    for n in range(5):
        response, _ = post(CLINIC, f"nobody{n}", "wrong")
        assert response.status_code == 200
    response, signed_in = post(CLINIC, "clerk", PASSWORD)
    assert response.status_code == 302 and signed_in


def test_one_address_guessing_one_username_is_locked():
    UserFactory(username="ops")
    for n in range(4):
        assert post(CLINIC, "ops", f"wrong-{n}")[0].status_code == 200
    assert post(CLINIC, "ops", "wrong-5")[0].status_code == 429
    assert post(CLINIC, "ops", PASSWORD)[0].status_code == 429


def test_an_administrator_unlocks_with_axes_reset():
    UserFactory(username="ops")
    for n in range(5):
        post(OFFICE, "ops", f"wrong-{n}")
    assert post(OFFICE, "ops", PASSWORD)[0].status_code == 429
    call_command("axes_reset_username", "ops")
    response, signed_in = post(OFFICE, "ops", PASSWORD)
    assert response.status_code == 302 and signed_in
