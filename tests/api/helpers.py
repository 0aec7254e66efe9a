"""Call the plans' API as a script would: a token of the user's, the Bearer header."""

import datetime
import uuid

from posc import clock
from posc.api.services import api_token_create


def token_for(user, *, days: int = 30, now: datetime.datetime | None = None) -> str:
    """Return the secret of a new API token of *user*."""
    _, secret = api_token_create(user=user, name="test script", days=days,
                                 now=now or clock.now())
    return secret


def auth(secret: str, **headers) -> dict:
    """Return the test client's keyword arguments for a call with *secret*."""
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}",
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}}


def person(member, provider_id: str, program: str = "sco", **overrides) -> dict:
    """Return the Member Search fields of *member* as typed on the panel."""
    return {"program": program, "provider_id": provider_id, "member_id": member.member_id,
            "last_name": member.last_name, "first_name": member.first_name, **overrides}


def post(client, url: str, secret: str, body: dict, key: str | None = None):
    """POST *body* as JSON; writes carry an Idempotency-Key (a new one unless *key*)."""
    return client.post(url, body, content_type="application/json",
                       **auth(secret, **{"Idempotency-Key": key or str(uuid.uuid4())}))
