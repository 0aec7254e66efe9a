"""Settings for a developer's machine (bin/run)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret")
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
MAILERS = {"default": {"BACKEND": env("DJANGO_EMAIL_BACKEND",
                                      default="django.core.mail.backends.console.EmailBackend")}}
# ISSUE 15: the demo accounts sign in only with DEBUG on (base.py reads DEBUG before this file).
POSC_DEMO_SIGN_IN = env.bool("POSC_DEMO_SIGN_IN", default=DEBUG)
# The console mailer prints recipients and subjects only, never a body (issue 15).
if MAILERS["default"]["BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    MAILERS["default"]["BACKEND"] = "posc.mail.RedactedConsoleBackend"
