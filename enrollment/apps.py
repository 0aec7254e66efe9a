from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "SCO and One Care enrollment"

    def ready(self) -> None:
        """Tell the kernel this app's role permissions."""
        from enrollment import roles
        from posc import registry

        registry.roles_register(roles.ROLE_PERMISSIONS)
