"""The portal's authentication backend: Django's ModelBackend with a cheaper user read;
the middleware that hands it the user row read with the session."""

import datetime
import functools
import math
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Max, Sum
from django.utils.functional import SimpleLazyObject

from posc import clock
from posc.members.demo import DEMO_PASSWORD
from posc.members.selectors import links_cache, links_json_sql


@functools.cache
def user_columns_sql(table: str) -> str:
    """Return the select list of a user row of the table aliased *table*: every concrete
    field in order, then the user's links and permissions (posc.members.selectors), which
    every page reads next. user_from_row reads it back."""
    model = get_user_model()
    quote = connections[router.db_for_read(model)].ops.quote_name
    columns = ", ".join(f"{table}.{quote(field.column)}" for field in model._meta.concrete_fields)
    return f"{columns}, {links_json_sql(f'{table}.{quote(model._meta.pk.column)}')}"


@functools.cache
def _user_sql() -> str:
    """Return the SELECT of one user by primary key (user_columns_sql's columns)."""
    model = get_user_model()
    quote = connections[router.db_for_read(model)].ops.quote_name
    return (f"SELECT {user_columns_sql('u')} FROM {quote(model._meta.db_table)} u"
            f" WHERE u.{quote(model._meta.pk.column)} = %s")


@functools.cache
def _converters(alias: str) -> tuple:
    """Return (position, converter) of the user fields that convert the database's values."""
    connection = connections[alias]
    return tuple((i, convert) for i, field in enumerate(get_user_model()._meta.concrete_fields)
                 for convert in field.get_db_converters(connection))


def user_from_row(row):
    """Return the user of a row of user_columns_sql's columns, its links cached on it, as the
    ORM's ``get`` would make it (``from_db``)."""
    model = get_user_model()
    alias = router.db_for_read(model)
    *row, links = row
    if converters := _converters(alias):  # none on Django's User
        connection = connections[alias]
        for i, convert in converters:
            row[i] = convert(row[i], None, connection)
    user = model.from_db(alias, [field.attname for field in model._meta.concrete_fields], row)
    links_cache(user, links or ())
    return user


# The user row the session store read with the session (posc.sessions.db), handed to
# PortalBackend.get_user for the length of one django.contrib.auth.get_user call only.
_session_row: ContextVar[tuple | None] = ContextVar("session_user_row", default=None)


def session_user(request):
    """django.contrib.auth.get_user(request), with the user row the session's own statement
    read when the session named that user (posc.sessions.db).

    Django's get_user still decides: the user id and backend come from the signed session
    data, the backend refuses an inactive user, and the session auth hash (the password)
    is compared as before. The row only replaces the backend's SELECT of the same user.
    """
    session = request.session
    if SESSION_KEY not in session:  # loads the session (and its user row) if not yet loaded
        return get_user(request)
    token = _session_row.set(getattr(session, "user_row", None))
    try:
        return get_user(request)
    finally:
        _session_row.reset(token)


class PortalAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, its lazy user loaded by session_user."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(functools.partial(session_user, request))


class PortalBackend(ModelBackend):
    """ModelBackend whose get_user reads the user with one plain SQL statement.

    Every signed-in request loads the user named by the session; building the ORM's query
    for that cost more CPU than PostgreSQL's answer (docs/performance.md). The same statement
    reads the user's links and permissions, which every page needs next. The row becomes a
    model instance through ``from_db``, as the ORM's ``get`` would make it; authenticate,
    permissions and the ``is_active`` check are ModelBackend's, unchanged.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        """ModelBackend's, refusing the published demo password unless POSC_DEMO_SIGN_IN.

        A database seeded under DEBUG keeps the demo accounts (a superuser among them);
        under production settings nobody signs in with their password (issue 15).
        """
        if password == DEMO_PASSWORD and not settings.POSC_DEMO_SIGN_IN:
            return None
        moment = clock.request_now(request) if request else clock.now()
        if username and (wait := username_wait(username, moment)):
            # Raised past django.contrib.auth.authenticate() to the login form, which shows
            # it: the password is not tried, and the attempt is not counted as a failure.
            raise UsernameThrottled(
                f"Too many failed sign-ins for this username. Wait {wait} seconds, then try "
                "again.", code="username_throttled")
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        model = get_user_model()
        pk = model._meta.pk
        read = _session_row.get()  # (user id, the user's columns) read with the session
        if read is not None and read[0] is not None and read[0] == pk.to_python(user_id):
            row = read[1]
        else:
            connection = connections[router.db_for_read(model)]
            with connection.cursor() as cursor:
                cursor.execute(_user_sql(), [pk.get_db_prep_value(user_id, connection)])
                row = cursor.fetchone()
            if row is None:
                return None
        user = user_from_row(row)
        return user if self.user_can_authenticate(user) else None


# axes stores the typed username in AccessAttempt.username, a varchar(255); the login forms
# do not limit its length before authenticating (Django sets AuthenticationForm's max_length
# after the field is built, so no validator checks it), and 256 characters were a 500.
AXES_USERNAME_MAX = 255


def axes_username(request, credentials: dict | None = None) -> str | None:
    """Return the username axes records and locks on, cut to the length of its column.

    axes' own rule otherwise (AXES_USERNAME_CALLABLE): the credentials' username, else the
    posted one. Found by tests/property/test_login_form.py (OWASP ASVS 4.0.3 5.1.4).
    """
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return username[:AXES_USERNAME_MAX] if isinstance(username, str) else username


class UsernameThrottled(ValidationError):
    """Sign-in refused for a while: too many recent failures for this username."""


def username_wait(username: str, now) -> int:
    """Return how many seconds *username* must wait before its password is tried again.

    ASVS 4.0.3 2.2.1 without lockout as a weapon (issue 15): django-axes locks a username
    *and* address pair after AXES_FAILURE_LIMIT failures (one guesser, one place); failures
    from everywhere else only slow the username down. From the limit on, each failure
    opens a refusal window that doubles (5, 10, 20, 40 s) up to POSC_THROTTLE_MAX seconds:
    at most about 60 guesses an hour on one account, and the real user waits a minute at
    worst. The counts are axes' own rows, so an administrator's unlock (axes' admin, or
    ``manage.py axes_reset_username``) clears the window too.
    """
    from axes.models import AccessAttempt, AccessFailureLog

    since = now - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    failures = AccessAttempt.objects.filter(username=username, attempt_time__gte=since
                                            ).aggregate(n=Sum("failures_since_start"))["n"] or 0
    if failures < settings.AXES_FAILURE_LIMIT:
        return 0
    last = AccessFailureLog.objects.filter(username=username).aggregate(
        at=Max("attempt_time"))["at"]
    if last is None:
        return 0
    window = min(settings.POSC_THROTTLE_FIRST * 2 ** (failures - settings.AXES_FAILURE_LIMIT),
                 settings.POSC_THROTTLE_MAX)
    return max(0, math.ceil((last + datetime.timedelta(seconds=window) - now).total_seconds()))
