"""Property: the login form answers any username and password bytes without a server error,
and signs in only with the right pair (OWASP ASVS 4.0.3 2.2.1, 5.1.3).

Each example runs in a rolled-back savepoint, so django-axes' failure rows of one example
never lock the next out (the lockout itself is proven in tests/security).
"""

import unicodedata

import pytest
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from tests.factories import UserFactory
from tests.property.helpers import assert_not_server_error, example_savepoint, table_snapshot
from tests.property.strategies import any_text

pytestmark = pytest.mark.django_db

USERNAME, PASSWORD = "cca.sco", "posc-test-pw"  # tests/factories.py UserFactory's password
LOGIN = reverse("login")


@pytest.fixture
def user(db):
    return UserFactory(username=USERNAME)


def _credential(right: str) -> st.SearchStrategy:
    return st.one_of(st.just(right), st.just(right.upper()), st.just(f" {right}"), any_text(),
                     st.binary(max_size=30).map(lambda b: b.decode("latin-1")),
                     st.lists(any_text(max_size=10), max_size=3))


@given(username=_credential(USERNAME), password=_credential(PASSWORD),
       drop=st.sets(st.sampled_from(["username", "password"])))
def test_login_form(client, user, username, password, drop):
    """Any username and password: the login page again, or a sign-in with the right pair."""
    post = {k: v for k, v in (("username", username), ("password", password)) if k not in drop}
    with example_savepoint():
        before = table_snapshot()
        response = client.post(LOGIN, post)
        assert_not_server_error(response)
        signed_in = "_auth_user_id" in client.session
        event("signed in" if signed_in else f"refused {response.status_code}")
        if signed_in:
            # UsernameField trims and NFKC-normalises the username; the password is exact.
            typed = post.get("username")
            assert isinstance(typed, str)
            assert unicodedata.normalize("NFKC", typed).strip() == USERNAME
            assert post.get("password") == PASSWORD
            assert response.status_code == 302
            client.logout()
        else:
            assert response.status_code in (200, 403, 429)
        # Only the session, axes and the user's last_login may change: no data table.
        assert table_snapshot() == before
