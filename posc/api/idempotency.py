"""Safe retries of the API's writes: the ``Idempotency-Key`` header (issue 18 §1).

The key is claimed before the write (a row per user and key, unique), and the answer is
stored on it after. A retry with the same key and body gets the stored answer; the same
key with another body is refused (422, IDEMPOTENCY_KEY_REUSED). The write itself must be
idempotent per key too (the enrollment services take a one-time token: the caller derives
it from the key with ``key_token``), because the services own durable transactions that
the key's row cannot share: a process killed between the write and the stored answer
leaves a claimed key, and the retry runs the write again, which then returns the stored
transaction instead of making a second one.
"""

import datetime
import hashlib
import json
import re
import uuid
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from posc.api.models import IdempotentRequest
from posc.api.rest import PROBLEM_CONTENT_TYPE, problem

HEADER = "Idempotency-Key"
# Printable ASCII, no spaces, as a client library makes (a UUID, a ULID, a hash).
KEY_FORM = re.compile(r"[!-~]{1,255}", re.ASCII)
_TOKEN_NAMESPACE = uuid.UUID("9a4c3f4e-2b53-4ad5-9f3c-8e0f2d9d7c18")


def key_token(*, user: AbstractBaseUser, key: str) -> uuid.UUID:
    """Return the one-time token a write made with *key* by *user* carries."""
    return uuid.uuid5(_TOKEN_NAMESPACE, f"{user.pk}:{key}")


def request_hash(operation: str, payload: dict) -> str:
    """Return the SHA-256 of what a call asks: its operation and its validated body."""
    text = json.dumps({"op": operation, "body": payload}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def header_key(request: Request) -> tuple[str | None, Response | None]:
    """Return the request's key, or the problem that refuses a missing or malformed one."""
    key = request.headers.get(HEADER, "")
    if not key:
        return None, problem(400, "IDEMPOTENCY_KEY_MISSING",
                             f"Send an {HEADER} header with each write (a new UUID per "
                             "new request, the same one when you retry it).")
    if not KEY_FORM.fullmatch(key):
        return None, problem(400, "IDEMPOTENCY_KEY_INVALID",
                             f"The {HEADER} is 1 to 255 printable ASCII characters, no spaces.")
    return key, None


def _claim(*, user, key: str, operation: str, digest: str,
           now: datetime.datetime) -> IdempotentRequest:
    """Return the key's row, made now if new (a concurrent claim of the same key wins or
    loses on the unique constraint; either way both see one row)."""
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(user=user, key=key, operation=operation,
                                                    request_hash=digest, created_at=now)
    except IntegrityError:
        return IdempotentRequest.objects.get(user=user, key=key)


def idempotent(*, request: Request, operation: str, payload: dict, now: datetime.datetime,
               write: Callable[[str], Response]) -> Response:
    """Run ``write(key)`` once per key and body; return its answer, or the stored one."""
    key, refused = header_key(request)
    if refused is not None:
        return refused
    digest = request_hash(operation, payload)
    row = _claim(user=request.user, key=key, operation=operation, digest=digest, now=now)
    if row.request_hash != digest:
        return problem(422, "IDEMPOTENCY_KEY_REUSED",
                       f"This {HEADER} was used for another request; use a new key for a new "
                       "request.")
    if row.status:
        stored = dict(row.body or {})
        response = Response({k: v for k, v in stored.items() if k != "_content_type"},
                            status=row.status, content_type=stored.get("_content_type"))
        response["Idempotent-Replayed"] = "true"
        return response
    response = write(key)
    body = dict(response.data or {})
    if response.content_type == PROBLEM_CONTENT_TYPE:
        body["_content_type"] = PROBLEM_CONTENT_TYPE
    # Only the first answer is kept: a concurrent retry of the same key stores the same.
    IdempotentRequest.objects.filter(pk=row.pk, status=0).update(status=response.status_code,
                                                                 body=body)
    return response
