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
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache


class DeclaredFiltersOnly:
    """A change list that filters only by its admin's list_filter and date_hierarchy.

    Django lets any lookup on a model's own fields through the query string
    (``?ssn__startswith=9``): a yes/no oracle on a field the page never shows. Here every
    parameter that no declared filter takes is refused with 400 (SuspiciousOperation),
    for every user (OWASP ASVS 4.0.3 4.2.1, 5.1.3; issue 15).
    """

    def get_filters(self, request: HttpRequest):
        filters = super().get_filters(request)
        # The lookups no list filter or date hierarchy consumed: allowed only on a field the
        # page offers as a filter already (``?status=RESEARCH`` for ``status__exact``).
        declared = [path for path in (self._field_filter_path(f) for f in self.list_filter)
                    if path] + ([self.date_hierarchy] if self.date_hierarchy else [])
        refused = [key for key in filters[2]
                   if not any(key == path or key.startswith(f"{path}__") for path in declared)]
        if refused:
            # The probe leaves a trace in the audit log, with the query string it tried.
            from audit.models import Action
            from audit.services import record

            record(Action.SEARCH, str(self.model._meta.verbose_name),
                   detail=f"admin filter refused ?{request.GET.urlencode()}")
            raise DisallowedModelAdminLookup(f"Filtering by {', '.join(sorted(refused))} "
                                             "not allowed")
        return filters

    @staticmethod
    def _field_filter_path(list_filter) -> str | None:
        """Return the field path a list_filter entry filters on (None for a custom filter)."""
        if isinstance(list_filter, (list, tuple)):
            list_filter = list_filter[0]
        return list_filter if isinstance(list_filter, str) else None


class DeclaredFiltersOnlyAdmin:
    """The ModelAdmin side of DeclaredFiltersOnly (the site mixes it into every admin)."""

    def get_changelist(self, request: HttpRequest, **kwargs):
        base = super().get_changelist(request, **kwargs)
        if issubclass(base, DeclaredFiltersOnly):
            return base
        return type(f"DeclaredFiltersOnly{base.__name__}", (DeclaredFiltersOnly, base), {})


class PortalAdminSite(admin.AdminSite):
    """The default admin site (posc.apps.PortalAdminConfig makes it ``admin.site``)."""

    def register(self, model_or_iterable, admin_class=None, **options):
        """Register with DeclaredFiltersOnlyAdmin mixed in: every admin, third-party too."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, DeclaredFiltersOnlyAdmin):
            admin_class = type(admin_class.__name__, (DeclaredFiltersOnlyAdmin, admin_class),
                               {"__module__": admin_class.__module__,
                                "__qualname__": admin_class.__qualname__})
        super().register(model_or_iterable, admin_class, **options)

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
