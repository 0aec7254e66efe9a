"""The middleware of settings.MIDDLEWARE (see audit.context)."""

from audit.context import AuditContextMiddleware

__all__ = ["AuditContextMiddleware"]
