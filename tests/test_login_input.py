"""The login page answers a username longer than any account's with the form, not a 500."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_300_character_username_is_a_failed_login(client):
    """Found by tests/property: axes stored it in a varchar(255) column and the page was a 500."""
    response = client.post(reverse("login"), {"username": "0" * 300, "password": "posc-test-pw"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    (attempt,) = AccessAttempt.objects.all()
    assert attempt.username == "0" * 255
