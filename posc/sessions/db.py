"""Database sessions read and updated in one plain SQL statement each.

Django's database backend wraps every save in a transaction (BEGIN, UPDATE, COMMIT: three
round trips). A single UPDATE is atomic on its own, so an update of an existing session
needs no transaction; creating one still goes through Django's code. Every signed-in
request reads its session: the read is one prepared SELECT rather than an ORM query,
whose building cost more than PostgreSQL's answer (bench/bench_throughput.py).

The same SELECT reads the signed-in user's row, their links and permissions: the session
row carries the user's id in a column of its own, ``posc_user_id``
(posc/migrations/0003_session_user.py), written with the session data. It is only a hint
for that join: django.contrib.auth.get_user still takes the user id from the signed session
data, and posc.auth_backends uses the joined row only when the two agree. The second
factor's device (an authenticator app's TOTP device) comes the same way, on
``posc_device_id`` (0004): django_otp's device id in the signed data decides, and
posc.mfa.middleware uses the joined row only when it names the same device.
"""

import functools

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connections, router
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from posc import clock
from posc.auth_backends import user_columns_sql
from posc.mfa.middleware import device_columns_sql, session_device_id

USER_COLUMN = "posc_user_id"
DEVICE_COLUMN = "posc_device_id"


@functools.cache
def _read_sql() -> str:
    user = get_user_model()
    quote = connections[router.db_for_read(Session)].ops.quote_name
    return (f"SELECT s.session_data, s.expire_date, s.{USER_COLUMN}, s.{DEVICE_COLUMN},"
            f" {user_columns_sql('u')}, {device_columns_sql('d')}"
            f" FROM {quote(Session._meta.db_table)} s"
            f" LEFT JOIN {quote(user._meta.db_table)} u"
            f" ON u.{quote(user._meta.pk.column)} = s.{USER_COLUMN}"
            f" LEFT JOIN {quote(TOTPDevice._meta.db_table)} d"
            f" ON d.{quote(TOTPDevice._meta.pk.column)} = s.{DEVICE_COLUMN}"
            " WHERE s.session_key = %s AND s.expire_date > %s")


@functools.cache
def _user_width() -> int:
    """Return how many columns user_columns_sql selects (the fields, then the links)."""
    return len(get_user_model()._meta.concrete_fields) + 1


def _user_id(data: dict):
    """Return the signed-in user's id in *data* as the column stores it, or None."""
    try:
        return get_user_model()._meta.pk.to_python(data.get(SESSION_KEY))
    except ValidationError:
        return None


class SessionStore(DbSessionStore):
    # (user id, the user's columns: posc.auth_backends.user_columns_sql) read with the
    # session, or None; PortalBackend.get_user uses it for that user only.
    user_row = None
    # (device id, the TOTP device's columns: posc.mfa.middleware.device_columns_sql) read
    # with the session, or None; posc.mfa.middleware.session_device uses it for that
    # device only.
    device_row = None

    def _get_session_from_db(self):
        """Return the unexpired session row (a Session instance), or None (as Django does)."""
        self.user_row = self.device_row = None
        with connections[router.db_for_read(self.model)].cursor() as cursor:
            cursor.execute(_read_sql(), [self.session_key, clock.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        device_at = 4 + _user_width()
        if row[2] is not None and row[4] is not None:  # the user row exists
            self.user_row = (row[2], row[4:device_at])
        if row[3] is not None and row[device_at] is not None:  # the device row exists
            self.device_row = (row[3], row[device_at:])
        return self.model(session_key=self.session_key, session_data=row[0], expire_date=row[1])

    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        model = self.model
        data = self._get_session()
        with connections[router.db_for_write(model)].cursor() as cursor:
            cursor.execute(f"UPDATE {model._meta.db_table} SET session_data = %s,"
                           f" expire_date = %s, {USER_COLUMN} = %s, {DEVICE_COLUMN} = %s"
                           " WHERE session_key = %s",
                           [self.encode(data), self.get_expiry_date(), _user_id(data),
                            session_device_id(data.get(DEVICE_ID_SESSION_KEY)),
                            self.session_key])
            updated = cursor.rowcount
        if not updated:
            raise UpdateError  # the session was deleted meanwhile (Django does the same)
        return None
