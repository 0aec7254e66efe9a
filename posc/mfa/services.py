"""Set up, check and reset a user's second factor (django-otp's TOTP and static devices).

A user has at most one confirmed TOTP device (the authenticator app) and one static device
holding the recovery codes. Wrong codes have their own throttle, django-otp's, per device:
after n successive wrong codes the device refuses every code for 2^(n-1) seconds (1, 2, 4,
8 … seconds; OTP_TOTP_THROTTLE_FACTOR, OTP_STATIC_THROTTLE_FACTOR), and a right code resets
it. They do not count toward the password lockout of django-axes: the user has proved the
password already, and a stolen password must not let its thief lock the owner out of the
portal with wrong codes for longer than the throttle's wait.
"""

import datetime
import math

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action
from audit.services import record
from posc.exceptions import DomainError

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
AUDIT_OBJECT = "second factor"


class WrongCode(DomainError):
    """The code is not the device's (wrong, expired or already used)."""

    default_code = "MFA_WRONG_CODE"


class Throttled(DomainError):
    """Too many wrong codes in a row: the device refuses codes for a while."""

    default_code = "MFA_THROTTLED"


def confirmed_device(user: AbstractBaseUser) -> TOTPDevice | None:
    """Return the user's confirmed authenticator device, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user: AbstractBaseUser) -> bool:
    """Return True when the user has set up an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """Return the user's unconfirmed TOTP device, making one with a new key if none waits."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _throttle_wait(device, now: datetime.datetime) -> int | None:
    """Return the seconds *device* still refuses codes, or None when it takes them."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    until = (data or {}).get("locked_until")
    return max(1, math.ceil((until - now).total_seconds())) if until else 1


def _throttled(wait: int) -> Throttled:
    return Throttled(f"Too many wrong codes. Wait {wait} seconds, then enter the code "
                     "your authenticator app shows.", extra={"wait": wait})


def totp_device_confirm(*, user: AbstractBaseUser, device_id: int, token: str,
                        now: datetime.datetime) -> tuple[TOTPDevice, list[str]]:
    """Confirm the user's new authenticator device with a code; return it and recovery codes.

    The recovery codes replace any the user had; they are returned once, for the page that
    shows them, and each works once (django-otp deletes a static token when it is used).
    """
    with transaction.atomic(durable=True):
        device = (TOTPDevice.objects.select_for_update()
                  .filter(user=user, pk=device_id, confirmed=False).first())
        if device is None:
            raise WrongCode("This set-up has expired. Scan the new QR code and enter the "
                            "code your authenticator app shows.", code="MFA_SETUP_EXPIRED")
        if (wait := _throttle_wait(device, now)) is not None:
            raise _throttled(wait)
        if not device.verify_token(token):
            raise WrongCode("That code is not correct. Enter the 6-digit code your "
                            "authenticator app shows now.")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # Any other device (an older set-up, a second app) goes: one app per user.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        StaticDevice.objects.filter(user=user).delete()
        static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
        record(Action.CREATE, AUDIT_OBJECT, str(user.pk),
               detail=f"authenticator app set up for {user.get_username()}", user=user)
    return device, codes


def second_factor_verify(*, user: AbstractBaseUser, token: str, now: datetime.datetime):
    """Return the device that accepts *token* (the app's code or a recovery code).

    Six digits are checked against the authenticator app, anything else against the
    recovery codes. A used code is refused (the TOTP device remembers the last time step it
    accepted; a recovery code is deleted when used).
    """
    token = "".join(token.split()).lower()
    model = TOTPDevice if len(token) == 6 and token.isdigit() else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        raise WrongCode("That code is not correct. Enter the 6-digit code your "
                        "authenticator app shows now, or a recovery code.")
    if (wait := _throttle_wait(device, now)) is not None:
        raise _throttled(wait)
    verified = verify_token(user, device.persistent_id, token)
    if verified is None:
        raise WrongCode("That code is not correct or was already used. Enter the 6-digit "
                        "code your authenticator app shows now, or a recovery code.")
    return verified


def second_factor_reset(*, user: AbstractBaseUser, actor: AbstractBaseUser) -> int:
    """Delete every device of *user* (app and recovery codes); return how many went.

    The user sets up an app again at the next sign-in (or at once, when already signed in:
    the session's verification named a device that is gone). Audited.
    """
    with transaction.atomic(durable=True):
        deleted = 0
        for model in (TOTPDevice, StaticDevice):
            deleted += len(model.objects.select_for_update().filter(user=user)
                           .values_list("pk", flat=True))
            model.objects.filter(user=user).delete()
        record(Action.DELETE, AUDIT_OBJECT, str(user.pk), user=actor,
               detail=f"second factor reset for {user.get_username()} "
                      f"({deleted} device{'s' if deleted != 1 else ''})")
    return deleted
