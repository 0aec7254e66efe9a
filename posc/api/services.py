"""API tokens: make one (the secret is returned once and never stored) and revoke one."""

import datetime
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from posc.api.models import ApiToken
from posc.exceptions import DomainError

SECRET_PREFIX = "posc_"
MAX_TOKENS = 20  # live tokens per user: a script per job, not one per request


def token_digest(secret: str) -> str:
    """Return what is stored of *secret*: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic(durable=True)
def api_token_create(*, user: AbstractBaseUser, name: str, days: int,
                     now: datetime.datetime) -> tuple[ApiToken, str]:
    """Make a token of *user* valid *days* days from *now*; return it and its secret.

    The secret is shown once, on the page that made it; only its hash is kept.
    """
    get_user_model().objects.select_for_update().get(pk=user.pk)  # one count at a time per user
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    if live.count() >= MAX_TOKENS:
        raise DomainError(f"You have {MAX_TOKENS} tokens already: revoke one first.",
                          code="TOKEN_LIMIT")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:len(SECRET_PREFIX) + 4],
        token_hash=token_digest(secret), created_at=now,
        expires_at=now + datetime.timedelta(days=days))
    audit_record(AuditAction.CREATE, "API token", str(token.pk),
                 detail=f"{name}, expires {token.expires_at:%Y-%m-%d}", user=user)
    return token, secret


@transaction.atomic(durable=True)
def api_token_revoke(*, token: ApiToken, user: AbstractBaseUser,
                     now: datetime.datetime) -> ApiToken:
    """Revoke *token* of *user* from *now* on; revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk, user=user)
    if token.revoked_at is not None:
        return token
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    audit_record(AuditAction.CHANGE, "API token", str(token.pk), detail=f"{token.name} revoked",
                 user=user)
    return token
