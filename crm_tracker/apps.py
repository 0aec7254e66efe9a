from django.apps import AppConfig


class CrmTrackerConfig(AppConfig):
    name = "crm_tracker"
    verbose_name = "MCO Manual Tracker"

    def ready(self) -> None:
        """Tell the kernel this app's roles, left-menu entry and demo data."""
        from crm_tracker import demo, roles
        from posc import registry

        registry.roles_register(roles.ROLE_PERMISSIONS)
        # Its entries depend only on the user's permissions, already in the menu's key.
        registry.menu_register(registry.MenuEntry("crm_tracker/_menu.html", position=30))
        registry.demo_register(self.name, demo)
