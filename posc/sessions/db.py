"""Database sessions read and updated in one plain SQL statement each.

Django's database backend wraps every save in a transaction (BEGIN, UPDATE, COMMIT: three
round trips). A single UPDATE is atomic on its own, so an update of an existing session
needs no transaction; creating one still goes through Django's code. Every signed-in
request reads its session: the read is one prepared SELECT rather than an ORM query,
whose building cost more than PostgreSQL's answer (bench/bench_throughput.py).
"""

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connections, router

from posc import clock


class SessionStore(DbSessionStore):
    def _get_session_from_db(self):
        """Return the unexpired session row (a Session instance), or None (as Django does)."""
        model = self.model
        table = model._meta.db_table
        with connections[router.db_for_read(model)].cursor() as cursor:
            cursor.execute(f"SELECT session_data, expire_date FROM {table}"
                           " WHERE session_key = %s AND expire_date > %s",
                           [self.session_key, clock.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0], expire_date=row[1])

    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        model = self.model
        with connections[router.db_for_write(model)].cursor() as cursor:
            cursor.execute(f"UPDATE {model._meta.db_table} SET session_data = %s,"
                           " expire_date = %s WHERE session_key = %s",
                           [self.encode(self._get_session()), self.get_expiry_date(),
                            self.session_key])
            updated = cursor.rowcount
        if not updated:
            raise UpdateError  # the session was deleted meanwhile (Django does the same)
        return None
