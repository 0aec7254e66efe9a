"""API tokens (shown once, stored hashed) and the stored answers of idempotent writes."""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A token a user made on their API tokens page; it acts with exactly that user's rights.

    Only the SHA-256 of the secret is kept: the secret is 256 random bits
    (``secrets.token_urlsafe(32)``), so a fast hash is enough (no guessing a low-entropy
    password here; OWASP ASVS 4.0.3 2.10.4 keeps the secret out of the database).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=60)
    # The first characters of the secret, so that the page can tell tokens apart.
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def usable(self, now) -> bool:
        """True while the token is neither revoked nor expired at *now*."""
        return self.revoked_at is None and now < self.expires_at


class IdempotentRequest(models.Model):
    """One ``Idempotency-Key`` of one user: what was asked (its hash) and what was answered.

    Claimed (status 0) before the write runs and completed after it; a retry with the
    same key and body gets the stored answer, another body is refused (issue 18 §1;
    draft-ietf-httpapi-idempotency-key-header).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    key = models.CharField(max_length=255)
    operation = models.CharField(max_length=60)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)  # 0 while the write runs
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"],
                                               name="api_idempotency_user_key")]
