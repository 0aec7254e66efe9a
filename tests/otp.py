"""The authenticator app of a test account: the code it shows now (RFC 6238)."""

import time

from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator_code(username: str) -> str:
    """Return the code *username*'s authenticator app shows now (RFC 6238, the device's key).

    A code the portal took once is refused (its time step is spent), so a second sign-in
    within the same 30 seconds types the next step's code, which the portal accepts (one
    step of tolerance for clock drift), as a person would wait for the next code.
    """
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    now = totp.t()
    step = next((t for t in (now, now + 1) if t > device.last_t), None)
    assert step is not None, f"{username} signed in three times within one time step"
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"
