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
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

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
    sql, names, converters = _device_sql(device_cls)
    alias = router.db_for_read(device_cls)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [device_pk])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        row = list(row)
        for i, convert in converters:
            row[i] = convert(row[i], None, connection)
    return device_cls.from_db(alias, names, row)


class PortalOTPMiddleware(OTPMiddleware):
    """django-otp's OTPMiddleware, cheaper on every signed-in request; the same checks.

    - The device is read with one plain SQL statement (device_by_persistent_id).
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
        return super()._verify_user_sync(request, user)

    def _device_from_persistent_id(self, persistent_id: str):
        return device_by_persistent_id(self._normalize_persistent_id(persistent_id))
