"""Production settings: every secret comes from the environment, with no default."""

from .base import *  # noqa: F403
from .base import env

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
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

# ISSUE 15: the demo accounts' published password never signs in here (check --deploy warns
# while such accounts exist: posc/checks.py).
POSC_DEMO_SIGN_IN = False
# E-mails name members: SMTP with STARTTLS, required (check --deploy: posc.E002).
MAILERS["default"]["OPTIONS"]["use_tls"] = env.bool("DJANGO_EMAIL_USE_TLS", default=True)
