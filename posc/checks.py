"""The portal's own deployment checks (``manage.py check --deploy``)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from posc.members.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


def demo_users():
    """Return the active users that still sign in with the published demo password."""
    names = [account.username for account in DEMO_ACCOUNTS]
    users = get_user_model().objects.filter(username__in=names, is_active=True)
    # hashers.check_password, not user.check_password: no re-hash is saved by a check.
    return [user for user in users if check_password(DEMO_PASSWORD, user.password)]


@register(Tags.security, deploy=True)
def demo_accounts_check(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    """Warn while demo accounts with the published password exist (issue 15, 6)."""
    try:
        found = demo_users()
    except DatabaseError:  # no database yet, or not migrated: nothing to find
        return []
    if not found:
        return []
    return [Warning(
        f"{len(found)} demo account(s) with the published password exist: "
        f"{', '.join(sorted(u.username for u in found))}.",
        hint="Sign-in refuses them while POSC_DEMO_SIGN_IN is off (production); deactivate "
             "or delete them (manage.py shell, or the admin's Users page).",
        obj=settings.SITE_NAME, id="posc.W001")]


SMTP = "django.core.mail.backends.smtp.EmailBackend"


@register(Tags.security, deploy=True)
def mail_tls_check(app_configs=None, **kwargs) -> list[Error]:
    """Refuse an SMTP mailer without TLS: e-mails name members (HIPAA 164.312(e)(1))."""
    return [Error(f"The mailer {name!r} sends over SMTP without TLS.",
                  hint="Set DJANGO_EMAIL_USE_TLS=true (STARTTLS) or use_ssl in its OPTIONS.",
                  obj=settings.SITE_NAME, id="posc.E002")
            for name, mailer in settings.MAILERS.items()
            if mailer.get("BACKEND") == SMTP
            and not (mailer.get("OPTIONS", {}).get("use_tls")
                     or mailer.get("OPTIONS", {}).get("use_ssl"))]
