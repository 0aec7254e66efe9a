"""The SCO and One Care panels (job aids 000–002) and the 834 Files page.

One view per panel; each checks that the earlier panels were passed and sends the user
back to Member Search otherwise. Every POST ends in a redirect (post/redirect/get). The
panels after Member Search belong to one flow each, named in their address (enrollment/
panel.py): a clerk may run several in several tabs, and each Submit acts on its own member.
"""

import uuid
from abc import ABC, abstractmethod

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from enrollment.forms import (
    CertificationForm,
    DisenrollmentForm,
    MemberSearchForm,
    TokenForm,
)
from enrollment.models import EnrollmentTransaction
from enrollment.panel import PanelFlows, page_seal, seal_read
from enrollment.selectors import (
    panel_search,
    transaction_for_user,
)
from enrollment.services import (
    disenrollment_submit,
    enrollment_submit,
)
from posc.clock import request_now, today_eastern
from posc.exceptions import DomainError
from posc.members.models import Member, Program
from posc.members.selectors import user_plan_list, user_programs
from posc.mmis.dates import iso_date_or_none
from posc.mmis.types import Action
from posc.mmis.validator import NO_MATCH_MESSAGE
from posc.templatetags.posc_pack import unbound_form_html

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
        self.flows = PanelFlows(request.session, self.program)
        if (refused := self.refusal()) is not None:
            return refused
        return super().dispatch(request, *args, **kwargs)

    def refusal(self) -> HttpResponse | None:
        """Return where to send a request this panel cannot serve, or None to serve it."""
        return None

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"enrollment:{name}", kwargs={"program": self.slug, **kwargs})

    def render_panel(self, template: str, **context) -> HttpResponse:
        context.update(program=self.program, program_title=PROGRAM_TITLES[self.program],
                       slug=self.slug, search_url=self.url("search"))
        return render(self.request, f"enrollment/{template}", context)


class FlowPanelMixin(ProgramPanelMixin):
    """A panel after Member Search: it belongs to the flow named in its address (issue 12).

    A POST must also carry the page seal of the same flow and member; otherwise it is
    refused with nothing written and a message that names the member of the page. The
    checks run once, in dispatch (Oscar's CheckoutSessionMixin), before any handler.
    """

    panel_name: str

    def ready(self) -> bool:
        """Return True when the flow has reached this panel."""
        raise NotImplementedError

    def flow_url(self, name: str) -> str:
        return self.url(name, flow=self.flow.id)

    def flow_home(self) -> str:
        """Return the address of the panel the flow has reached."""
        if self.flow.get("action") == Action.DISENROLL:
            return self.flow_url("disenrollment")
        return self.flow_url("certification" if self.flow.get("confirmed") else "verification")

    def refusal(self) -> HttpResponse | None:
        """Refuse a flow that is gone, submitted or elsewhere, and a page of another flow."""
        self.flow = self.flows.get(self.kwargs["flow"])
        if self.request.method == "POST":
            sealed = seal_read(self.request.POST.get("seal", ""), user_pk=self.request.user.pk)
            page = sealed or (self.flow.data if self.flow else None)
            if (self.flow is None or sealed is None or sealed["flow"] != self.flow.id
                    or sealed["member_id"] != self.flow.get("member_id")):
                return self.gone(page)
        if self.flow is None:
            return self.gone(None)
        if self.flow.done:
            messages.info(self.request, f"The {self.panel_name} panel for "
                          f"{_named(self.flow.data)} was already submitted: transaction "
                          f"{self.flow.done}.")
            return redirect(self.url("confirmation", reference=self.flow.done))
        if not self.ready():
            messages.warning(self.request, f"Go on with {_named(self.flow.data)} on this panel.")
            return redirect(self.flow_home())
        return None

    def gone(self, page: dict | None) -> HttpResponse:
        """Send the user to Member Search: the page's flow is not open in this session."""
        if page and page.get("member_id"):
            messages.warning(self.request, f"Nothing was submitted: the {self.panel_name} panel "
                             f"for {_named(page)} is no longer open. To go on with this "
                             "member, search for them again on the Member Search panel.")
        else:
            messages.warning(self.request, "This panel is no longer open. Start with the Member "
                             "Search panel.")
        return redirect(self.url("search"))

    def seal(self) -> str:
        return page_seal(user_pk=self.request.user.pk, flow=self.flow)

    def audit_panel_view(self, panel: str) -> None:
        """Record that the panel's member was shown (HIPAA 45 CFR 164.312(b))."""
        member_id = self.flow.get("member_id")
        audit_record(AuditAction.VIEW, "member", member_id, member_ids=[member_id],
                     detail=f"{panel} panel")

    def panel_member(self) -> Member | None:
        member_id = self.flow.get("member_id")
        return Member.objects.filter(pk=member_id).first() if member_id else None

    def stored_answer(self, token: str) -> EnrollmentTransaction | None:
        """Return the transaction a re-posted form already produced, if any."""
        try:
            token_uuid = uuid.UUID(str(token))
        except ValueError:
            return None
        return EnrollmentTransaction.objects.filter(
            token=token_uuid, requested_by=self.request.user).first()


def _named(page: dict) -> str:
    """Return the member of a panel page as a clerk reads it: name and Member ID."""
    name = page.get("member_name") or ""
    return f"{name} (Member ID {page.get('member_id')})".strip()


class MemberSearchView(ProgramPanelMixin, View):
    """Member Search panel (steps 4–8): each search that opens a panel starts a new flow."""

    def provider_ids(self) -> list[str]:
        return [p.provider_id for p in user_plan_list(user=self.request.user)
                if p.program == self.program]

    def get(self, request: HttpRequest, program: str) -> HttpResponse:
        provider_ids = self.provider_ids()
        # The empty form's markup depends on the Provider IDs only: written once per list.
        # No form in the context: an unbound one shows no errors and no Member ID either.
        return self.render_panel("search.html", form_html=unbound_form_html(
            MemberSearchForm, tuple(provider_ids),
            lambda: MemberSearchForm(provider_ids=provider_ids)))

    def post(self, request: HttpRequest, program: str) -> HttpResponse:
        form = MemberSearchForm(request.POST, provider_ids=self.provider_ids())
        if not form.is_valid():
            return self.render_panel("search.html", form=form)
        typed = form.cleaned_data
        action, member, response, primary_id = panel_search(
            program=self.program, user=request.user, today=today_eastern(request_now(request)),
            **typed)
        # HIPAA 45 CFR 164.312(b): every search is audited, with what MMIS answered.
        audit_record(AuditAction.SEARCH, "member", typed["member_id"],
                     member_ids=[typed["member_id"]],
                     detail=(f"{self.slug} {action}" if action is not None else
                             f"{self.slug} refused: "
                             + " ".join(str(e.code) for e in response.errors)))
        if action is None:
            return self.render_panel("search.html", form=form, mmis_errors=response.errors,
                                     primary_id=primary_id)
        if action == Action.DISENROLL:
            flow = self.flows.start(action=str(action), **typed, member_name=member.full_name,
                                    primary_id=primary_id,
                                    span_start=response.span.start_date.isoformat(),
                                    effective_date=response.effective_date.isoformat(),
                                    cancellation=response.cancellation)
            return redirect(self.url("disenrollment", flow=flow.id))
        flow = self.flows.start(action=str(action), **typed,
                                member_name=member.full_name, primary_id=primary_id,
                                date_of_birth=member.date_of_birth.isoformat(),
                                rate_cell_code=response.rate_cell.code,
                                rate_cell_label=response.rate_cell.label,
                                effective_date=response.effective_date.isoformat(),
                                confirmed=False)
        return redirect(self.url("verification", flow=flow.id))


class VerificationView(FlowPanelMixin, View):
    """Verification panel (steps 9–10): the rate cell and the effective date."""

    panel_name = "Verification"

    def ready(self) -> bool:
        return self.flow.get("action") == Action.ENROLL

    def get(self, request: HttpRequest, program: str, flow: str) -> HttpResponse:
        self.audit_panel_view("verification")
        return self.render_panel("verification.html", panel=self.flow.data, seal=self.seal(),
                                 date_of_birth=iso_date_or_none(self.flow.get("date_of_birth")),
                                 effective_date=iso_date_or_none(self.flow.get("effective_date")))

    def post(self, request: HttpRequest, program: str, flow: str) -> HttpResponse:
        self.flow.update(confirmed=True)
        return redirect(self.flow_url("certification"))


class SubmitPanelView(FlowPanelMixin, View, ABC):
    """A panel whose Submit sends the request to MMIS (Certification, Disenrollment).

    A re-post of a token that was already answered with an acceptance goes to that
    confirmation; a rejection is shown on the same panel with a fresh token, so that
    submitting again is a new request (mmis-rules.md, ui.md).
    """

    form_class: type[TokenForm]
    template: str

    @abstractmethod
    def submit(self, form: TokenForm, panel: dict) -> EnrollmentTransaction:
        """Send the request to MMIS; return the stored transaction."""

    def submit_member(self) -> Member:
        """Return the member of the flow, whom the Submit is about."""
        member = self.panel_member()
        if member is None:  # members are never deleted: a flow names one that exists
            raise DomainError(NO_MATCH_MESSAGE, code="NO_MATCH")
        return member

    def context(self, form: TokenForm, **extra) -> dict:
        return dict(form=form, member=self.panel_member(), panel=self.flow.data,
                    seal=self.seal(), **extra)

    def get(self, request: HttpRequest, program: str, flow: str) -> HttpResponse:
        form = self.form_class(initial={"token": self.flow.get("token")})
        self.audit_panel_view(self.template)
        return self.render_panel(self.template, **self.context(form))

    def refusal(self) -> HttpResponse | None:
        """Send a re-post of an accepted form to its confirmation (ui.md), before anything."""
        if self.request.method == "POST":
            stored = self.stored_answer(self.request.POST.get("token", ""))
            if stored is not None and stored.accepted:
                return redirect(self.url("confirmation", reference=stored.reference))
        return super().refusal()

    def post(self, request: HttpRequest, program: str, flow: str) -> HttpResponse:
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self.render_panel(self.template, **self.context(form))
        try:
            txn = self.submit(form, self.flow.data)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.render_panel(self.template, **self.context(form))
        if not txn.accepted:
            retry = self.form_class(initial={**form.cleaned_data, "token": self.flow.new_token()})
            return self.render_panel(self.template, **self.context(retry, rejected=txn))
        self.flow.finish(txn.reference)
        return redirect(self.url("confirmation", reference=txn.reference))


class CertificationView(SubmitPanelView):
    """Certification panel (steps 11–12): certify, then Submit the enrollment to MMIS."""

    panel_name = "Certification"
    form_class = CertificationForm
    template = "certification.html"

    def ready(self) -> bool:
        return self.flow.get("action") == Action.ENROLL and bool(self.flow.get("confirmed"))

    def submit(self, form: CertificationForm, panel: dict) -> EnrollmentTransaction:
        return enrollment_submit(
            member=self.submit_member(), program=self.program, provider_id=panel["provider_id"],
            last_name=panel["last_name"], first_name=panel["first_name"],
            token=form.cleaned_data["token"], actor=self.request.user,
            today=today_eastern(request_now(self.request)))


class DisenrollmentView(SubmitPanelView):
    """Disenrollment panel (steps 9–10): the reason, then Submit to MMIS."""

    panel_name = "Disenrollment"
    form_class = DisenrollmentForm
    template = "disenrollment.html"

    def ready(self) -> bool:
        return self.flow.get("action") == Action.DISENROLL

    def context(self, form: DisenrollmentForm, **extra) -> dict:
        plan = next((p for p in user_plan_list(user=self.request.user)
                     if p.provider_id == self.flow.get("provider_id")), None)
        span_start = iso_date_or_none(self.flow.get("span_start"))
        return super().context(form, plan=plan, span_start=span_start, **extra)

    def submit(self, form: DisenrollmentForm, panel: dict) -> EnrollmentTransaction:
        return disenrollment_submit(
            member=self.submit_member(), program=self.program, provider_id=panel["provider_id"],
            last_name=panel["last_name"], first_name=panel["first_name"],
            reason=form.cleaned_data["reason"], token=form.cleaned_data["token"],
            actor=self.request.user, today=today_eastern(request_now(self.request)))


class ConfirmationView(ProgramPanelMixin, View):
    """Confirmation or Disenrollment Confirmation panel (steps 11–14), reached by redirect."""

    def get(self, request: HttpRequest, program: str, reference: str) -> HttpResponse:
        txn = transaction_for_user(user=request.user, reference=reference)
        if (txn is None or not txn.accepted or txn.plan.program != self.program
                or txn.adjustment_id is not None):  # an adjustment's loop has no panel
            raise Http404("No such transaction.")
        audit_record(AuditAction.VIEW, "enrollment transaction", txn.reference,
                     member_ids=[txn.member_id], detail="confirmation panel")
        template = ("confirmation.html" if txn.kind == EnrollmentTransaction.Kind.ENROLL
                    else "disenrollment_confirmation.html")
        return self.render_panel(template, txn=txn)


@login_required
def landing(request: HttpRequest, section: str) -> HttpResponse:
    """Manage Members and Enrollment landing pages (job aid steps 1–2)."""
    if not user_programs(user=request.user):
        raise PermissionDenied("Only health plan staff enroll members.")
    return render(request, "enrollment/landing.html", {"section": section})


