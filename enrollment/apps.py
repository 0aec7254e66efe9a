from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "SCO and One Care enrollment"

    def ready(self) -> None:
        """Tell the kernel this app's role permissions and its enrollment-adjustment hooks."""
        from enrollment import dashboard
        from enrollment.links import HOOKS
        from enrollment.roles import ROLE_PERMISSIONS
        from posc import registry

        registry.dashboard_register(registry.DashboardPanel(
            "enrollment", "Enrollment transactions and 834 batches", "enrollment.view_batch834",
            "posc/dashboard_panel.html", dashboard.panel_context, position=10))
        registry.roles_register(ROLE_PERMISSIONS)
        registry.adjustments_register(HOOKS)
