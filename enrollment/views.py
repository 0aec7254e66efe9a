"""The SCO and One Care panels (job aids 000–002) and the 834 Files page.

One view per panel; each checks that the earlier panels were passed and sends the user
back to Member Search otherwise. Every POST ends in a redirect (post/redirect/get).
"""

import datetime
import uuid
from abc import ABC, abstractmethod

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from enrollment.forms import CertificationForm, DisenrollmentForm, MemberSearchForm, TokenForm
from enrollment.models import EnrollmentTransaction
from enrollment.panel import PanelSession
from enrollment.selectors import (
    batch_list_for_user,
    batch_member_ids,
    panel_search,
    transaction_for_user,
)
from enrollment.services import (
    batch_stream,
    disenrollment_submit,
    enrollment_submit,
)
from posc.clock import today_eastern
from posc.exceptions import DomainError
from posc.members.models import Member, Program
from posc.members.selectors import user_plan_list, user_programs
from posc.mmis.types import Action

PROGRAM_SLUGS = {"sco": Program.SCO, "one-care": Program.ONE_CARE}
PROGRAM_TITLES = {Program.SCO: "Enroll/Disenroll SCO Members",
                  Program.ONE_CARE: "Enroll/Disenroll One Care Members"}


class ProgramPanelMixin(LoginRequiredMixin):
    """Resolve the program from the URL; only provider staff of that program may enter (ui.md)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.slug = kwargs["program"]
        self.program = PROGRAM_SLUGS.get(self.slug)
        if self.program is None:
            raise Http404("No such program.")
        if self.program not in user_programs(user=request.user):
            raise PermissionDenied("You are not linked to a plan of this program.")
        self.panel = PanelSession(request.session, self.program)
        return super().dispatch(request, *args, **kwargs)

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"enrollment:{name}", kwargs={"program": self.slug, **kwargs})

    def restart(self) -> HttpResponse:
        messages.warning(self.request, "Start with the Member Search panel.")
        return redirect(self.url("search"))

    def render_panel(self, template: str, **context) -> HttpResponse:
        context.update(program=self.program, program_title=PROGRAM_TITLES[self.program],
                       slug=self.slug, search_url=self.url("search"))
        return render(self.request, f"enrollment/{template}", context)

    def audit_panel_view(self, panel: str) -> None:
        """Record that the panel's member was shown (HIPAA 45 CFR 164.312(b))."""
        member_id = self.panel.get("member_id")
        audit_record(AuditAction.VIEW, "member", member_id, member_ids=[member_id],
                     detail=f"{panel} panel")

    def panel_member(self) -> Member | None:
        member_id = self.panel.get("member_id")
        return Member.objects.filter(pk=member_id).first() if member_id else None

    def stored_answer(self, token: str) -> EnrollmentTransaction | None:
        """Return the transaction a re-posted form already produced, if any."""
        try:
            token_uuid = uuid.UUID(str(token))
        except ValueError:
            return None
        return EnrollmentTransaction.objects.filter(
            token=token_uuid, requested_by=self.request.user).first()


class MemberSearchView(ProgramPanelMixin, View):
    """Member Search panel (steps 4–8)."""

    def provider_ids(self) -> list[str]:
        return [p.provider_id for p in user_plan_list(user=self.request.user)
                if p.program == self.program]

    def get(self, request: HttpRequest, program: str) -> HttpResponse:
        form = MemberSearchForm(provider_ids=self.provider_ids())
        return self.render_panel("search.html", form=form)

    def post(self, request: HttpRequest, program: str) -> HttpResponse:
        form = MemberSearchForm(request.POST, provider_ids=self.provider_ids())
        if not form.is_valid():
            return self.render_panel("search.html", form=form)
        typed = form.cleaned_data
        action, member, response = panel_search(program=self.program, user=request.user,
                                                today=today_eastern(), **typed)
        # HIPAA 45 CFR 164.312(b): every search is audited, with what MMIS answered.
        audit_record(AuditAction.SEARCH, "member", typed["member_id"],
                     member_ids=[typed["member_id"]],
                     detail=(f"{self.slug} {action}" if action is not None else
                             f"{self.slug} refused: "
                             + " ".join(str(e.code) for e in response.errors)))
        if action is None:
            return self.render_panel("search.html", form=form, mmis_errors=response.errors)
        if action == Action.DISENROLL:
            self.panel.start(action=str(action), **typed,
                             span_start=response.span.start_date.isoformat(),
                             effective_date=response.effective_date.isoformat(),
                             cancellation=response.cancellation)
            return redirect(self.url("disenrollment"))
        self.panel.start(action=str(action), **typed,
                         member_name=member.full_name,
                         date_of_birth=member.date_of_birth.isoformat(),
                         rate_cell_code=response.rate_cell.code,
                         rate_cell_label=response.rate_cell.label,
                         effective_date=response.effective_date.isoformat(), confirmed=False)
        return redirect(self.url("verification"))


class VerificationView(ProgramPanelMixin, View):
    """Verification panel (steps 9–10): the rate cell and the effective date."""

    def get(self, request: HttpRequest, program: str) -> HttpResponse:
        if self.panel.get("action") != Action.ENROLL:
            return self.restart()
        self.audit_panel_view("verification")
        return self.render_panel("verification.html", panel=self.panel.data,
                                 date_of_birth=_date(self.panel.get("date_of_birth")),
                                 effective_date=_date(self.panel.get("effective_date")))

    def post(self, request: HttpRequest, program: str) -> HttpResponse:
        if self.panel.get("action") != Action.ENROLL:
            return self.restart()
        self.panel.update(confirmed=True)
        return redirect(self.url("certification"))


class SubmitPanelView(ProgramPanelMixin, View, ABC):
    """A panel whose Submit sends the request to MMIS (Certification, Disenrollment).

    A re-post of a token that was already answered with an acceptance goes to that
    confirmation; a rejection is shown on the same panel with a fresh token, so that
    submitting again is a new request (mmis-rules.md, ui.md).
    """

    form_class: type[TokenForm]
    template: str

    @abstractmethod
    def ready(self) -> bool:
        """Return True when the earlier panels were passed."""

    @abstractmethod
    def submit(self, form: TokenForm, panel: dict) -> EnrollmentTransaction:
        """Send the request to MMIS; return the stored transaction."""

    def context(self, form: TokenForm, **extra) -> dict:
        return dict(form=form, member=self.panel_member(), panel=self.panel.data, **extra)

    def get(self, request: HttpRequest, program: str) -> HttpResponse:
        if not self.ready():
            return self.restart()
        form = self.form_class(initial={"token": self.panel.get("token")})
        self.audit_panel_view(self.template)
        return self.render_panel(self.template, **self.context(form))

    def post(self, request: HttpRequest, program: str) -> HttpResponse:
        stored = self.stored_answer(request.POST.get("token", ""))
        if stored is not None and stored.accepted:
            return redirect(self.url("confirmation", reference=stored.reference))
        if not self.ready():
            return self.restart()
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self.render_panel(self.template, **self.context(form))
        try:
            txn = self.submit(form, self.panel.data)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.render_panel(self.template, **self.context(form))
        if not txn.accepted:
            retry = self.form_class(initial={**form.cleaned_data, "token": self.panel.new_token()})
            return self.render_panel(self.template, **self.context(retry, rejected=txn))
        self.panel.clear()
        return redirect(self.url("confirmation", reference=txn.reference))


class CertificationView(SubmitPanelView):
    """Certification panel (steps 11–12): certify, then Submit the enrollment to MMIS."""

    form_class = CertificationForm
    template = "certification.html"

    def ready(self) -> bool:
        return self.panel.get("action") == Action.ENROLL and bool(self.panel.get("confirmed"))

    def submit(self, form: CertificationForm, panel: dict) -> EnrollmentTransaction:
        return enrollment_submit(
            token=form.cleaned_data["token"], program=self.program,
            provider_id=panel["provider_id"], member_id=panel["member_id"],
            last_name=panel["last_name"], first_name=panel["first_name"], user=self.request.user)


class DisenrollmentView(SubmitPanelView):
    """Disenrollment panel (steps 9–10): the reason, then Submit to MMIS."""

    form_class = DisenrollmentForm
    template = "disenrollment.html"

    def ready(self) -> bool:
        return self.panel.get("action") == Action.DISENROLL

    def context(self, form: DisenrollmentForm, **extra) -> dict:
        plan = next((p for p in user_plan_list(user=self.request.user)
                     if p.provider_id == self.panel.get("provider_id")), None)
        return super().context(form, plan=plan, span_start=_date(self.panel.get("span_start")),
                               **extra)

    def submit(self, form: DisenrollmentForm, panel: dict) -> EnrollmentTransaction:
        return disenrollment_submit(
            token=form.cleaned_data["token"], program=self.program,
            provider_id=panel["provider_id"], member_id=panel["member_id"],
            last_name=panel["last_name"], first_name=panel["first_name"],
            reason=form.cleaned_data["reason"], user=self.request.user)


class ConfirmationView(ProgramPanelMixin, View):
    """Confirmation or Disenrollment Confirmation panel (steps 11–14), reached by redirect."""

    def get(self, request: HttpRequest, program: str, reference: str) -> HttpResponse:
        txn = transaction_for_user(user=request.user, reference=reference)
        if txn is None or not txn.accepted or txn.plan.program != self.program:
            raise Http404("No such transaction.")
        audit_record(AuditAction.VIEW, "enrollment transaction", txn.reference,
                     member_ids=[txn.member_id], detail="confirmation panel")
        template = ("confirmation.html" if txn.kind == EnrollmentTransaction.Kind.ENROLL
                    else "disenrollment_confirmation.html")
        return self.render_panel(template, txn=txn)


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


class PlanStaffMixin(LoginRequiredMixin):
    """Let in provider staff of an SCO or One Care plan, whatever the method (403 otherwise)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not user_programs(user=request.user):
            raise PermissionDenied("Only health plan staff receive 834 files.")
        return super().dispatch(request, *args, **kwargs)


class FilesView(PlanStaffMixin, View):
    """834 Files: the batches of the user's own plans, newest first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        batches = batch_list_for_user(user=request.user)
        return render(request, "enrollment/files.html", {"batches": batches})


class FileDownloadView(PlanStaffMixin, View):
    """Download one 834 batch of the user's own plans; another plan's is not found."""

    def get(self, request: HttpRequest, pk: int) -> StreamingHttpResponse:
        batch = get_object_or_404(batch_list_for_user(user=request.user), pk=pk)
        # One row per member whose loop the file carries, so that the audit log's member ID
        # filter shows the data leaving in this file (ASVS 4.0.3 7.1.3; issue 15).
        audit_record(AuditAction.DOWNLOAD, "834 batch", batch.label,
                     member_ids=batch_member_ids(batch=batch),
                     detail=f"{batch.loop_count} member loops, {batch.filename}")
        response = StreamingHttpResponse(batch_stream(batch=batch),
                                         content_type="application/edi-x12")
        response["Content-Disposition"] = f'attachment; filename="{batch.filename}"'
        return response


@login_required
def landing(request: HttpRequest, section: str) -> HttpResponse:
    """Manage Members and Enrollment landing pages (job aid steps 1–2)."""
    if not user_programs(user=request.user):
        raise PermissionDenied("Only health plan staff enroll members.")
    return render(request, "enrollment/landing.html", {"section": section})

