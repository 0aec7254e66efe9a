"""Production settings for benchmarking the portal on 127.0.0.1 over plain HTTP.

posc.settings.production with what a local benchmark lacks: a throwaway secret key, no
HTTPS redirect and no static manifest (nothing is collected). Everything on the request
path (middleware, sessions, templates, database options) is production's.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

from posc.settings.production import *  # noqa: E402, F403

SESSION_COOKIE_SECURE = False  # plain HTTP on 127.0.0.1
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
