"""The gate: with MFA_REQUIRED, a signed-in user reaches no page before the second factor."""

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

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
