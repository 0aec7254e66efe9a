"""One-time submission tokens: a double-click or a re-post of a form makes one record.

The form carries a random token from the page that showed it; the service that creates the
record takes a transaction-scoped PostgreSQL advisory lock on the token, then returns the
record already made with it, if any. Two posts of one page therefore wait for each other
and make one row, however they interleave (the token column is also unique).
"""

import uuid

from django import forms
from django.db import connection


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
