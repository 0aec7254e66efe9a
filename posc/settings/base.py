"""Settings shared by every environment (cookiecutter-django layout)."""

from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Each environment sets these; production reads both from the environment with no default
# (an empty key makes Django refuse to start).
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = []
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
# DB_PREPARE_THRESHOLD: executions before a statement is prepared; empty or 0: never.
_prepare = env.str("DB_PREPARE_THRESHOLD", default="5").strip()
if _prepare and not _prepare.isdigit():
    raise ImproperlyConfigured(f"DB_PREPARE_THRESHOLD must be a whole number or empty, "
                               f"not {_prepare!r}")
DATABASES["default"].setdefault("OPTIONS", {}).update(
    server_side_binding=True,
    prepare_threshold=int(_prepare or 0) or None,
    # No JIT: the portal runs short queries, and a tracker case read (a 14-table join whose
    # estimated cost passes jit_above_cost on small or unanalysed tables) spent 17 ms
    # compiling for 0.3 ms of work. Measured in docs/performance.md. (Also set on the
    # database by posc/migrations/0002, for connections that cannot pass options.)
    options="-c jit=off",
)
# DB_POOL_MODE=transaction: DATABASE_URL points at PgBouncer in transaction pooling, where
# each transaction may run on another server connection. Then nothing may outlive a
# transaction on the server: no prepared statements, no server-side cursors (.iterator()
# fetches everything at once), and no startup `options` (PgBouncer refuses them), so JIT is
# off through `ALTER DATABASE … SET jit = off` instead (README, Production).
DB_POOL_MODE = env.str("DB_POOL_MODE", default="").strip() or "session"
if DB_POOL_MODE not in ("session", "transaction"):
    raise ImproperlyConfigured(f"DB_POOL_MODE must be session or transaction, "
                               f"not {DB_POOL_MODE!r}")
if DB_POOL_MODE == "transaction":
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
    del DATABASES["default"]["OPTIONS"]["options"]
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
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
    # django.contrib.admin, whose site gives signed-in non-staff users 403 (posc/admin.py)
    "posc.apps.PortalAdminConfig",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "axes",
    "django_tasks_db",
]
LOCAL_APPS = [
    "posc",
    "posc.members",
    "enrollment",
    "crm_tracker",
    "recoupments",
    "audit",
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
# Argon2id for new and changed passwords (OWASP ASVS 4.0.3 2.4.1, 2.4.4: a memory-hard,
# salted hash). PBKDF2 stays second so that hashes stored before the switch still verify;
# Django re-hashes them with Argon2 at the user's next successful login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# ASVS 2.1.1 (at least 12 characters), 2.1.7 (refuse common and breached passwords);
# the validators run wherever a password is set through a form (admin, password change).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes: lock an account after 5 failed logins for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
# Locked: a username *and* address pair (ISSUE 15 block below; ASVS 2.2.1).
# Cut to its column's 255 characters: a longer typed username was a 500 (auth_backends.py).
AXES_USERNAME_CALLABLE = "posc.auth_backends.axes_username"
# The lockout page in the portal's own layout (axes answers it with HTTP 429).
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, error pages included (SECURE_CSP below).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "posc.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, its user read with the session (posc/auth_backends.py, docs/performance.md).
    "posc.auth_backends.PortalAuthenticationMiddleware",
    # Who is asking, for audit rows written by services (HIPAA 45 CFR 164.312(b)).
    "audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: an idle session is ended with a message on the login page.
    "posc.middleware.IdleLogoffMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# STATIC
# ------------------------------------------------------------------------------
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Django's own storages; production serves hashed, compressed copies (WhiteNoise).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

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
# Every portal form renders through our own pack, templates/posc/ (ui.md markup).
CRISPY_ALLOWED_TEMPLATE_PACKS = ("posc",)
CRISPY_TEMPLATE_PACK = "posc"
FORMAT_MODULE_PATH = ["posc.formats"]

# SECURITY
# ------------------------------------------------------------------------------
SESSION_ENGINE = "posc.sessions.db"
# HTTPS only behind the production proxy (production.py turns all of these on); the
# development server and the tests speak plain HTTP.
SECURE_PROXY_SSL_HEADER: tuple[str, str] | None = None
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_HTTPONLY = True
# Lax, not Strict: a link to the portal from an e-mail or the agency intranet must open
# signed in; every request that changes data is a POST with a CSRF token, which Lax cookies
# do not accompany from another site (ASVS 3.4.3).
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Automatic logoff, HIPAA 45 CFR 164.312(a)(2)(iii); ASVS 3.3.2: 15 minutes without a
# request ends the session (posc/middleware.py), and static/js/idle.js warns this long before.
POSC_IDLE_TIMEOUT = 15 * 60  # seconds
POSC_IDLE_WARNING = 2 * 60  # seconds
# ASVS 3.3.2: however active, a session ends 12 hours after sign-in (posc/middleware.py also
# enforces it, since each save of the session pushes the database's expiry date forward).
SESSION_COOKIE_AGE = 12 * 60 * 60
# The session cookie carries no date: closing the browser ends the session (ASVS 3.3.1).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # member pages' addresses never leave the portal
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content Security Policy (Django's own, django.middleware.csp): no inline script, no eval,
# nothing from another origin (ASVS 14.4.3). The admin of Django 6.1 loads only script
# files (its data blocks are data-* attributes), so it needs neither a nonce nor
# 'unsafe-inline'; no template here has a style attribute either.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Browser features the portal never uses are switched off (posc/middleware.py).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

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
# Recoupment clocks (domain.md E3 [I]: configurable): a request received after the close
# of business counts from the next business day; True adds Suffolk County's own holidays
# to the state's (recoupments/business_days.py).
RECOUPMENT_CLOSE_OF_BUSINESS = "17:00"
RECOUPMENT_SUFFOLK_HOLIDAYS = False
# The reviewing unit's name in recoupment e-mails (domain.md E1: the seed and the public
# copy differ).
RECOUPMENT_UNIT_NAME = "Enrollment Operations"

# LOGGING
# ------------------------------------------------------------------------------
# No PHI in log output (issue 6; HIPAA 45 CFR 164.312(b), OWASP ASVS 4.0.3 7.1.1): code
# never logs a member's name, ID, SSN or date of birth, and every handler masks what has a
# shape and the request path of Django's request records (posc/logging.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_phi": {"()": "posc.logging.RedactPHIFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {"()": "django.utils.log.ServerFormatter",
                   "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain",
                    "filters": ["redact_phi"]},
        # runserver's request lines carry the query string (the admin's ?q=<member name>).
        "django.server": {"class": "logging.StreamHandler", "formatter": "server",
                          "filters": ["redact_phi"]},
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        # Replaces Django's default handlers: its console handler has no PHI filter, and its
        # mail_admins handler would e-mail the request's POST data (member names) on a 500.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # SQL and its parameters (member data) are logged at DEBUG, even with DEBUG on: never.
        "django.db.backends": {"level": "INFO"},
        # A variable missing in a template is logged at DEBUG with the whole template context
        # (the member on the page): never.
        "django.template": {"level": "INFO"},
    },
}

# BACKGROUND WORK (Django's tasks API)
# ------------------------------------------------------------------------------
# Development and tests run a task at once, inside the caller; production queues it in
# PostgreSQL (django-tasks-db) for `manage.py db_worker` processes (see README).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# SECOND FACTOR (HIPAA 45 CFR 164.312(d); OWASP ASVS 4.0.3 2.7, 2.8)
# ------------------------------------------------------------------------------
# With MFA_REQUIRED every signed-in user enters a time-based code (RFC 6238, django-otp)
# from an authenticator app, or a recovery code, before any page (posc/mfa). Off by default
# here so that the demo accounts sign in with their password in development; production
# forces it on.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=False)
INSTALLED_APPS += [  # posc.mfa after the plugins: its admin unregisters theirs
    "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static", "posc.mfa"]
# OTPMiddleware right after authentication (it sets request.user.is_verified; ours reads the
# device with one plain statement, posc/mfa/middleware.py); the gate
# after the idle logoff, so that an ended session is logged out before it is asked for a code.
MIDDLEWARE.insert(MIDDLEWARE.index("posc.auth_backends.PortalAuthenticationMiddleware") + 1,
                  "posc.mfa.middleware.PortalOTPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("posc.middleware.IdleLogoffMiddleware") + 1,
                  "posc.mfa.middleware.SecondFactorMiddleware")
OTP_TOTP_ISSUER = "MassHealth POSC"  # the account's name in the authenticator app
# Wrong codes: django-otp's own throttle per device, not axes (posc/mfa/services.py): after
# n wrong codes in a row the device takes none for 2^(n-1) seconds.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# ISSUE 15 (second security round)
# ------------------------------------------------------------------------------
# Signed-in responses are never cached (ASVS 8.2.1); a body larger than the largest form
# (an .xlsx upload of at most posc.xlsx.MAX_UPLOAD_BYTES) is refused with 413 before it is
# read, right after the middleware that adds the security headers.
MIDDLEWARE.append("posc.middleware.NoStoreMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("posc.middleware.PermissionsPolicyMiddleware") + 1,
                  "posc.middleware.RequestSizeLimitMiddleware")
POSC_MAX_REQUEST_BYTES = 6 * 1024 * 1024  # a 5 MB sheet and the form around it
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # an accepted sheet is read in memory
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # the fields other than files (200 typed lines)
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# Sign-in with the demo accounts' published password (posc.members.demo): only where DEBUG
# is on, unless told otherwise; production forces it off.
POSC_DEMO_SIGN_IN = env.bool("POSC_DEMO_SIGN_IN", default=DEBUG)
# Lockout without a weapon (ASVS 2.2.1; docs/security.md): axes locks a username *and*
# address pair; failures for a username from anywhere slow it down for a window that
# doubles from POSC_THROTTLE_FIRST to POSC_THROTTLE_MAX seconds (posc/auth_backends.py).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the time of each failure, for the window
POSC_THROTTLE_FIRST = 5
POSC_THROTTLE_MAX = 60

# ISSUE 18 §1: the plans' API
# ------------------------------------------------------------------------------
# Django REST framework + drf-spectacular (docs/api.md says why): token authentication
# only (no session, so no CSRF), every error as RFC 9457 problem details (posc/api/rest.py).
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "posc.api"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["posc.api.rest.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["posc.api.rest.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "posc.api.rest.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Calls per API token (per process with the local-memory cache; docs/api.md).
POSC_API_RATE = env.str("POSC_API_RATE", default="120/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "MassHealth POSC plans' API",
    "DESCRIPTION": "Member Search, enrollment, disenrollment, transactions, 834 batches and "
                   "999 acknowledgments for SCO and One Care plans. Authenticate with "
                   "`Authorization: Bearer <token>` (make one on your API tokens page). "
                   "Errors are RFC 9457 problem details with a stable `code`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from drf-spectacular-sidecar's static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
