"""The second-factor pages: enter a code, set up an authenticator app, see the recovery codes."""

from base64 import b32encode

import django_otp
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from posc import clock
from posc.exceptions import DomainError
from posc.mfa import services
from posc.mfa.forms import CodeForm
from posc.mfa.qr import qr_svg

# The codes made at set-up wait here for the one page that shows them, then go.
RECOVERY_CODES_KEY = "posc_mfa_recovery_codes"


def _next_url(request: HttpRequest) -> str:
    """Return where the user was bound (``next``), when it is on this site; else Home."""
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _mark_verified(request: HttpRequest, device) -> None:
    """Record in the session that *device* verified the user, under a new session key."""
    # ASVS 3.2.1: a new session token when the user's authentication level changes.
    request.session.cycle_key()
    django_otp.login(request, device)


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Ask a user who has an authenticator app for its code (or a recovery code)."""
    next_url = _next_url(request)
    user = request.user
    if user.is_verified():
        return redirect(next_url)
    if not services.has_second_factor(user):
        if settings.MFA_REQUIRED:
            return redirect_to_login(next_url, resolve_url("mfa:setup"))
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor_verify(user=user, token=form.cleaned_data["code"],
                                                   now=clock.request_now(request))
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            _mark_verified(request, device)
            return redirect(next_url)
    return render(request, "mfa/verify.html",
                  {"form": form, "next": next_url, "mfa_pending": True})


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: QR code and key, then a code from the app confirms it."""
    next_url = _next_url(request)
    user = request.user
    if services.has_second_factor(user):
        # Replacing an app goes through an administrator's reset (audited), never here.
        return redirect(next_url) if user.is_verified() else redirect_to_login(
            next_url, resolve_url("mfa:verify"))
    device = services.totp_device_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.totp_device_confirm(
                user=user, device_id=device.pk, token=form.cleaned_data["code"],
                now=clock.request_now(request))
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            _mark_verified(request, device)
            request.session[RECOVERY_CODES_KEY] = codes
            return redirect_to_login(next_url, resolve_url("mfa:recovery_codes"))
    key = b32encode(device.bin_key).decode()
    return render(request, "mfa/setup.html", {
        "form": form, "next": next_url, "mfa_pending": True, "qr": qr_svg(device.config_url),
        "key_groups": [key[i:i + 4] for i in range(0, len(key), 4)]})


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show the recovery codes made at set-up, once (they leave the session here)."""
    next_url = _next_url(request)
    codes = request.session.pop(RECOVERY_CODES_KEY, None)
    if not codes:
        return redirect(next_url)
    return render(request, "mfa/recovery_codes.html", {"codes": codes, "next": next_url})
