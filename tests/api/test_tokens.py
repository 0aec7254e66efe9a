"""API tokens (issue 18 §1): made on the user's own page, shown once, stored hashed, with a
name and an expiry; an expired or revoked token is refused; a rate limit per token."""

import datetime
import hashlib

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from posc import clock
from posc.api.models import ApiToken
from posc.api.services import api_token_revoke
from tests.api.helpers import auth, token_for

pytestmark = pytest.mark.django_db
BATCHES = reverse("enrollment-api:batches")


def test_the_page_makes_a_token_shown_once_and_stored_hashed(client_for, cca_sco):
    client = client_for(cca_sco)
    page = client.post(reverse("api:tokens"), {"name": "nightly script", "days": "30"})
    assert page.status_code == 200
    secret = page.context["secret"]
    assert secret.startswith("posc_") and secret in page.content.decode()
    token = ApiToken.objects.get(user=cca_sco)
    assert token.name == "nightly script"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.prefix, token.token_hash}
    assert (token.expires_at - token.created_at) == datetime.timedelta(days=30)
    assert secret not in client.get(reverse("api:tokens")).content.decode()  # shown once
    assert AuditEvent.objects.filter(object_type="API token", action="CREATE").exists()
    assert client.get(BATCHES, **auth(secret)).status_code == 200


def test_the_page_refuses_bad_input_and_makes_nothing(client_for, cca_sco):
    client = client_for(cca_sco)
    for data in ({"name": "  ", "days": "30"}, {"name": "x", "days": "7"}, {}):
        page = client.post(reverse("api:tokens"), data)
        assert page.status_code == 200 and page.context["form"].errors
    assert not ApiToken.objects.exists()


def test_no_token_and_a_wrong_token_are_401(client, cca_sco):
    none = client.get(BATCHES)
    assert none.status_code == 401 and none["Content-Type"] == "application/problem+json"
    assert none["WWW-Authenticate"].startswith("Bearer")
    wrong = client.get(BATCHES, HTTP_AUTHORIZATION="Bearer posc_nothing")
    assert wrong.status_code == 401 and wrong.json()["code"] == "TOKEN_INVALID"
    basic = client.get(BATCHES, HTTP_AUTHORIZATION="Basic abc")
    assert basic.status_code == 401


def test_an_expired_token_is_refused(client, cca_sco):
    secret = token_for(cca_sco, days=30, now=clock.now() - datetime.timedelta(days=31))
    refused = client.get(BATCHES, **auth(secret))
    assert refused.status_code == 401 and refused.json()["code"] == "TOKEN_EXPIRED"


def test_a_revoked_token_is_refused_at_once(client_for, cca_sco):
    secret = token_for(cca_sco)
    assert client_for(cca_sco).get(BATCHES, **auth(secret)).status_code == 200
    token = ApiToken.objects.get(user=cca_sco)
    page = client_for(cca_sco).post(reverse("api:token_revoke", args=[token.pk]))
    assert page.status_code == 302
    refused = client_for(cca_sco).get(BATCHES, **auth(secret))
    assert refused.status_code == 401 and refused.json()["code"] == "TOKEN_REVOKED"


def test_another_users_token_cannot_be_revoked(client_for, cca_sco, fallon_sco):
    secret = token_for(fallon_sco)
    token = ApiToken.objects.get(user=fallon_sco)
    assert client_for(cca_sco).post(reverse("api:token_revoke", args=[token.pk])
                                    ).status_code == 404
    assert client_for(cca_sco).get(BATCHES, **auth(secret)).status_code == 200
    with pytest.raises(ApiToken.DoesNotExist):
        api_token_revoke(token=token, user=cca_sco, now=clock.now())


def test_an_inactive_users_token_is_refused(client, cca_sco):
    secret = token_for(cca_sco)
    cca_sco.is_active = False
    cca_sco.save()
    assert client.get(BATCHES, **auth(secret)).status_code == 401


def test_the_rate_limit_is_per_token_with_retry_after(client, cca_sco, settings):
    from django.core.cache import cache

    cache.clear()
    settings.POSC_API_RATE = "3/minute"
    secret, other = token_for(cca_sco), token_for(cca_sco)
    codes = [client.get(BATCHES, **auth(secret)).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    limited = client.get(BATCHES, **auth(secret))
    assert limited.status_code == 429 and limited.json()["code"] == "THROTTLED"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert client.get(BATCHES, **auth(other)).status_code == 200  # another token's own count
