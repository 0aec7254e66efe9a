"""Settings shared by every environment (cookiecutter-django layout)."""

from pathlib import Path
from urllib.parse import unquote

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
TIME_ZONE = "America/New_York"  # mmis-rules.md: the request date is today in America/New_York
LANGUAGE_CODE = "en-us"
USE_I18N = False
USE_TZ = True
SITE_NAME = "MassHealth Provider Online Service Center"

# DATABASES
# ------------------------------------------------------------------------------
# PostgreSQL always: DATABASE_URL (bin/run and bin/test start an embedded server when unset).
DATABASES = {"default": env.db("DATABASE_URL")}
# A socket directory arrives percent-encoded in the URL's host part.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST", ""))
# Persistent connections: measured about 5x the throughput of one connection per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Server-side binding lets psycopg prepare the statements a view repeats, so PostgreSQL
# stops planning them on every request (planning was most of a panel's database time).
# (Behind a transaction-pooling PgBouncer set DB_PREPARE_THRESHOLD to empty.)
DATABASES["default"].setdefault("OPTIONS", {}).update(
    server_side_binding=True,
    prepare_threshold=env.int("DB_PREPARE_THRESHOLD", default=5) or None,
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# URLS
# ------------------------------------------------------------------------------
ROOT_URLCONF = "posc.urls"
WSGI_APPLICATION = "posc.wsgi.application"

# APPS
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_tasks_db",
]
LOCAL_APPS = [
    "posc",
    "posc.members",
    "enrollment",
    "crm_tracker",
    "recoupments",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with a one-statement user read (docs/performance.md). Sessions signed in
    # under "django.contrib.auth.backends.ModelBackend" no longer load: users sign in again.
    "posc.auth_backends.PortalBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes: lock an account after 5 failed logins for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
# An account, and an address, are each locked after 5 failures (ASVS 2.2.1).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# STATIC
# ------------------------------------------------------------------------------
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

# TEMPLATES
# ------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "posc.context_processors.portal_menu",
            ],
        },
    }
]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
FORMAT_MODULE_PATH = ["posc.formats"]

# SECURITY
# ------------------------------------------------------------------------------
SESSION_ENGINE = "posc.sessions.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# EMAIL
# ------------------------------------------------------------------------------
# Django 6.1 mailers (EMAIL_BACKEND is deprecated); each environment sets the backend.
MAILERS = {"default": {"BACKEND": env("DJANGO_EMAIL_BACKEND",
                                      default="django.core.mail.backends.smtp.EmailBackend")}}
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="POSC <noreply@posc.example>")
ENROLLMENT_OPERATIONS_EMAIL = env("ENROLLMENT_OPERATIONS_EMAIL",
                                  default="enrollment-ops@posc.example")
# Seed 004: Claims Operations' mailbox for the coverage and timely-filing override e-mail.
CLAIMS_SUPPORT_EMAIL = env("CLAIMS_SUPPORT_EMAIL", default="claims-support@posc.example")

# PORTAL
# ------------------------------------------------------------------------------
# Where export_834 and the daily batch keep the 834 files they write.
X12_OUTBOX = Path(env("POSC_X12_OUTBOX", default=str(BASE_DIR / "var" / "834")))
# 834 sender (ISA06/GS02): MMIS.
X12_SENDER_ID = "MASSHEALTH"

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"level": "INFO", "handlers": ["console"]},
}

# BACKGROUND WORK (Django's tasks API)
# ------------------------------------------------------------------------------
# Development and tests run a task at once, inside the caller; production queues it in
# PostgreSQL (django-tasks-db) for `manage.py db_worker` processes (see README).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
