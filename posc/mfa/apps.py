from django.apps import AppConfig


class MfaConfig(AppConfig):
    """The second factor (no models of its own: django-otp's TOTP and static devices)."""

    name = "posc.mfa"
    label = "mfa"
    verbose_name = "Second factor"
