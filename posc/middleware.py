"""The portal's own middleware: idle logoff, Permissions-Policy, no-store, body size limit."""

import time
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout, user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

# Session keys, in whole seconds since the epoch (the session is JSON).
LAST_ACTIVITY = "posc_last_activity"
SIGNED_IN_AT = "posc_signed_in_at"
# The stored activity time is rewritten only when it is at least this old. Every signed-in
# request passes here, and a session write is an UPDATE of the session row (posc/sessions/db.py;
# docs/performance.md measures what one costs a page): read-only pages then write their
# session at most once a minute, at the price of a logoff up to a minute early.
REFRESH_AFTER = 60


class IdleState(NamedTuple):
    """What static/js/idle.js needs to warn before the server ends the session."""

    left: int  # seconds until the server logs the user off, if no request comes first
    timeout: int
    warning: int


def _now() -> int:
    return int(time.time())


def record_activity(request: HttpRequest) -> None:
    """Store this moment as the session's last activity (the keep-alive URL forces it)."""
    request.session[LAST_ACTIVITY] = _now()


@receiver(user_logged_in, dispatch_uid="posc.middleware.stamp_sign_in")
def stamp_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """Start the idle and absolute clocks of a session at sign-in (a second sign-in too)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = request.session[SIGNED_IN_AT] = _now()


def _ended(session, now: int) -> str | None:
    """Return why this signed-in session is over, or None while it may go on."""
    idle = now - session[LAST_ACTIVITY]
    if idle > settings.POSC_IDLE_TIMEOUT:
        # HIPAA 45 CFR 164.312(a)(2)(iii) automatic logoff; OWASP ASVS 4.0.3 3.3.2.
        return (f"You were logged out after {settings.POSC_IDLE_TIMEOUT // 60} minutes "
                "without activity. Please log in again.")
    if now - session[SIGNED_IN_AT] > settings.SESSION_COOKIE_AGE:
        # ASVS 3.3.2: re-authentication at least every 12 hours, however active the user.
        return (f"Your session ended {settings.SESSION_COOKIE_AGE // 3600} hours after you "
                "logged in. Please log in again.")
    return None


class IdleLogoffMiddleware:
    """Log a signed-in user out after POSC_IDLE_TIMEOUT seconds without a request.

    The server is the authority: static/js/idle.js only warns and shows the login page on
    time. Only requests count as activity here; the script turns key presses and clicks
    into a keep-alive request (at most one a minute), so that typing a long form is
    activity too. After the logoff the request goes to the login page with a message, and
    back to where it was bound after the user signs in again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:  # signed in: the session row is read here, not later
            now = _now()
            if LAST_ACTIVITY not in session or SIGNED_IN_AT not in session:
                # Signed in before this middleware existed, or without the signal (a test
                # client's force_login before any request): the clocks start now.
                session[LAST_ACTIVITY] = session.setdefault(SIGNED_IN_AT, now)
            if reason := _ended(session, now):
                logout(request)  # flushes the session row: the old cookie is worthless
                messages.warning(request, reason)
                if request.path_info != resolve_url(settings.LOGIN_URL):
                    return redirect_to_login(request.get_full_path())
            else:
                if now - session[LAST_ACTIVITY] >= REFRESH_AFTER:
                    session[LAST_ACTIVITY] = now
                request.idle = IdleState(
                    left=settings.POSC_IDLE_TIMEOUT - (now - session[LAST_ACTIVITY]),
                    timeout=settings.POSC_IDLE_TIMEOUT, warning=settings.POSC_IDLE_WARNING)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Add the Permissions-Policy header (Django has no setting for it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class NoStoreMiddleware:
    """Forbid caching any response to a signed-in user (ASVS 4.0.3 8.2.1; issue 15).

    Pages and downloads of a signed-in user carry member data (834 files, confirmations,
    cases, exports): ``Cache-Control: no-store, private`` keeps them out of shared proxies
    and the browser's disk cache. Static files are the same for everyone and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated
                and not request.path_info.startswith(settings.STATIC_URL)):
            patch_cache_control(response, no_store=True, private=True)
        return response


class RequestSizeLimitMiddleware:
    """Answer 413 to a request whose body is larger than POSC_MAX_REQUEST_BYTES, unread.

    Django reads a whole multipart body (to memory or a temporary file) before any form can
    refuse it: a 500 MB POST cost the worker the time and the disk to read it (issue 15).
    The WSGI server hands the body over as a stream of CONTENT_LENGTH bytes, so checking
    the header is enough; the largest form of the portal is an .xlsx upload (posc.xlsx).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.POSC_MAX_REQUEST_BYTES:
            from posc.xlsx import MAX_UPLOAD_BYTES, MB

            if request.path_info.startswith("/api/"):  # the API's one error shape (RFC 9457)
                return JsonResponse({
                    "type": "https://posc.example/problems/too-large", "title": "Request too "
                    "large", "status": 413, "code": "TOO_LARGE",
                    "detail": f"The body is larger than "
                              f"{settings.POSC_MAX_REQUEST_BYTES // MB} MB."},
                    status=413, content_type="application/problem+json")

            page = render_to_string("413.html", {
                "limit_mb": settings.POSC_MAX_REQUEST_BYTES // MB,
                "upload_mb": MAX_UPLOAD_BYTES // MB})
            return HttpResponse(page, status=413)
        return self.get_response(request)
