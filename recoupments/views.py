"""Provider pages: the Recoupments list, the Recoupment Form, one request, denied claims.

Only provider staff linked to a (non-plan) provider enter (403 otherwise); a request of
another provider is a 404. Every successful POST redirects (post/redirect/get).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from audit.services import record_list as audit_record_list
from posc.exceptions import DomainError
from recoupments import emails
from recoupments.forms import (
    DeniedClaimForm,
    RecoupmentForm,
    form_rows,
    line_formset,
    posted_rows,
    to_input,
)
from recoupments.models import ApprovalPath, Recoupment, Status
from posc.clock import request_now, today_eastern
from recoupments.selectors import (
    recoupment_for_user,
    recoupment_list_for_user,
    user_recoupment_providers,
)
from recoupments.services import (
    recoupment_denied_claim_correct,
    recoupment_denied_claim_record,
    recoupment_resubmit,
    recoupment_submit,
)
from recoupments.xlsx import SheetRejected, read_lines, template_workbook


class ProviderMixin(LoginRequiredMixin):
    """Let in provider staff linked to a provider that submits recoupments."""

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.providers = user_recoupment_providers(user=request.user)
        if not self.providers:
            raise PermissionDenied("Recoupments are for provider staff.")
        return super().dispatch(request, *args, **kwargs)

    def own(self, reference: str) -> Recoupment:
        recoupment = recoupment_for_user(user=self.request.user, reference=reference)
        if recoupment is None:
            raise Http404("No such recoupment.")
        # Every page of one request shows its member(s): audited (HIPAA 45 CFR 164.312(b)).
        audit_record(AuditAction.VIEW, "recoupment", recoupment.reference,
                     member_ids=recoupment.member_ids,
                     detail=f"{self.request.method} {self.request.resolver_match.url_name}")
        return recoupment


class RecoupmentListView(ProviderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        recoupments = list(recoupment_list_for_user(user=request.user))
        audit_record_list(AuditAction.VIEW, "recoupment", recoupments)
        return render(request, "recoupments/list.html", {
            "recoupments": recoupments,
            "unit": emails.unit_name(), "unit_email": settings.ENROLLMENT_OPERATIONS_EMAIL})


class RecoupmentFormView(ProviderMixin, View):
    """Submit Recoupment Form, and the same form to correct a returned request."""

    def setup_form(self, reference: str | None):
        self.recoupment = self.own(reference) if reference else None
        if self.recoupment is not None and self.recoupment.status != Status.RETURNED:
            messages.warning(self.request, "Only a request returned to you can be corrected.")
            return redirect("recoupments:detail", reference=reference)
        return None

    def render_form(self, form, formset) -> HttpResponse:
        return render(self.request, "recoupments/form.html", {
            "form": form, "formset": formset, "recoupment": self.recoupment,
            "title": ("Correct Recoupment Form" if self.recoupment else "Submit Recoupment Form"),
        })

    def get(self, request: HttpRequest, reference: str | None = None) -> HttpResponse:
        if (response := self.setup_form(reference)) is not None:
            return response
        today = today_eastern(request_now(request))
        initial, rows = None, None
        if self.recoupment is not None:
            r = self.recoupment
            initial = {"provider_name": r.provider_name, "provider_npi": r.provider_npi,
                       "provider_id": r.provider_id, "mces": list(r.mces.all()),
                       "member_first_name": r.member_first_name,
                       "member_last_name": r.member_last_name,
                       "member_ids": "\n".join(r.member_ids)}
            rows = form_rows(r.lines.all())
        form = RecoupmentForm(initial=initial, providers=self.providers)
        return self.render_form(form, line_formset(today=today, rows=rows))

    def post(self, request: HttpRequest, reference: str | None = None) -> HttpResponse:
        if (response := self.setup_form(reference)) is not None:
            return response
        today = today_eastern(request_now(request))
        form = RecoupmentForm(request.POST, request.FILES, providers=self.providers)
        upload = request.FILES.get("lines_file")
        if "add_line" in request.POST:
            # No JavaScript needed: show the typed rows again with one more, save nothing.
            rows = posted_rows(request.POST)
            return self.render_form(RecoupmentForm(initial=self.posted_initial(),
                                                   providers=self.providers),
                                    line_formset(today=today, rows=rows, count=len(rows) + 1))
        sheet_lines = None
        if upload is not None:
            try:
                sheet_lines = read_lines(upload, today=today, size=upload.size)
            except SheetRejected as rejected:
                form.is_valid()
                for problem in rejected.problems:
                    form.add_error("lines_file", problem)
                # The typed lines are shown again unchecked: the user chose the sheet.
                return self.render_form(form, line_formset(today=today,
                                                           rows=posted_rows(request.POST)))
        if "upload" in request.POST:
            if sheet_lines is None:
                form.is_valid()
                form.add_error("lines_file", "Choose the .xlsx file to upload.")
                # The typed lines are shown again unchecked: the user chose the sheet.
                return self.render_form(form, line_formset(today=today,
                                                           rows=posted_rows(request.POST)))
            messages.info(request, f"{len(sheet_lines)} service line(s) read from the sheet. "
                                   f"Check them, then choose Submit.")
            return self.render_form(
                RecoupmentForm(initial=self.posted_initial(), providers=self.providers),
                line_formset(today=today, rows=form_rows(sheet_lines)))
        formset = line_formset(today=today, data=request.POST)
        if sheet_lines is not None:
            lines_ok = True
            if any(f.has_changed() for f in formset.forms):
                form.is_valid()
                form.add_error("lines_file", "Either type the service lines or upload a sheet, "
                                             "not both: clear the typed lines or the file.")
                lines_ok = False
        else:
            lines_ok = formset.is_valid()
        if not (form.is_valid() and lines_ok):
            return self.render_form(form, formset)
        lines = sheet_lines if sheet_lines is not None else formset.lines()
        try:
            if self.recoupment is None:
                recoupment = recoupment_submit(
                    user=request.user, data=to_input(form, lines),
                    submission_token=form.cleaned_data["submission_token"],
                    now=request_now(request))
            else:
                recoupment = recoupment_resubmit(recoupment_id=self.recoupment.pk,
                                                 user=request.user, data=to_input(form, lines),
                                                 now=request_now(request))
        except DomainError as error:
            form.add_error(None, error.message)
            return self.render_form(form, formset)
        messages.success(request, f"Recoupment Form received: reference {recoupment.reference}.")
        return redirect("recoupments:detail", reference=recoupment.reference)

    def posted_initial(self) -> dict:
        """Return the posted main fields as initial values (re-shown without errors)."""
        data = self.request.POST
        initial = {name: data.get(name, "") for name in
                   ("provider_name", "provider_npi", "provider_id", "member_first_name",
                    "member_last_name", "member_ids", "submission_token")}
        initial["mces"] = data.getlist("mces")
        return initial


class RecoupmentDetailView(ProviderMixin, View):
    def get(self, request: HttpRequest, reference: str) -> HttpResponse:
        recoupment = self.own(reference)
        return render(request, "recoupments/detail.html", {
            "r": recoupment, "lines": recoupment.lines.all(), "events": recoupment.events.all(),
            "can_record_claims": recoupment.status == Status.MASSHEALTH_BILLING,
            "unit": emails.unit_name(), "unit_email": settings.ENROLLMENT_OPERATIONS_EMAIL})


class DeniedClaimView(ProviderMixin, View):
    """Path (d): the provider records each denied claim's ICN, or corrects one (seed 004).

    A line already recorded is offered too: choosing it corrects its ICN or edits, until
    Enrollment Operations send the ICNs to ClaimsSupport.
    """

    def open_lines(self, recoupment: Recoupment) -> list:
        return [line for line in recoupment.lines.all()
                if not line.is_closed
                and line.effective_path(recoupment) == ApprovalPath.MASSHEALTH]

    def get(self, request: HttpRequest, reference: str) -> HttpResponse:
        recoupment = self.own(reference)
        if recoupment.status != Status.MASSHEALTH_BILLING:
            messages.warning(request, "Denied claims are recorded only after approval (d), "
                                      "while you bill MassHealth.")
            return redirect("recoupments:detail", reference=reference)
        form = DeniedClaimForm(lines=self.open_lines(recoupment),
                               initial={"edits": ["2017"]})
        return render(request, "recoupments/denied_claim.html", {"r": recoupment, "form": form})

    def post(self, request: HttpRequest, reference: str) -> HttpResponse:
        recoupment = self.own(reference)
        form = DeniedClaimForm(request.POST, lines=self.open_lines(recoupment))
        if form.is_valid():
            number = form.cleaned_data["line"]
            recorded = any(line.number == number and hasattr(line, "denied_claim")
                           for line in recoupment.lines.all())
            service = recoupment_denied_claim_correct if recorded else (
                recoupment_denied_claim_record)
            try:
                service(recoupment_id=recoupment.pk, user=request.user, line_number=number,
                        icn=form.cleaned_data["icn"],
                        edit_codes=[e.code for e in form.cleaned_data["edits"]],
                        now=request_now(request))
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                done = "corrected" if recorded else "recorded"
                messages.success(request, f"Denied claim {form.cleaned_data['icn']} {done} "
                                          f"for line {number}.")
                return redirect("recoupments:detail", reference=reference)
        return render(request, "recoupments/denied_claim.html", {"r": recoupment, "form": form})


class LinesTemplateView(ProviderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(
            template_workbook(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="recoupment-lines.xlsx"'
        return response

