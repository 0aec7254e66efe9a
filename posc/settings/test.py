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
DATABASES["default"]["OPTIONS"]["options"] += " -c posc.audit_truncate=allow"  # noqa: F405
# Tests hold a handful of rows, so any join order is a good plan; planning a tracker case
# read (14 relations) in every order cost 30 ms, in the written order 1 ms. Tests roll back
# all the time, and psycopg forgets its prepared statements at every ROLLBACK (to a
# savepoint too), so unlike production they pay that planning on every request.
DATABASES["default"]["OPTIONS"]["options"] += " -c join_collapse_limit=1"  # noqa: F405
# The job-aid walks and the access table sign in as the demo accounts.
POSC_DEMO_SIGN_IN = True
