"""Admin for Enrollment Operations: members, linked Member IDs, plans, rate cells and spans."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from audit.admin import AuditedAdminMixin
from audit.models import Action as AuditAction
from audit.services import record as audit_record
from posc import registry
from posc.clock import request_now
from posc.exceptions import DomainError
from posc.members.models import (
    MEMBER_ID_VALIDATOR,
    EnrollmentSpan,
    Member,
    MemberLink,
    MemberLinkEvent,
    Plan,
    Provider,
    ProviderLink,
    RateCell,
    ServiceArea,
)
from posc.members.selectors import member_links, person_of
from posc.members.services import member_link, member_unlink


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

# Who may link and unlink Member IDs (Enrollment Operations: posc/roles.py).
LINK_PERMISSION = "members.add_memberlink"
UNLINK_PERMISSION = "members.change_memberlink"


class MemberLinkForm(forms.Form):
    """Link another Member ID to the member of the page (job aid "Reporting Multiple IDs")."""

    THIS, OTHER = "this", "other"

    other_member_id = forms.CharField(label="Other Member ID", max_length=12,
                                      validators=[MEMBER_ID_VALIDATOR],
                                      help_text="12 digits: another MassHealth ID of this member.")
    primary = forms.ChoiceField(
        label="Primary Member ID", widget=forms.RadioSelect,
        help_text="The ID the member is known by; the other becomes its secondary ID.")
    reason = forms.CharField(label="Reason", max_length=255, widget=forms.Textarea(
        attrs={"rows": 3}), help_text="Why these IDs are the same member (e.g. the report "
                                      "received, the documents compared).")

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["primary"].choices = [
            (self.THIS, f"This member's ID, {member.member_id}"),
            (self.OTHER, "The other Member ID")]
        self.fields["primary"].initial = self.THIS

    def clean_other_member_id(self) -> str:
        return self.cleaned_data["other_member_id"].strip()

    def ids(self) -> tuple[str, str]:
        """Return (primary ID, secondary ID) as chosen."""
        other = self.cleaned_data["other_member_id"]
        if self.cleaned_data["primary"] == self.THIS:
            return self.member.member_id, other
        return other, self.member.member_id


class MemberUnlinkForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=255, widget=forms.Textarea(
        attrs={"rows": 3}), help_text="Why these IDs are not the same member after all.")


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

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<str:object_id>/link/", view(self.link_view), name="members_member_link"),
            path("<str:object_id>/unlink/<int:link_pk>/", view(self.unlink_view),
                 name="members_member_unlink"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        member = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if member is not None:
            primary_id, ids = person_of(member_id=member.pk)
            extra.update(
                links=member_links(member_id=member.pk), primary_id=primary_id,
                linked_ids=[i for i in ids if i != member.pk],
                may_link=request.user.has_perm(LINK_PERMISSION),
                may_unlink=request.user.has_perm(UNLINK_PERMISSION))
        # The member's enrollment adjustments (issue 17 §1), offered through the registry.
        if MEMBER_ID_RE.fullmatch(object_id) and registry.adjustments_allowed(request.user):
            extra["adjustment_url"] = registry.adjustment_start_url(member_ids=[object_id])
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _page_member(self, request: HttpRequest, object_id: str, permission: str) -> Member:
        if not request.user.has_perm(permission):
            raise PermissionDenied("You may not link or unlink Member IDs.")
        member = self.get_object(request, object_id)
        if member is None:
            raise Http404("No such member.")
        return member

    def _page(self, request: HttpRequest, member: Member, form: forms.Form, title: str,
              button: str, link: MemberLink | None = None) -> HttpResponse:
        audit_record(AuditAction.VIEW, "member", member.pk, member_ids=[member.pk],
                     detail=f"admin {button.lower()} page")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "original": member, "form": form, "title": title,
            "button": button, "link": link,
            "change_url": reverse("admin:members_member_change", args=[member.pk]),
        }
        return TemplateResponse(request, "admin/members/member/link.html", context)

    def link_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Link another Member ID to this member: the reason is required (who and when are
        the user and the moment of the request)."""
        member = self._page_member(request, object_id, LINK_PERMISSION)
        form = MemberLinkForm(request.POST or None, member=member)
        if request.method == "POST" and form.is_valid():
            primary_id, secondary_id = form.ids()
            try:
                member_link(primary_id=primary_id, secondary_id=secondary_id,
                            reason=form.cleaned_data["reason"], actor=request.user,
                            now=request_now(request))
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, f"Member ID {secondary_id} is now linked to primary "
                                  f"Member ID {primary_id}.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:members_member_change", args=[member.pk]))
        return self._page(request, member, form, f"Link a Member ID: {member}",
                          "Link Member IDs")

    def unlink_view(self, request: HttpRequest, object_id: str, link_pk: int) -> HttpResponse:
        """Undo a link of this member's ID: the reason is required; the link is kept."""
        member = self._page_member(request, object_id, UNLINK_PERMISSION)
        link = get_object_or_404(MemberLink, pk=link_pk)
        if member.pk not in (link.primary_id, link.secondary_id):
            raise Http404("This link is not about this member.")
        change_url = reverse("admin:members_member_change", args=[member.pk])
        if not link.active:
            self.message_user(request, f"Member IDs {link.secondary_id} and {link.primary_id} "
                              "are not linked any more.", messages.ERROR)
            return HttpResponseRedirect(change_url)
        form = MemberUnlinkForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                member_unlink(link=link, reason=form.cleaned_data["reason"], actor=request.user,
                              now=request_now(request))
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, f"Member ID {link.secondary_id} is no longer linked "
                                  f"to Member ID {link.primary_id}.", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return self._page(request, member, form,
                          f"Unlink Member IDs {link.secondary_id} and {link.primary_id}",
                          "Unlink Member IDs", link=link)


class MemberLinkEventInline(ReadOnlyInline):
    model = MemberLinkEvent
    fields = ["kind", "at", "by", "reason"]
    readonly_fields = fields


@admin.register(MemberLink)
class MemberLinkAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every link of two Member IDs, active or undone: who, when, why (read-only here; links
    are made and undone from the member's page)."""

    list_display = ["secondary", "primary", "linked_at", "linked_by", "reason", "unlinked_at",
                    "unlinked_by", "unlink_reason"]
    list_filter = [("unlinked_at", admin.EmptyFieldListFilter)]
    search_fields = ["=primary__member_id", "=secondary__member_id"]
    list_select_related = ["primary", "secondary", "linked_by", "unlinked_by"]
    show_full_result_count = False
    inlines = [MemberLinkEventInline]


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
