"""The reference site of bench_throughput.py: one view, Django's default middleware.

Same database settings as the portal (persistent connections, prepared statements), and
the MIDDLEWARE that `django-admin startproject` writes; not part of the portal's URLconf.
"""

from site_settings import *  # noqa: F403

ROOT_URLCONF = "minimal_urls"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
