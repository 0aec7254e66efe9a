"""Who is acting: the request's user and client address, or the system outside a request.

Services record their writes inside their own transaction without being handed the
request: the middleware keeps it in a context variable for the length of the request.
"""

import contextlib
import datetime
import ipaddress
import os
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest

from posc import clock

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
_system: ContextVar[str | None] = ContextVar("audit_system", default=None)


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    client_address: str | None
    path: str


def client_address(request: HttpRequest) -> str | None:
    """Return REMOTE_ADDR when it is an IP address, else None.

    Behind a reverse proxy, production must make REMOTE_ADDR the client's address
    (gunicorn --forwarded-allow-ips with the proxy's address, and the proxy setting
    X-Forwarded-For); the portal never trusts a client-sent header itself (ASVS 4.0.3 7.1.3).
    """
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _process_name() -> str:
    """Return the management command (or program) this process runs, e.g. ``export_834``."""
    argv = sys.argv or [""]
    program = os.path.basename(argv[0])
    if program in ("manage.py", "django-admin") and len(argv) > 1:
        return argv[1]
    if program == "__main__.py":  # python -m <package>
        return os.path.basename(os.path.dirname(argv[0]))
    return program or "unknown"


def current_moment() -> datetime.datetime:
    """Return when the actor acts: the request's moment (posc.clock), else this moment.

    Audit rows are stamped by Python's clock like every other date of the portal (not the
    database server's clock), with the moment the request's services were given.
    """
    request = _request.get()
    return clock.request_now(request) if request is not None else clock.now()


def current_actor(user=None) -> Actor:
    """Return who acts now: *user* or the request's user, with the request's address."""
    request = _request.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    address = client_address(request) if request is not None else None
    path = request.path[:255] if request is not None else ""
    if user is not None and user.is_authenticated:
        return Actor(user.pk, user.get_username()[:150], address, path)
    return Actor(None, f"system:{_system.get() or _process_name()}"[:150], address, path)


class AuditContextMiddleware:
    """Keep the request in a context variable while the view (and its services) run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextlib.contextmanager
def system_actor(name: str) -> Iterator[None]:
    """Record writes made inside the block as ``system:<name>`` (a task, a command)."""
    token = _system.set(name)
    try:
        yield
    finally:
        _system.reset(token)
