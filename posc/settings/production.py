"""Production settings: every secret comes from the environment, with no default."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, MIDDLEWARE, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# SECURITY
# ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# STATIC
# ------------------------------------------------------------------------------
# `manage.py collectstatic` copies the files to STATIC_ROOT with hashed names and compressed
# copies; WhiteNoise serves them from the gunicorn workers, cached for a year. It
# answers before the CSP middleware: the policy covers pages, and a stylesheet or script
# needs none. SecurityMiddleware still adds HSTS and nosniff to them.
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
_after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [*MIDDLEWARE[:_after_security], "whitenoise.middleware.WhiteNoiseMiddleware",
              *MIDDLEWARE[_after_security:]]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# EMAIL
# ------------------------------------------------------------------------------
MAILERS = {"default": {
    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "OPTIONS": {"host": env("DJANGO_EMAIL_HOST", default="localhost"),
                "port": env.int("DJANGO_EMAIL_PORT", default=25)},
}}

# LOGGING: errors to the console for the process supervisor; no request bodies.
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# BACKGROUND WORK: tasks wait in PostgreSQL for `manage.py db_worker` (several workers on
# several machines share the one queue; each task row is claimed with SKIP LOCKED).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# SECOND FACTOR: always, whatever the environment says (HIPAA 45 CFR 164.312(d)).
MFA_REQUIRED = True

# ISSUE 15: the demo accounts' published password never signs in here (check --deploy warns
# while such accounts exist: posc/checks.py).
POSC_DEMO_SIGN_IN = False
# E-mails name members: SMTP with STARTTLS, required (check --deploy: posc.E002).
MAILERS["default"]["OPTIONS"]["use_tls"] = env.bool("DJANGO_EMAIL_USE_TLS", default=True)
