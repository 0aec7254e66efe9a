"""Django REST framework pieces of the API: token authentication, the per-token rate
limit, and every error as RFC 9457 problem details (``application/problem+json``)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from posc import clock
from posc.api.models import ApiToken
from posc.api.services import token_digest
from posc.exceptions import DomainError

PROBLEM_TYPE = "https://posc.example/problems/"  # + the code in lower case: a stable URI
PROBLEM_CONTENT_TYPE = "application/problem+json"


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``: the token's user, while it is neither revoked nor
    expired and the user is active. No session, no cookie: a call needs no CSRF token, and
    the second factor was asked when the token was made (on its page, behind the session)."""

    keyword = "Bearer"

    def authenticate(self, request: Request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        secret = secret.strip()
        if scheme.lower() != self.keyword.lower() or not secret or len(secret) > 200:
            raise exceptions.AuthenticationFailed("Send Authorization: Bearer <your API token>.",
                                                  code="TOKEN_INVALID")
        token = (ApiToken.objects.select_related("user")
                 .filter(token_hash=token_digest(secret)).first())
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("This API token is not known.",
                                                  code="TOKEN_INVALID")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API token was revoked.",
                                                  code="TOKEN_REVOKED")
        if not token.usable(clock.request_now(request._request)):
            raise exceptions.AuthenticationFailed("This API token has expired: make a new one "
                                                  "on your API tokens page.",
                                                  code="TOKEN_EXPIRED")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="posc-api"'  # 401, not 403, without a token


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """The OpenAPI document's name for TokenAuthentication: HTTP bearer."""

    target_class = "posc.api.rest.TokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "http", "scheme": "bearer", "description": "An API token made on your "
                "API tokens page."}


class TokenRateThrottle(SimpleRateThrottle):
    """At most ``POSC_API_RATE`` calls per token (e.g. "120/minute"); then 429 with
    Retry-After. Counted in the default cache: per process with the local-memory cache,
    shared by all workers with a shared one (docs/api.md)."""

    scope = "api_token"

    def get_rate(self) -> str:
        return settings.POSC_API_RATE

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()  # read per call: settings may change (tests)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None  # not authenticated: refused before any work
        return f"posc-api-rate:{token.pk}"


def problem(status: int, code: str, detail: str, *, title: str = "", **extra) -> Response:
    """Return an RFC 9457 problem details response with the portal's stable *code*."""
    body = {"type": PROBLEM_TYPE + code.lower().replace("_", "-"),
            "title": title or TITLES.get(status, "Request refused"), "status": status,
            "detail": detail, "code": code, **extra}
    return Response(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


TITLES = {400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 406: "Not acceptable", 409: "Conflict",
          413: "Request too large", 415: "Unsupported media type",
          422: "Refused", 429: "Too many requests"}


def _flatten(detail, path: str = "") -> list[dict]:
    """Return DRF's nested validation errors as [{"field", "message"}]."""
    if isinstance(detail, dict):
        return [e for key, value in detail.items()
                for e in _flatten(value, f"{path}.{key}" if path else str(key))]
    if isinstance(detail, list):
        return [e for item in detail for e in _flatten(item, path)]
    return [{"field": path or "non_field_errors", "message": str(detail)}]


def exception_handler(exc, context) -> Response | None:
    """Turn every refusal into problem details (REST_FRAMEWORK EXCEPTION_HANDLER)."""
    if isinstance(exc, DomainError):
        return problem(422, exc.code, exc.message, **exc.extra)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if not isinstance(exc, exceptions.APIException):
        return None  # a server error: Django's 500 (and its log)
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        return problem(400, "INVALID", "; ".join(f"{e['field']}: {e['message']}"
                                                 for e in errors), errors=errors)
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else "ERROR"
    response = problem(exc.status_code, str(code).upper(), str(exc.detail))
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response["WWW-Authenticate"] = 'Bearer realm="posc-api"'
    return response
