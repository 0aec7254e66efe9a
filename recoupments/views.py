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
from posc.clock import request_now, today_eastern
from posc.exceptions import DomainError
from posc.xlsx import XLSX_CONTENT_TYPE
from recoupments import emails
from recoupments.claim_services import (
    recoupment_denied_claim_correct,
    recoupment_denied_claim_record,
)
from recoupments.forms import (
    DeniedClaimForm,
    RecoupmentForm,
    RecoupmentSubmission,
    form_rows,
    line_formset,
    posted_rows,
)
from recoupments.models import ApprovalPath, Recoupment, Status
from recoupments.selectors import (
    recoupment_for_user,
    recoupment_list_for_user,
    user_recoupment_providers,
)
from recoupments.services import recoupment_resubmit, recoupment_submit
from recoupments.xlsx import template_workbook


class ProviderMixin(LoginRequiredMixin):
    """Let in provider staff linked to a provider that submits recoupments.

    The checks run once, in dispatch, before any handler; a page's own precondition goes in
    ``refusal`` (as enrollment's panels), never in both ``get`` and ``post``.
    """

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.providers = user_recoupment_providers(user=request.user)
        if not self.providers:
            raise PermissionDenied("Recoupments are for provider staff.")
        if (refused := self.refusal()) is not None:
            return refused
        return super().dispatch(request, *args, **kwargs)

    def refusal(self) -> HttpResponse | None:
        """Return where to send a request this page cannot serve, or None to serve it."""
        return None

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

    def refusal(self) -> HttpResponse | None:
        """Offer the form to correct a request only while it is returned to the provider."""
        reference = self.kwargs.get("reference")
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
        today = today_eastern(request_now(request))
        submission = RecoupmentSubmission(request.POST, request.FILES, providers=self.providers,
                                          today=today)
        if "add_line" in request.POST:
            # No JavaScript needed: show the typed rows again with one more, save nothing.
            rows = posted_rows(request.POST)
            return self.render_form(submission.refilled_form(),
                                    line_formset(today=today, rows=rows, count=len(rows) + 1))
        if "upload" in request.POST:
            return self.show_sheet(submission)
        if not submission.is_valid():
            return self.render_form(submission.form, submission.formset)
        try:
            recoupment = self.save(submission)
        except DomainError as error:
            submission.form.add_error(None, error.message)
            return self.render_form(submission.form, submission.formset)
        messages.success(request, f"Recoupment Form received: reference {recoupment.reference}.")
        return redirect("recoupments:detail", reference=recoupment.reference)

    def show_sheet(self, submission: RecoupmentSubmission) -> HttpResponse:
        """Show the uploaded sheet's lines in the form, to check before submitting."""
        lines = submission.read_sheet()
        if lines is None:
            return self.render_form(submission.form, submission.formset)
        messages.info(self.request, f"{len(lines)} service line(s) read from the sheet. "
                                    f"Check them, then choose Submit.")
        return self.render_form(submission.refilled_form(),
                                line_formset(today=submission.today, rows=form_rows(lines)))

    def save(self, submission: RecoupmentSubmission) -> Recoupment:
        """Submit a new request, or resubmit the returned one."""
        now, data = request_now(self.request), submission.recoupment_input()
        if self.recoupment is None:
            return recoupment_submit(
                actor=self.request.user, data=data, now=now,
                submission_token=submission.form.cleaned_data["submission_token"])
        return recoupment_resubmit(recoupment=self.recoupment, actor=self.request.user,
                                   data=data, now=now)


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

    def refusal(self) -> HttpResponse | None:
        self.recoupment = self.own(self.kwargs["reference"])
        return None

    def open_lines(self, recoupment: Recoupment) -> list:
        return [line for line in recoupment.lines.all()
                if not line.is_closed
                and line.effective_path(recoupment) == ApprovalPath.MASSHEALTH]

    def get(self, request: HttpRequest, reference: str) -> HttpResponse:
        recoupment = self.recoupment
        if recoupment.status != Status.MASSHEALTH_BILLING:
            messages.warning(request, "Denied claims are recorded only after approval (d), "
                                      "while you bill MassHealth.")
            return redirect("recoupments:detail", reference=reference)
        form = DeniedClaimForm(lines=self.open_lines(recoupment),
                               initial={"edits": ["2017"]})
        return render(request, "recoupments/denied_claim.html", {"r": recoupment, "form": form})

    def post(self, request: HttpRequest, reference: str) -> HttpResponse:
        recoupment = self.recoupment
        form = DeniedClaimForm(request.POST, lines=self.open_lines(recoupment))
        if form.is_valid():
            number = form.cleaned_data["line"]
            recorded = any(line.number == number and hasattr(line, "denied_claim")
                           for line in recoupment.lines.all())
            service = recoupment_denied_claim_correct if recorded else (
                recoupment_denied_claim_record)
            try:
                service(recoupment=recoupment, actor=request.user, line_number=number,
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
            content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="recoupment-lines.xlsx"'
        return response

