"""The step pages of one case: QC vetting, the State Monitor's MMIS Result, outreach.

Thin views: a form, one service call, a DomainError shown as a form error, then a redirect
(post/redirect/get). A step page whose move is not open says what was recorded instead.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from crm_tracker import selectors, services
from crm_tracker.forms import MmisResultForm, OutreachForm, VetForm
from crm_tracker.models import Case, MmisResult
from crm_tracker.views.access import case_details, case_or_404, needs
from crm_tracker.workflow import OUTREACH_MOVES, TRANSITIONS, Move, move_open, waiting_in
from posc.clock import request_now, today_eastern
from posc.exceptions import DomainError


def step_page(*moves: str, title: str) -> Callable:
    """Show a step page's form only while one of its *moves* is open (issue 13 point 14).

    Once the case has left the moves' queue (the step done, or not reached yet), the page
    says what was recorded, by whom and when, from the case history row of the move's
    field, and offers no form; a post is not run either.
    """
    field = TRANSITIONS[moves[0]].field

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, number: str, *args, **kwargs):
            case = selectors.case_get_for_user(user=request.user, number=number)
            if case is None or any(move_open(case, move) for move in moves):
                return view(request, number, *args, **kwargs)
            case = case_or_404(request, number)  # audited, as every case page
            last = case.history.filter(field=field).select_related("changed_by").order_by(
                "-changed_at", "-pk").first()
            return render(request, "crm_tracker/case_step_closed.html",
                          {"case": case, "title": title, "last": last,
                           "waiting_in": waiting_in(case)})

        return wrapper

    return decorate


def _case_step(request: HttpRequest, case: Case, form, template: str, *,
               run: Callable[[dict], Case], done: Callable[[Case], str],
               context: dict | None = None) -> HttpResponse:
    """Run one workflow step: a valid POST calls *run*; a refusal becomes a form error."""
    if request.method == "POST" and form.is_valid():
        try:
            case = run(form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done(case))
            return redirect(case)
    return render(request, template, {"case": case, "form": form, **(context or {})})


@needs("vet_case")
@step_page(Move.VET, title=Move.VET.label)
def case_vet(request: HttpRequest, number: str) -> HttpResponse:
    """QC vetting: true → State Monitors; false → the CSR's Supervisor."""
    case = case_or_404(request, number)
    form = VetForm(request.POST or None,
                   not_processed=case.mmis_result == MmisResult.NOT_PROCESSED)
    return _case_step(
        request, case, form, "crm_tracker/case_vet.html",
        run=lambda data: services.case_vet(case=case, true_case=data["result"] == "true",
                                           reason=data["reason"], actor=request.user,
                                           now=request_now(request)),
        done=lambda case: (f"Case {case.number} vetted: {case.get_vetting_display()}; "
                           f"now waiting in {case.work_queue}."),
        # QC judges from the case's details and history on this page (issue 13).
        context=case_details(request, case))


@needs("monitor_case")
@step_page(Move.MMIS_RESULT, title=Move.MMIS_RESULT.label)
def case_mmis(request: HttpRequest, number: str) -> HttpResponse:
    """State Monitor: processed in MMIS (with the date) or not processed (with why)."""
    case = case_or_404(request, number)
    return _case_step(
        request, case, MmisResultForm(request.POST or None), "crm_tracker/case_mmis.html",
        run=lambda data: services.case_mmis_record(
            case=case, processed=data["result"] == "processed",
            processed_on=data.get("processed_on"), reason=data.get("reason", ""),
            actor=request.user, today=today_eastern(request_now(request)),
            now=request_now(request)),
        done=lambda case: (f"Case {case.number}: MMIS Result "
                           f"{case.get_mmis_result_display()} saved."))


@needs("outreach_case")
@step_page(*OUTREACH_MOVES, title="Outreach")
def case_outreach(request: HttpRequest, number: str) -> HttpResponse:
    """Supervisor outreach: the 1st attempt, then the 2nd (Outreach Max Attempts)."""
    case = case_or_404(request, number)
    form = OutreachForm(request.POST or None, initial={"attempt": case.outreach_attempts + 1})
    return _case_step(
        request, case, form, "crm_tracker/case_outreach.html",
        run=lambda data: services.case_outreach(case=case, documentation=data["documentation"],
                                                actor=request.user, attempt=data["attempt"],
                                                outcome=data["outcome"], contact=data["contact"],
                                                now=request_now(request)),
        done=lambda case: f"Case {case.number}: {case.disposition} recorded.",
        context={"attempt": "2nd" if case.outreach_attempts else "1st"})
