from django.apps import AppConfig


class RecoupmentsConfig(AppConfig):
    name = "recoupments"
    verbose_name = "MCE recoupments"

    def ready(self) -> None:
        """Tell the kernel this app's roles, left-menu entry and demo data."""
        from posc import registry
        from recoupments import dashboard, demo, roles
        from recoupments.templatetags.recoupments_tags import recoupments_menu_shown

        registry.dashboard_register(registry.DashboardPanel(
            "recoupments", "Recoupments", "recoupments.view_recoupment",
            "posc/dashboard_panel.html", dashboard.panel_context, position=20))
        registry.roles_register(roles.ROLE_PERMISSIONS)
        registry.menu_register(registry.MenuEntry(
            "recoupments/_menu.html", position=20, state=recoupments_menu_shown))
        registry.demo_register(self.name, demo)
