"""App configurations of the project package."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with posc.admin.PortalAdminSite as the default site."""

    # Not the configuration of the ``posc`` app itself (Django picks a single AppConfig
    # subclass of apps.py automatically unless told otherwise).
    default = False
    default_site = "posc.admin.PortalAdminSite"


class PoscConfig(AppConfig):
    """The ``posc`` app itself: registers the portal's own system checks."""

    name = "posc"
    default = True

    def ready(self) -> None:
        from posc import checks  # noqa: F401  (registers the checks)
