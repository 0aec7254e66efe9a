"""Demo accounts do not sign in under production settings; check --deploy names them.

Issue 15, weakness 6: a database seeded under DEBUG kept ``admin``/``posc-demo`` (a
superuser) and the other demo logins working under posc.settings.production.
"""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.checks import Tags, run_checks
from django.urls import reverse

from posc.members.demo import DEMO_PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REAL_PASSWORD = "a-long-real-passphrase-42"


def _signed_in(client, username: str, password: str) -> bool:
    client.post(reverse("login"), {"username": username, "password": password})
    return SESSION_KEY in client.session


@pytest.fixture
def demo_admin():
    user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def test_the_demo_password_does_not_sign_in_when_demo_sign_in_is_off(client, settings,
                                                                     demo_admin):
    settings.POSC_DEMO_SIGN_IN = False
    assert not _signed_in(client, "admin", DEMO_PASSWORD)
    demo_admin.set_password(REAL_PASSWORD)
    demo_admin.save()
    assert _signed_in(client, "admin", REAL_PASSWORD)


def test_the_demo_password_signs_in_where_demo_sign_in_is_on(client, settings, demo_admin):
    settings.POSC_DEMO_SIGN_IN = True
    assert _signed_in(client, "admin", DEMO_PASSWORD)


def _deploy_warnings() -> list[str]:
    return [m.id for m in run_checks(include_deployment_checks=True, tags=[Tags.security])]


def test_check_deploy_warns_while_demo_accounts_exist(demo_admin):
    assert "posc.W001" in _deploy_warnings()
    demo_admin.set_password(REAL_PASSWORD)
    demo_admin.save()
    assert "posc.W001" not in _deploy_warnings()
