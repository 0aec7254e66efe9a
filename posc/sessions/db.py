"""Database sessions that update an existing session in one statement.

Django's database backend wraps every save in a transaction (BEGIN, UPDATE, COMMIT: three
round trips). A single UPDATE is atomic on its own, so an update of an existing session
needs no transaction; creating one still goes through Django's code.
"""

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore


class SessionStore(DbSessionStore):
    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        updated = self.model.objects.filter(session_key=self.session_key).update(
            session_data=self.encode(self._get_session()),
            expire_date=self.get_expiry_date())
        if not updated:
            raise UpdateError  # the session was deleted meanwhile (Django does the same)
        return None
