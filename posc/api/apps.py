from django.apps import AppConfig


class ApiConfig(AppConfig):
    """API tokens and the stored answers of idempotent writes (issue 18 §1)."""

    name = "posc.api"
    label = "api"
    verbose_name = "API"
