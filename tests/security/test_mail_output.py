"""E-mail keeps PHI out of logs in development and goes over TLS in production (issue 15, 10).

The development console mailer printed whole e-mails (member names, IDs) to the server's
output; production's SMTP mailer had no TLS setting.
"""

import io
import json

import pytest
from django.core.checks import Tags, run_checks
from django.core.mail import EmailMessage

from posc.mail import RedactedConsoleBackend
from tests.security.helpers import production


def test_the_development_mailer_prints_no_body():
    stream = io.StringIO()
    connection = RedactedConsoleBackend(stream=stream)
    connection.send_messages([EmailMessage(
        subject="Recoupment RC-1 for member 100000000001 received",
        body="Member: ROSE EXAMPLE, MassHealth ID 100000000091, DOB 03/04/1941.",
        to=["ops@posc.example"])])
    printed = stream.getvalue()
    assert "ops@posc.example" in printed and "Recoupment RC-1" in printed
    for phi in ("ROSE", "EXAMPLE", "100000000001", "100000000091", "03/04/1941"):
        assert phi not in printed


SHOW_MAILERS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps(settings.MAILERS))
"""


@pytest.mark.slow
def test_development_settings_use_the_redacting_mailer():
    # The local settings, as bin/run loads them (production() with another module).
    result = production("-c", "import os; os.environ['DJANGO_SETTINGS_MODULE'] = "
                        "'posc.settings.local'; " + SHOW_MAILERS.replace("\n", "; ").strip("; "))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["default"]["BACKEND"] == "posc.mail.RedactedConsoleBackend"


@pytest.mark.slow
def test_production_mail_uses_tls():
    result = production("-c", SHOW_MAILERS)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["default"]["OPTIONS"]["use_tls"] is True


def _errors() -> list[str]:
    return [m.id for m in run_checks(include_deployment_checks=True, tags=[Tags.security])]


@pytest.mark.django_db
def test_check_deploy_refuses_smtp_without_tls(settings):
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    settings.MAILERS = {"default": {"BACKEND": smtp, "OPTIONS": {"host": "mail.example"}}}
    assert "posc.E002" in _errors()
    settings.MAILERS = {"default": {"BACKEND": smtp, "OPTIONS": {"use_tls": True}}}
    assert "posc.E002" not in _errors()
