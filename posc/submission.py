"""One-time submission tokens: a double-click or a re-post of a form makes one record.

The form carries a random token from the page that showed it; the service that creates the
record takes a transaction-scoped PostgreSQL advisory lock on the token, then returns the
record already made with it, if any (``submission_replay``). Two posts of one page
therefore wait for each other and make one row, however they interleave (the token column
is also unique).
"""

import uuid
from typing import TypeVar

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models

from posc.exceptions import DomainError

M = TypeVar("M", bound=models.Model)


class SubmissionTokenFormMixin(forms.Form):
    """Add the hidden one-time token; a fresh page gets a new one."""

    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("submission_token"):
            self.initial["submission_token"] = uuid.uuid4()


def submission_lock(token: uuid.UUID) -> None:
    """Hold a lock on *token* until the current transaction ends (call inside atomic)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [str(token)])


def submission_replay(model: type[M], *, token: uuid.UUID | None, user: AbstractBaseUser,
                      owner_field: str, refusal: str,
                      token_field: str = "submission_token") -> M | None:
    """Lock *token* and return the row *user* already made with it; None when there is none.

    Call inside the service's transaction, before making the row. A token is one user's
    form: another user's token (typed into the hidden field) is refused with *refusal*,
    never answered with that user's row (OWASP ASVS 4.0.3 4.2.1; HIPAA 45 CFR 164.312(a)(1)).
    """
    if token is None:
        return None
    submission_lock(token)
    done = model._default_manager.filter(**{token_field: token}).first()
    if done is not None and getattr(done, owner_field) != user.pk:
        raise DomainError(refusal, code="TOKEN")
    return done
