"""Admin for Enrollment Operations: members, plans, rate cells and spans."""

import re

from django.contrib import admin

from audit.admin import AuditedAdminMixin
from posc import registry
from posc.members.models import (
    EnrollmentSpan,
    Member,
    Plan,
    Provider,
    ProviderLink,
    RateCell,
    ServiceArea,
)


class ReadOnlyAdminMixin:
    """Rows written only by services or the feed: viewable, never edited here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A table of history rows under a change form: shown, never added, edited or deleted."""

    extra = 0
    can_delete = False


class SpanInline(admin.TabularInline):
    model = EnrollmentSpan
    fields = ["plan", "start_date", "end_date", "cancelled", "source"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


MEMBER_ID_RE = re.compile(r"[0-9]{12}")


@admin.register(Member)
class MemberAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Members come from the MMIS eligibility feed (import_members); the admin only shows them."""

    list_display = ["member_id", "last_name", "first_name", "date_of_birth", "coverage_type",
                    "county", "rating_category"]
    search_fields = ["=member_id", "last_name", "first_name"]
    list_filter = ["coverage_type", "county", "residence"]

    def get_object(self, request, object_id, from_field=None):
        """Return None (the admin's "does not exist") for an ID no member can have."""
        if from_field is None and not MEMBER_ID_RE.fullmatch(object_id):
            return None  # a NUL byte would otherwise reach PostgreSQL and fail (500)
        return super().get_object(request, object_id, from_field)
    show_full_result_count = False
    inlines = [SpanInline]
    change_form_template = "admin/members/member/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Offer the member's enrollment adjustments (issue 17 §1), through the registry."""
        extra = dict(extra_context or {})
        if MEMBER_ID_RE.fullmatch(object_id) and registry.adjustments_allowed(request.user):
            extra["adjustment_url"] = registry.adjustment_start_url(member_ids=[object_id])
        return super().change_view(request, object_id, form_url, extra_context=extra)


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["provider_id", "name", "program"]
    list_filter = ["program"]
    search_fields = ["provider_id", "name"]
    inlines = [ServiceAreaInline]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["provider_id", "name", "npi"]
    search_fields = ["provider_id", "name", "npi"]


@admin.register(ProviderLink)
class ProviderLinkAdmin(admin.ModelAdmin):
    list_display = ["user", "provider_id"]
    search_fields = ["user__username", "provider_id"]
    autocomplete_fields = ["user"]


@admin.register(RateCell)
class RateCellAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "program", "category", "region", "setting",
                    "effective_from", "effective_to"]
    list_filter = ["program", "region", "setting"]
    search_fields = ["category", "label"]


@admin.register(EnrollmentSpan)
class EnrollmentSpanAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Spans change only through the enrollment services, which also write the 834."""

    list_display = ["member", "plan", "start_date", "end_date", "cancelled", "source"]
    list_filter = ["program", "cancelled", "source", "plan"]
    search_fields = ["=member__member_id", "member__last_name", "member__first_name"]
    list_select_related = ["member", "plan"]
    date_hierarchy = "start_date"
    show_full_result_count = False
