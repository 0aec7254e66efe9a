"""The portal's admin site: Django's, with the portal's login and 403 for non-staff users.

Django's admin sends every user it does not let in to its own login page, even one who is
already signed in (provider staff, CSRs): that page then asks a signed-in user to sign in
again and hides the refusal. Here a signed-in user who is not staff gets 403, like every
other page of the portal a role may not use, and an anonymous user goes to the portal's
login page (LOGIN_URL) with ``?next=``: one login page, one lockout path (django-axes),
one idle-logoff policy. The admin's own login URL stays, as a redirect to that page.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache


class PortalAdminSite(admin.AdminSite):
    """The default admin site (posc.apps.PortalAdminConfig makes it ``admin.site``)."""

    def admin_view(self, view, cacheable=False):
        """Refuse a signed-in non-staff user with 403; send an anonymous one to LOGIN_URL."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def gate(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not self.has_permission(request):
                # OWASP ASVS 4.0.3 4.1.1 / HIPAA 45 CFR 164.312(a)(1): access control is
                # enforced on the server; a user without the admin's role is refused (403).
                if request.user.is_authenticated:
                    raise PermissionDenied("The admin is for Enrollment Operations.")
                return redirect_to_login(request.get_full_path())
            return inner(request, *args, **kwargs)

        return gate if cacheable else never_cache(gate)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Send the user to the portal's login page (one login page, one lockout path)."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index",
                                                                    current_app=self.name)
        return redirect_to_login(next_url)
