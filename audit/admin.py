"""The audit log in the admin: read-only for everyone, filtered by member ID and by user.

Also the mixin that records reads of member data in the admin's own pages, and the
"delete selected" action that records a bulk delete (HIPAA 45 CFR 164.312(b)).
"""

import datetime
import zoneinfo

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.core.paginator import Paginator
from django.db import router, transaction
from django.http import HttpRequest

from audit.models import Action, AuditEvent
from audit.services import member_ids_of, record, record_each, record_list


class InputFilter(admin.SimpleListFilter):
    """A list filter typed in a box; the URL carries it as ``?<parameter_name>=value``."""

    template = "admin/audit/input_filter.html"
    field: str

    def lookups(self, request, model_admin):
        return (("", ""),)  # one entry, so that the filter is shown

    def choices(self, changelist):
        # The other filters of the page, kept as hidden fields of the box's form.
        query = changelist.get_filters_params()
        query.pop(self.parameter_name, None)
        yield {"query_parts": [(k, v) for k, values in query.items() for v in values]}

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset
        return self.filter_on(request, queryset, value)

    def filter_on(self, request, queryset, value: str):
        """Filter by the typed *value* (stripped, not empty)."""
        if "\x00" in value:  # PostgreSQL refuses a NUL byte: nothing can match it
            return queryset.none()
        return queryset.filter(**{self.field: value})


class MemberIdFilter(InputFilter):
    title = "member ID"
    parameter_name = "member_id"
    field = "member_id"


class UsernameFilter(InputFilter):
    title = "user"
    parameter_name = "username"
    field = "username"


class ObjectTypeFilter(InputFilter):
    title = "object type"
    parameter_name = "object_type"
    field = "object_type"


class DayFilter(InputFilter):
    """A day typed as MM/DD/YYYY (ui.md), as a bound on ``at`` at Boston midnight.

    The bound is what lets PostgreSQL read only the months asked for (audit/migrations/0002
    partitions the table by Boston month). The admin has no date_hierarchy: its links
    read every partition (SELECT DISTINCT over the rows of the years shown).
    """

    days_after = 0

    def filter_on(self, request, queryset, value: str):
        for form in ("%m/%d/%Y", "%Y-%m-%d"):
            try:
                day = datetime.datetime.strptime(value, form).date()
                day += datetime.timedelta(days=self.days_after)
                break
            except (ValueError, OverflowError):  # not a date, or 12/31/9999 "to"
                continue
        else:
            messages.error(request, f"{self.title.capitalize()}: type a date as MM/DD/YYYY, "
                                    f"not {value[:20]!r}. Nothing is shown until it is one.")
            return queryset.none()
        midnight = datetime.datetime.combine(day, datetime.time(),
                                             zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return queryset.filter(**{self.field: midnight})


class FromDayFilter(DayFilter):
    title = "from (MM/DD/YYYY)"
    parameter_name = "from"
    field = "at__gte"


class ToDayFilter(DayFilter):
    title = "to (MM/DD/YYYY), included"
    parameter_name = "to"
    field = "at__lt"
    days_after = 1


class CappedCountPaginator(Paginator):
    """Count at most ``CAP + 1`` rows: the log holds millions a day, kept six years.

    The changelist counts what it lists; COUNT(*) of the whole table, or of a busy clerk's
    year, would read every row of it (seconds, then minutes) before the first page shows.
    Above the cap the page says "more than 10,000" (the pagination template) and offers
    the first hundred pages; a narrower search (member, user, days) is counted exactly.
    """

    CAP = 10_000

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            # Unordered, and only ``at``, which every index of the table holds: an index-
            # only scan, not the sort of every row found and a read of each one's heap page.
            self._capped_count = self.object_list.order_by().values("at")[:self.CAP + 1].count()
        return self._capped_count


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Nobody adds, changes or deletes an audit row, superusers included (ASVS 4.0.3 7.3.3)."""

    list_display = ["at", "username", "client_address", "action", "object_type", "object_id",
                    "member_id", "path"]
    # Typed filters, not lists of every value: a list would scan the whole table.
    list_filter = [MemberIdFilter, UsernameFilter, FromDayFilter, ToDayFilter, "action",
                   ObjectTypeFilter]
    # No date_hierarchy: its links are made by SELECT DISTINCT over every row of the years
    # or the month shown (all partitions, unfiltered). The typed days bound ``at`` instead.
    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0,
                      allow_empty_first_page=True):
        # The history page pages LogEntry rows through here too: not the audit table.
        cls = CappedCountPaginator if queryset.model is AuditEvent else Paginator
        return cls(queryset, per_page, orphans, allow_empty_first_page)
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    # Reading the log is recorded too (issue 15): one row per list page, with its filters
    # (the member whose trail was read), and one per row opened, with its member.
    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = (getattr(response, "context_data", None) or {}).get("cl")
        if cl is not None and request.method == "GET":
            query = request.GET.urlencode()
            record(Action.SEARCH if query else Action.VIEW, "audit log",
                   detail=f"audit log list page {cl.page_num}" + (f" ?{query}" if query else ""))
        return response

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        event = (getattr(response, "context_data", None) or {}).get("original")
        if event is not None:
            record(Action.VIEW, "audit log", str(event.pk), member_ids=[event.member_id],
                   detail="audit log row")
        return response


class AuditedAdminMixin:
    """Record who looked at member data in the admin: each change page and each list page."""

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        cl = context.get("cl")
        if cl is not None and request.method == "GET":
            # The page's queryset is evaluated here and its cache reused by the template.
            # The filters and the search typed, so that probing by query string leaves a
            # trace (the row's path has no query string).
            query = request.GET.urlencode()
            record_list(Action.SEARCH if cl.query else Action.VIEW,
                        str(self.model._meta.verbose_name), cl.result_list,
                        detail=f"admin list page {cl.page_num}" + (f" ?{query}" if query else ""))
        return response

    def history_view(self, request: HttpRequest, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("object")
        if obj is not None:
            record(Action.VIEW, str(self.model._meta.verbose_name), str(obj.pk),
                   member_ids=member_ids_of(obj), detail="admin history page")
        return response

    def render_change_form(self, request: HttpRequest, context, add=False, change=False,
                           form_url="", obj=None):
        if obj is not None:
            record(Action.VIEW, str(self.model._meta.verbose_name), str(obj.pk),
                   member_ids=member_ids_of(obj), detail="admin change page")
        return super().render_change_form(request, context, add=add, change=change,
                                          form_url=form_url, obj=obj)


@admin.action(permissions=["delete"], description=delete_selected.short_description)
def audited_delete_selected(modeladmin, request: HttpRequest, queryset):
    """Django's "delete selected", recording each row deleted with the deletion."""
    objs = list(queryset) if request.POST.get("post") else []
    with transaction.atomic(using=router.db_for_write(queryset.model)):
        response = delete_selected(modeladmin, request, queryset)
        # One row is logged with LogEntry.save(), which audit.signals records already.
        if response is None and len(objs) > 1:
            record_each(Action.DELETE, str(queryset.model._meta.verbose_name),
                        [(str(obj.pk), member_ids_of(obj)) for obj in objs],
                        detail="admin: deleted selected")
    return response


admin.site.add_action(audited_delete_selected, "delete_selected")


def _audit_task_results() -> None:
    """Record reads of the queued tasks in the admin: their arguments name members."""
    from django_tasks_db.models import DBTaskResult

    if admin.site.is_registered(DBTaskResult):
        registered = type(admin.site.get_model_admin(DBTaskResult))
        admin.site.unregister(DBTaskResult)
        admin.site.register(DBTaskResult, type(f"Audited{registered.__name__}",
                                               (AuditedAdminMixin, registered), {}))


_audit_task_results()
