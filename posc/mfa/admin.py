"""The admin's side of the second factor: an audited reset, and no device pages.

django-otp's own device admins are taken off the site: they show each app's secret key and
recovery codes to administrators, and delete devices without an audit row. Resetting a
user's second factor is one action on the user list instead (superusers, or whoever may
delete TOTP devices), written to the audit log by the service.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from posc.mfa import services

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

User = get_user_model()
# Whatever admin the user model has (Django's UserAdmin, or a subclass made elsewhere).
_UserAdmin = type(admin.site.get_model_admin(User))


class SecondFactorUserAdmin(_UserAdmin):
    """The user admin, with the action that resets a user's second factor."""

    actions = [*(_UserAdmin.actions or ()), "reset_second_factor"]

    @admin.action(description="Reset second factor of selected users",
                  permissions=["reset_second_factor"])
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Delete the selected users' authenticator apps and recovery codes (audited)."""
        names = []
        for user in queryset.order_by("username"):
            services.second_factor_reset(user=user, actor=request.user)
            names.append(user.get_username())
        self.message_user(request, f"Second factor reset for {', '.join(names)}. At the next "
                          "sign-in they set up an authenticator app again.", messages.SUCCESS)

    def has_reset_second_factor_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("otp_totp.delete_totpdevice")


admin.site.unregister(User)
admin.site.register(User, SecondFactorUserAdmin)
