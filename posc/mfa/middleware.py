"""The gate: with MFA_REQUIRED, a signed-in user reaches no page before the second factor;
and django-otp's middleware with a cheaper device read."""

import functools
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, empty
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from posc.mfa.services import has_second_factor

# Reachable before the second factor: signing in and out, the idle warning's keep-alive,
# and the second-factor pages themselves.
OPEN_URL_NAMES = ("login", "logout", "keep_alive", "mfa:verify", "mfa:setup",
                  "mfa:recovery_codes")


@functools.cache
def _open_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in OPEN_URL_NAMES)


class SecondFactorMiddleware:
    """Send a signed-in user who has not entered a code to the code page (or the set-up).

    After django_otp.middleware.OTPMiddleware (it sets ``user.is_verified``) and the idle
    logoff (an ended session is logged out first). Every page goes through here, the admin
    too; static files are served before Django in production and are open here in tests.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (settings.MFA_REQUIRED and request.user.is_authenticated
                and not request.user.is_verified()
                and request.path_info not in _open_paths()
                and not request.path_info.startswith(settings.STATIC_URL)):
            step = "mfa:verify" if has_second_factor(request.user) else "mfa:setup"
            return redirect_to_login(request.get_full_path(), reverse(step))
        return self.get_response(request)


@functools.cache
def _device_sql(device_cls: type) -> tuple[str, tuple[str, ...], tuple]:
    """Return the SELECT of one device by primary key, the field names it reads, in order,
    and the (position, converter) pairs of the fields whose values the database converts."""
    fields = device_cls._meta.concrete_fields
    connection = connections[router.db_for_read(device_cls)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    return (f"SELECT {columns} FROM {quote(device_cls._meta.db_table)}"
            f" WHERE {quote(device_cls._meta.pk.column)} = %s",
            tuple(field.attname for field in fields),
            tuple((i, convert) for i, field in enumerate(fields)
                  for convert in field.get_db_converters(connection)))


def device_by_persistent_id(persistent_id: str) -> Device | None:
    """Return the device *persistent_id* names (``app_label.model/pk``), or None.

    The same device django-otp's ``Device.from_persistent_id`` returns, read with one plain
    SQL statement: every signed-in request loads it, and building the ORM's query cost more
    CPU than PostgreSQL's answer (docs/performance.md, as for the user in
    posc.auth_backends). The caller checks its user and ``confirmed``, as before.
    """
    try:
        model_label, device_id = persistent_id.rsplit("/", 1)
        device_cls = apps.get_model(model_label)
        device_pk = int(device_id)
    except (ValueError, LookupError):
        return None
    if not issubclass(device_cls, Device):
        return None
    sql = _device_sql(device_cls)[0]
    with connections[router.db_for_read(device_cls)].cursor() as cursor:
        cursor.execute(sql, [device_pk])
        row = cursor.fetchone()
    return device_from_row(device_cls, row) if row is not None else None


def device_from_row(device_cls: type, row) -> Device:
    """Return the device of *row* (its concrete fields in order), as the ORM would make it."""
    _, names, converters = _device_sql(device_cls)
    alias = router.db_for_read(device_cls)
    if converters:
        connection = connections[alias]
        row = list(row)
        for i, convert in converters:
            row[i] = convert(row[i], None, connection)
    return device_cls.from_db(alias, names, row)


def session_device(session, persistent_id: str) -> Device | None:
    """Return the device *persistent_id* names: the one read with the session when the
    session row's device column (posc.sessions.db) names the same device, else
    device_by_persistent_id's. The caller checks its user and ``confirmed``, as before."""
    read = getattr(session, "device_row", None)  # (device id, its columns), or None
    if read is not None and session_device_id(persistent_id) == read[0]:
        return device_from_row(TOTPDevice, read[1])
    return device_by_persistent_id(persistent_id)


# The device model whose row the session's statement can join (posc.sessions.db): the
# authenticator app's. A recovery code's device (otp_static) is read on its own.
SESSION_DEVICE_LABEL = "otp_totp.totpdevice"


def _is_session_device(model_label: str) -> bool:
    """Return True if *model_label* names the TOTP device as apps.get_model reads it (the
    model's name in any case)."""
    app_label, _, model_name = model_label.partition(".")
    return f"{app_label}.{model_name.lower()}" == SESSION_DEVICE_LABEL


def session_device_id(persistent_id) -> int | None:
    """Return the id of the TOTP device *persistent_id* (a session's) names, else None."""
    if not isinstance(persistent_id, str):
        return None
    model_label, _, device_id = OTPMiddleware._normalize_persistent_id(
        persistent_id).rpartition("/")
    if not _is_session_device(model_label):
        return None
    try:
        pk = int(device_id)
    except ValueError:
        return None
    return pk if 0 < pk < 2**63 else None  # the column is a bigint


@functools.cache
def device_columns_sql(table: str) -> str:
    """Return the select list of a TOTP device row of the table aliased *table*: its concrete
    fields in order, as device_from_row reads them back."""
    quote = connections[router.db_for_read(TOTPDevice)].ops.quote_name
    return ", ".join(f"{table}.{quote(field.column)}"
                     for field in TOTPDevice._meta.concrete_fields)


class PortalOTPMiddleware(OTPMiddleware):
    """django-otp's OTPMiddleware, cheaper on every signed-in request; the same checks.

    - The device comes with the session's own statement when the session row names it
      (session_device, posc.sessions.db), else with one plain SQL statement
      (device_by_persistent_id).
    - ``request.user`` is one lazy object, not one wrapped in another: django-otp wraps
      AuthenticationMiddleware's lazy user in a second one, and every attribute a page
      reads (a template reads dozens) then went through both.
    django-otp's own ``_finalize_device`` still refuses a device of another user or an
    unconfirmed one and drops it from the session.
    """

    def _verify_user_sync(self, request, user):
        if isinstance(user, SimpleLazyObject):  # AuthenticationMiddleware's: load it now
            user = user._wrapped if user._wrapped is not empty else (user._setup(),
                                                                     user._wrapped)[1]
        # django-otp's OTPMiddleware._verify_user_sync, the device read by session_device.
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = (session_device(request.session,
                                     self._normalize_persistent_id(persistent_id))
                      if persistent_id else None)
            user.otp_device = self._finalize_device(request, user, device)
        return user

    def _device_from_persistent_id(self, persistent_id: str):
        return device_by_persistent_id(self._normalize_persistent_id(persistent_id))
