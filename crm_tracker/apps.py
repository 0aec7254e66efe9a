from django.apps import AppConfig


class CrmTrackerConfig(AppConfig):
    name = "crm_tracker"
    verbose_name = "MCO Manual Tracker"

    def ready(self) -> None:
        """Tell the kernel this app's roles, left-menu entry and demo data."""
        from crm_tracker import dashboard, demo, roles
        from posc import registry

        registry.roles_register(roles.ROLE_PERMISSIONS)
        # Its entries depend only on the user's permissions, already in the menu's key.
        registry.menu_register(registry.MenuEntry("crm_tracker/_menu.html", position=30))
        registry.demo_register(self.name, demo)
        panel = "posc/dashboard_panel.html"
        for name, title, perm, context, position in (
                ("tracker-qc", "MCO Manual Tracker: QC", "vet_case", dashboard.qc_context, 30),
                ("tracker-outreach", "MCO Manual Tracker: Supervisor outreach", "outreach_case",
                 dashboard.supervisor_context, 40),
                ("tracker-monitor", "MCO Manual Tracker: State Monitor queue", "monitor_case",
                 dashboard.monitor_context, 50)):
            registry.dashboard_register(registry.DashboardPanel(
                name, title, f"crm_tracker.{perm}", panel, context, position=position))
