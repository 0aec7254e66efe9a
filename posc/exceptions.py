"""Business refusals raised by services; views and admin actions turn them into messages."""

from typing import Any


class DomainError(Exception):
    """A refusal the user can act on, with a stable code."""

    default_code = "DOMAIN_ERROR"

    def __init__(self, message: str, *, code: str | None = None,
                 extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}


class InvalidTransition(DomainError):
    """A status move the transition table does not allow."""

    default_code = "INVALID_TRANSITION"


class ImportRejected(DomainError):
    """A whole import refused: ``extra["problems"]`` holds the line-numbered problems."""

    default_code = "IMPORT_REJECTED"
