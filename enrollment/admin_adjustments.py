"""Admin of the enrollment adjustments and their capitation export (issue 17 §1).

Imported by enrollment/admin.py, which Django's admin discovers.
"""

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from audit.admin import AuditedAdminMixin
from audit.models import Action as AuditAction
from audit.services import record as audit_record
from enrollment.adjustment_forms import FORMS, initial_from_dates
from enrollment.adjustment_steps import AdjustmentRefused
from enrollment.adjustments import (
    adjustment_move,
    adjustment_reinstate,
    adjustment_retro_disenroll,
    adjustment_retro_enroll,
)
from enrollment.capitation import (
    CONTENT_TYPES,
    FORMATS,
    capitation_export,
    capitation_filename,
    capitation_lines,
)
from enrollment.models import (
    CapitationAdjustment,
    EnrollmentAdjustment,
    EnrollmentTransaction,
)
from posc.clock import request_now, today_eastern
from posc.exceptions import DomainError
from posc.members.admin import MEMBER_ID_RE, ReadOnlyAdminMixin, ReadOnlyInline
from posc.members.models import EnrollmentSpan, Member, Plan
from posc.mmis.dates import format_date

# ------------------------------------------------------- enrollment adjustments (issue 17 §1)

class AdjustmentLoopInline(ReadOnlyInline):
    model = EnrollmentTransaction
    fk_name = "adjustment"
    fields = ["reference", "kind", "plan", "effective_date", "rate_cell", "batch_number"]
    readonly_fields = fields
    verbose_name = "834 loop"
    verbose_name_plural = "834 loops (each in its plan's next batch)"

    @admin.display(description="834 batch")
    def batch_number(self, obj: EnrollmentTransaction) -> str:
        entry = getattr(obj, "entry", None)
        if entry is None:
            return "—"
        return str(entry.batch.number) if entry.batch_id else "pending (next batch)"


class CapitationLineInline(ReadOnlyInline):
    model = CapitationAdjustment
    fields = ["plan", "month_shown", "rate_cell", "months"]
    readonly_fields = fields
    verbose_name = "capitation adjustment line"

    @admin.display(description="month")
    def month_shown(self, obj: CapitationAdjustment) -> str:
        return f"{obj.month:%m/%Y}"


def _today(request: HttpRequest) -> datetime.date:
    """Return the request's Eastern date (the clock is read once per request)."""
    return today_eastern(request_now(request))


def _dates(values: list[str]) -> list[datetime.date]:
    days = []
    for value in values:
        try:
            days.append(datetime.date.fromisoformat(value))
        except ValueError:
            continue  # a date that does not parse is only a pre-fill: left out
    return days


def _member(member_id: str) -> Member | None:
    return Member.objects.filter(pk=member_id).first() if MEMBER_ID_RE.fullmatch(member_id) \
        else None


@admin.register(EnrollmentAdjustment)
class EnrollmentAdjustmentAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The moves that changed the past; made from the start page, never edited."""

    list_display = ["number", "move", "member", "from_plan", "to_plan", "start_shown",
                    "end_shown", "reference", "requested_by", "created_at"]
    list_filter = ["move", "from_plan", "to_plan"]
    search_fields = ["=number", "=member__member_id", "=reference", "member__last_name"]
    list_select_related = ["member", "from_plan", "to_plan", "requested_by"]
    date_hierarchy = "created_at"
    fields = ["number", "move", "member", "from_plan", "to_plan", "start_shown", "end_shown",
              "reason", "reference", "requested_by", "request_date", "spans_before",
              "spans_after"]
    readonly_fields = fields
    inlines = [AdjustmentLoopInline, CapitationLineInline]
    change_list_template = "admin/enrollment/enrollmentadjustment/change_list.html"

    @admin.display(description="start date", ordering="start_date")
    def start_shown(self, obj: EnrollmentAdjustment) -> str:
        return format_date(obj.start_date) if obj.start_date else "—"

    @admin.display(description="end date", ordering="end_date")
    def end_shown(self, obj: EnrollmentAdjustment) -> str:
        return format_date(obj.end_date) if obj.end_date else "—"

    @staticmethod
    def _spans(rows: list[dict]) -> str:
        return "; ".join(
            f"{r['plan']} {format_date(datetime.date.fromisoformat(r['start']))}–"
            + ("cancelled" if r.get("cancelled") else
               format_date(datetime.date.fromisoformat(r["end"])) if r["end"] else "open")
            for r in rows) or "—"

    @admin.display(description="spans before")
    def spans_before(self, obj: EnrollmentAdjustment) -> str:
        return self._spans(obj.detail.get("before", []))

    @admin.display(description="spans after")
    def spans_after(self, obj: EnrollmentAdjustment) -> str:
        return self._spans(obj.detail.get("after", []))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("start/", view(self.start_view), name="enrollment_enrollmentadjustment_start"),
            path("start/<slug:move>/<str:member_id>/", view(self.make_view),
                 name="enrollment_enrollmentadjustment_make"),
        ] + super().get_urls()

    def _permitted(self, request: HttpRequest) -> None:
        if not request.user.has_perm("enrollment.make_adjustment"):
            raise PermissionDenied("You may not make enrollment adjustments.")

    def start_view(self, request: HttpRequest) -> HttpResponse:
        """The members to adjust, their spans, and a link to each move (issue 17 §1)."""
        self._permitted(request)
        reference = request.GET.get("reference", "")[:200]
        dates = request.GET.getlist("date")
        members = [m for m in (_member(i.strip()) for i in request.GET.getlist("member")) if m]
        rows = []
        for member in members:
            spans = list(EnrollmentSpan.objects.filter(member=member)
                         .select_related("plan").order_by("-start_date"))
            query = urlencode([("reference", reference), *(("date", d) for d in dates)])

            def link(slug, span=None, member=member, query=query):
                url = reverse("admin:enrollment_enrollmentadjustment_make",
                              args=[slug, member.pk])
                return f"{url}?{query}" + (f"&span={span.pk}" if span else "")

            rows.append({"member": member, "enroll_url": link("retro-enroll"), "spans": [
                {"span": s,
                 "disenroll_url": None if s.cancelled else link("retro-disenroll", s),
                 "move_url": None if s.cancelled else link("move", s),
                 "reinstate_url": link("reinstate", s) if s.end_date else None}
                for s in spans]})
        if members:
            audit_record(AuditAction.VIEW, "enrollment adjustment", "",
                         member_ids=[m.pk for m in members], detail="adjustment start page")
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "title": "Make an enrollment adjustment", "rows": rows, "reference": reference,
            "dates": [format_date(d) for d in _dates(dates)],
            "typed": request.GET.getlist("member"),
        }
        return TemplateResponse(request, "admin/enrollment/enrollmentadjustment/start.html",
                                context)

    def make_view(self, request: HttpRequest, move: str, member_id: str) -> HttpResponse:
        """One move's form, pre-filled from the recoupment or the member's page."""
        self._permitted(request)
        if move not in FORMS:
            raise Http404("No such adjustment.")
        member = _member(member_id)
        if member is None:
            raise Http404("No such member.")
        form_class = FORMS[move]
        if request.method == "POST":
            form = form_class(request.POST, member=member)
            if form.is_valid():
                service = SERVICES[form_class.move]
                try:
                    adjustment = service(actor=request.user, today=_today(request),
                                         **form.service_kwargs())
                except AdjustmentRefused as refused:
                    for error in refused.errors:
                        form.add_error(None, error)
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    self.message_user(
                        request, f"{adjustment.number}: {adjustment.get_move_display()} done; "
                        "the 834 loops wait in each plan's next batch.", messages.SUCCESS)
                    return HttpResponseRedirect(reverse(
                        "admin:enrollment_enrollmentadjustment_change", args=[adjustment.pk]))
        else:
            initial = {"reference": request.GET.get("reference", "")[:200],
                       **initial_from_dates(move, _dates(request.GET.getlist("date")))}
            span = request.GET.get("span", "")
            if span.isdigit():
                initial["span"] = int(span)
            form = form_class(initial=initial, member=member)
        audit_record(AuditAction.VIEW, "enrollment adjustment", "", member_ids=[member.pk],
                     detail=f"adjustment {move} page")
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
            "member": member, "title": f"{form_class.move.label}: {member}",
            "button": form_class.move.label,
            "spans": EnrollmentSpan.objects.filter(member=member).select_related("plan")
            .order_by("-start_date"),
            "back_url": reverse("admin:enrollment_enrollmentadjustment_start")
            + "?" + urlencode([("member", member.pk),
                               ("reference", request.GET.get("reference", "")[:200]),
                               *(("date", d) for d in request.GET.getlist("date"))]),
        }
        return TemplateResponse(request, "admin/enrollment/enrollmentadjustment/make.html",
                                context)


@admin.register(CapitationAdjustment)
class CapitationAdjustmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The capitation adjustment lines, and their export per plan and month."""

    list_display = ["plan", "member", "month_shown", "rate_cell", "months", "adjustment"]
    list_filter = ["plan", "month"]
    list_select_related = ["plan", "member", "rate_cell", "adjustment"]
    change_list_template = "admin/enrollment/capitationadjustment/change_list.html"

    @admin.display(description="month", ordering="month")
    def month_shown(self, obj: CapitationAdjustment) -> str:
        return f"{obj.month:%m/%Y}"

    def get_urls(self):
        return [path("export/", self.admin_site.admin_view(self.export_view),
                     name="enrollment_capitationadjustment_export")] + super().get_urls()

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """Choose a plan and a month; download its lines as csv or xlsx (issue 17 §1)."""
        if not request.user.has_perm("enrollment.export_capitation"):
            raise PermissionDenied("You may not export capitation adjustments.")
        form = CapitationExportForm(request.GET or None)
        if form.is_bound and form.is_valid():
            plan, month, fmt = (form.cleaned_data[k] for k in ("plan", "month", "format"))
            body, count = capitation_export(plan=plan, month=month, fmt=fmt)
            ids = list(capitation_lines(plan=plan, month=month)
                       .values_list("member_id", flat=True))
            audit_record(AuditAction.EXPORT, "capitation adjustments",
                         f"{plan.provider_id}-{month:%Y%m}", member_ids=ids,
                         detail=f"{count} lines, {fmt}")
            response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
            name = capitation_filename(plan=plan, month=month, fmt=fmt)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        months = (CapitationAdjustment.objects.values("plan__provider_id", "plan__name", "month")
                  .annotate(lines=Count("pk"), total=Sum("months"))
                  .order_by("-month", "plan__provider_id"))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": "Export capitation adjustments", "form": form,
                   "months": months, "formats": FORMATS}
        return TemplateResponse(request, "admin/enrollment/capitationadjustment/export.html",
                                context)


class CapitationExportForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.order_by("program", "name"),
                                  to_field_name="provider_id", label="Plan",
                                  error_messages={"required": "Choose the plan."})
    month = forms.DateField(label="Month", input_formats=["%Y-%m", "%m/%Y"],
                            help_text="MM/YYYY",
                            error_messages={"invalid": "Enter the month as MM/YYYY.",
                                            "required": "Enter the month."})
    format = forms.ChoiceField(choices=[(f, f) for f in FORMATS], label="Format")


SERVICES = {
    EnrollmentAdjustment.Move.RETRO_DISENROLL: adjustment_retro_disenroll,
    EnrollmentAdjustment.Move.RETRO_ENROLL: adjustment_retro_enroll,
    EnrollmentAdjustment.Move.MOVE: adjustment_move,
    EnrollmentAdjustment.Move.REINSTATE: adjustment_reinstate,
}
