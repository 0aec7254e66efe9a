"""Enrollment Operations' review of recoupments in the admin (seed 004).

The request itself is read-only here; every move is a button on the change page (or the
"Confirm complete" action) leading to a small form, gated by the move's permission and
calling one service. A move the transition table refuses is reported, never half-done.
"""


from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import DateField, F, QuerySet, Value
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from audit.admin import AuditedAdminMixin
from audit.models import Action as AuditAction
from audit.services import record as audit_record
from posc import registry
from posc.clock import request_now
from posc.exceptions import DomainError
from posc.members.admin import ReadOnlyInline
from recoupments import (
    admin_reference,  # noqa: F401  (registers the reference-data admins)
    services,
)
from recoupments.admin_filters import DueFilter, OverdueFilter, _today
from recoupments.admin_forms import (
    AdminCorrectClaimForm,
    AdminDeniedClaimForm,
    MceUpdateForm,
    ReapproveLineForm,
)
from recoupments.clocks import (
    clock_text,
    next_due_expression,
    next_target_text,
    overdue_labels,
)
from recoupments.models import (
    Recoupment,
    RecoupmentEmail,
    RecoupmentEvent,
    RecoupmentLine,
)
from recoupments.money import format_money
from recoupments.moves import MOVE_PAGES
from recoupments.selectors import research_spans, research_summary


def page_open(page: str, recoupment: Recoupment) -> bool:
    """Return whether a move page has something to act on (beyond the table's status check)."""
    if page in ("reapprove_line", "close_line"):
        return bool(ReapproveLineForm(recoupment=recoupment).fields["line_number"].choices)
    if page == "record_denied_claim":
        return bool(AdminDeniedClaimForm(recoupment=recoupment).fields["line"].choices[1:])
    if page == "correct_denied_claim":
        return bool(AdminCorrectClaimForm(recoupment=recoupment).fields["line"].choices[1:])
    if page == "close_request":
        return not recoupment.lines.filter(closed_at__isnull=True).exists()
    if page == "record_mce_update":
        return bool(MceUpdateForm(recoupment=recoupment).fields["line_number"].choices)
    return True


def adjustments_context(request: HttpRequest, recoupment: Recoupment) -> dict:
    """Return the enrollment adjustments made for *recoupment* and the page that starts one.

    Through the kernel's registry (docs/architecture.md): the enrollment app owns the
    adjustments and names the request ``recoupment:<pk>``.
    """
    reference = f"recoupment:{recoupment.pk}"
    url = ""
    if registry.adjustments_allowed(request.user):
        url = registry.adjustment_start_url(
            reference=reference, member_ids=recoupment.member_ids,
            dates=sorted({line.date_of_service for line in recoupment.lines.all()}))
    return {"adjustments": registry.adjustments_made_for(reference), "adjustment_url": url}


class RequestPartInline(ReadOnlyInline):
    """A part of the request (lines, history, e-mails): seen by whoever may view the request."""

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("recoupments.view_recoupment")


class LineInline(RequestPartInline):
    model = RecoupmentLine
    fields = ["number", "date_of_service", "service", "amount_shown", "mce_status",
              "paid_by", "denied_claim_icn"]
    readonly_fields = fields
    verbose_name = "service line"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "paying_mce", "denied_claim", "recoupment__paying_mce").prefetch_related(
            "updates", "denied_claim__edits")

    @admin.display(description="Amount Recouped")
    def amount_shown(self, line: RecoupmentLine) -> str:
        return format_money(line.amount)

    @admin.display(description="MCE claim status (latest)")
    def mce_status(self, line: RecoupmentLine) -> str:
        update = line.current_update()
        if update is None:
            return "—"
        text = f"{update.get_status_display()} ({update.recorded_at:%m/%d/%Y})"
        return f"{text}: {update.note}" if update.note else text

    @admin.display(description="Paid by (line's own target)")
    def paid_by(self, line: RecoupmentLine) -> str:
        if line.is_closed:
            return f"Closed {line.closed_at:%m/%d/%Y}: {line.closed_reason}"
        recoupment = line.recoupment
        path = line.effective_path(recoupment)
        if not path:
            return "—"
        payer = "MassHealth" if path == "D" else (line.paying_mce or recoupment.paying_mce).name
        if line.path:
            return f"{payer}, re-approved {line.reapproved_at:%m/%d/%Y} (target " \
                   f"{line.due_on:%m/%d/%Y})"
        return payer

    @admin.display(description="Denied claim (ICN, edits)")
    def denied_claim_icn(self, line: RecoupmentLine) -> str:
        claim = getattr(line, "denied_claim", None)
        if claim is None:
            return "—"
        return f"{claim.icn} ({', '.join(e.code for e in claim.edits.all())})"


class EventInline(RequestPartInline):
    model = RecoupmentEvent
    fields = ["at", "actor", "move", "from_status", "to_status", "note", "internal_note"]
    readonly_fields = fields
    verbose_name_plural = "history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class EmailInline(RequestPartInline):
    model = RecoupmentEmail
    fields = ["at", "recipients_shown", "subject", "body_shown"]
    readonly_fields = fields

    @admin.display(description="To")
    def recipients_shown(self, email: RecoupmentEmail) -> str:
        return ", ".join(email.recipients)

    @admin.display(description="Body")
    def body_shown(self, email: RecoupmentEmail) -> str:
        return format_html('<details><summary>Show the e-mail</summary><pre class="email-body">'
                           '{}</pre></details>', email.body)


@admin.register(Recoupment)
class RecoupmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    # One "next target" column (the clock due first) keeps the list within 1280 px; the
    # list is sorted by it, overdue first. Each clock is on the request's page.
    list_display = ["reference", "provider_name", "member_name", "status", "approval_path",
                    "next_target", "overdue"]
    list_filter = ["status", "approval_path", ("mces", admin.RelatedOnlyFieldListFilter),
                   OverdueFilter, DueFilter]
    search_fields = ["=reference", "=provider_id", "member_last_name", "member_first_name"]
    date_hierarchy = "submitted_at"
    inlines = [LineInline, EventInline, EmailInline]
    actions = ["confirm_complete_action"]
    change_form_template = "admin/recoupments/recoupment/change_form.html"
    fieldsets = [
        (None, {"fields": ["reference", "status", "submitted_by", "contact_email",
                           "submitted_at", "received_on"]}),
        ("Recoupment Form", {"fields": ["provider_name", "provider_npi", "provider_id",
                                        "mce_names", "member_first_name", "member_last_name",
                                        "member_ids"]}),
        # The enrollment adjustments made for the request are listed below the fieldsets,
        # from the enrollment app (issue 17 §1: the adjustments themselves, not free text).
        ("Completeness and research", {"fields": ["missing_fields", "enrollments_documented"]}),
        ("Approval and payment", {"fields": ["approval_path", "paying_mce", "mce_instructions",
                                             "approved_on", "capitation_reconciliation_note",
                                             "paid_on"]}),
        ("Business-day targets", {"fields": ["research_clock", "mce_clock", "payment_clock"]}),
    ]
    readonly_fields = [f for _, opts in fieldsets for f in opts["fields"]]

    # -- read-only: services are the only writers
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_confirm_complete_permission(self, request) -> bool:
        return request.user.has_perm("recoupments.confirm_complete")

    def get_queryset(self, request):
        # The columns below read the request's date from each row (they get no request).
        return (super().get_queryset(request).prefetch_related("mces")
                .annotate(next_due=next_due_expression(),
                          clock_today=Value(_today(request), output_field=DateField())))

    def get_ordering(self, request):
        return [F("next_due").asc(nulls_last=True), "-submitted_at"]

    def get_search_results(self, request, queryset, search_term):
        """Also find a request by any one of its Member MassHealth IDs."""
        found, distinct = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term.isdigit() and len(term) == 12:
            found = found | queryset.filter(member_ids__contains=[term])
        return found, distinct

    # -- columns
    @admin.display(description="MCE Name(s)")
    def mce_names(self, obj: Recoupment) -> str:
        return "; ".join(p.name for p in obj.mces.all())

    @admin.display(description="Member", ordering="member_last_name")
    def member_name(self, obj: Recoupment) -> str:
        return obj.member_name

    @admin.display(description="Research (5 days)", ordering="research_due")
    def research_clock(self, obj: Recoupment) -> str:
        return clock_text(obj, "research", obj.clock_today)

    @admin.display(description="MCE updates (10 days)", ordering="mce_update_due")
    def mce_clock(self, obj: Recoupment) -> str:
        return clock_text(obj, "mce", obj.clock_today)

    @admin.display(description="Payment (15 days)", ordering="payment_due")
    def payment_clock(self, obj: Recoupment) -> str:
        return clock_text(obj, "payment", obj.clock_today)

    @admin.display(description="Next target", ordering="next_due")
    def next_target(self, obj: Recoupment) -> str:
        text = next_target_text(obj, obj.clock_today)
        if "OVERDUE" in text:
            return format_html("<mark><strong>{}</strong></mark>", text)
        return text

    @admin.display(description="Overdue")
    def overdue(self, obj: Recoupment) -> str:
        late = overdue_labels(obj, obj.clock_today)
        return "OVERDUE: " + ", ".join(late) if late else "no"

    # -- the bulk action
    @admin.action(description="Confirm complete (selected requests)",
                  permissions=["confirm_complete"])
    def confirm_complete_action(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for recoupment in queryset:
            try:
                services.recoupment_confirm_complete(recoupment=recoupment,
                                                     actor=request.user, now=request_now(request))
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} request(s) confirmed complete: research started.",
                              messages.SUCCESS)

    # -- the move pages
    def get_urls(self):
        return [path("<int:pk>/move/<str:page>/", self.admin_site.admin_view(self.move_view),
                     name="recoupments_recoupment_move")] + super().get_urls()

    def move_buttons(self, request: HttpRequest, obj: Recoupment) -> list[dict]:
        """Return the move pages this user may open from the request's current status."""
        allowed = {t.move for t in obj.allowed_moves()}
        return [{"label": page.title,
                 "url": reverse("admin:recoupments_recoupment_move", args=[obj.pk, page.name])}
                for page in MOVE_PAGES.values()
                if allowed.intersection(page.moves) and request.user.has_perm(page.permission)
                and page_open(page.name, obj)]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if obj is not None:
            extra.update(move_buttons=self.move_buttons(request, obj),
                         research=research_spans(recoupment=obj),
                         **adjustments_context(request, obj))
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def move_view(self, request: HttpRequest, pk: int, page: str) -> HttpResponse:
        if page not in MOVE_PAGES:
            raise PermissionDenied("No such move.")
        move_page = MOVE_PAGES[page]
        form_class, service, moves = move_page.form, move_page.service, move_page.moves
        if not request.user.has_perm(move_page.permission):
            raise PermissionDenied("You may not make this move.")
        recoupment = get_object_or_404(Recoupment, pk=pk)
        change_url = reverse("admin:recoupments_recoupment_change", args=[pk])
        refusals = [recoupment.move_refusal(m) for m in moves]
        if all(refusals):
            # Refused before any form: the same sentence the service would give.
            self.message_user(request, refusals[0], messages.ERROR)
            return HttpResponseRedirect(change_url)
        initial = {}
        if page == "record_research":
            initial["enrollments_documented"] = research_summary(recoupment=recoupment)
        if request.method == "POST":
            form = form_class(request.POST, recoupment=recoupment)
            if form.is_valid():
                try:
                    service(recoupment=recoupment, actor=request.user,
                            now=request_now(request), **form.service_kwargs())
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    self.message_user(request, f"{recoupment.reference}: {move_page.title} done.",
                                      messages.SUCCESS)
                    return HttpResponseRedirect(change_url)
        else:
            form = form_class(initial=initial, recoupment=recoupment)
        audit_record(AuditAction.VIEW, "recoupment", recoupment.reference,
                     member_ids=recoupment.member_ids, detail=f"admin {page} page")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "original": recoupment, "form": form,
            "title": f"{move_page.title}: {recoupment.reference}",
            "button": move_page.title,
            "change_url": change_url, "page": page,
            "research": research_spans(recoupment=recoupment),
            "lines": recoupment.lines.order_by("number"),
            **adjustments_context(request, recoupment),
        }
        return TemplateResponse(request, "admin/recoupments/recoupment/move.html", context)


    def history_view(self, request, object_id, extra_context=None):
        """The request's own history (every move, who, when, both notes) and its e-mails.

        Services are the only writers, so Django's change log would always be empty.
        """
        recoupment = self.get_object(request, object_id)
        if recoupment is None or not self.has_view_permission(request, recoupment):
            raise PermissionDenied("You may not view this request.")
        audit_record(AuditAction.VIEW, "recoupment", recoupment.reference,
                     member_ids=recoupment.member_ids, detail="admin history page")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "original": recoupment, "object": recoupment,
            "title": f"History: {recoupment.reference}",
            "change_url": reverse("admin:recoupments_recoupment_change", args=[recoupment.pk]),
            "events": recoupment.events.select_related("actor"),
            "emails": recoupment.emails.all(),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/recoupments/recoupment/object_history.html",
                                context)
