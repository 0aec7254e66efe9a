"""Production settings: Django's deployment checks are clean; cookies and HSTS are hardened.

OWASP ASVS 4.0.3 3.4.1-3.4.3 (Secure, HttpOnly, SameSite cookies), 9.1.1 and 14.4.5 (TLS
only, HSTS); HIPAA 45 CFR 164.312(e)(1) (transmission security).
"""

import json

import pytest

from tests.security.helpers import production

pytestmark = pytest.mark.slow  # each test starts a Python process

# Print the settings under test, as production loads them, as JSON.
SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name) for name in (
    "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "PASSWORD_HASHERS")}))
"""


def test_check_deploy_prints_no_warning():
    result = production("manage.py", "check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", output
    assert "WARNING" not in output and "?:" not in output


def test_production_cookies_are_secure_httponly_samesite_and_hsts_is_on():
    result = production("-c", SHOW_SETTINGS)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"]
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
    assert values["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
