"""With these settings, tests run faster."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-a-secret")
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
X12_OUTBOX = Path(tempfile.mkdtemp(prefix="posc-834-"))
TEMPLATES[0]["OPTIONS"]["debug"] = True  # noqa: F405
# The audit table refuses TRUNCATE (audit/migrations/0001) except in a session that sets
# this: Django's flush between transactional tests truncates every table.
DATABASES["default"]["OPTIONS"]["options"] = "-c posc.audit_truncate=allow"  # noqa: F405
