"""The tracker's entry page, the case list, the CSR's intake and the case page."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from crm_tracker import selectors, services
from crm_tracker.forms import CaseIntakeForm
from crm_tracker.models import CaseType
from crm_tracker.views.access import (
    case_details,
    case_list_page,
    case_or_404,
    narrowed,
    needs,
    tracker_user,
)
from crm_tracker.workflow import OUTREACH_MOVES, Move, may_move
from posc.clock import request_now, today_eastern
from posc.exceptions import DomainError

CASE_TYPE_SLUGS = {"angela-melody": CaseType.ANGELA_MELODY, "mct-span": CaseType.MCT_SPAN,
                   "for-cause-reason": CaseType.FOR_CAUSE,
                   "incorrect-selection": CaseType.INCORRECT_SELECTION}
# The intake refusals that belong to one field of the form.
INTAKE_ERROR_FIELDS = {"START_DATE_REQUIRED": "current_mco_start",
                       "RIGHT_TO_CHANGE": "current_mco_start",
                       "START_DATE_FUTURE": "current_mco_start",
                       "AUTO_ASSIGNED": "current_mco_auto_assigned",
                       "ANGELA_MELODY_PERIOD": "provider_termination",
                       "TERMINATION_REQUIRED": "provider_termination",
                       "FOR_CAUSE_REQUIRED": "for_cause_reason",
                       "RESOLVED_ESCALATION": "consumer_issues_resolved"}


@tracker_user
def home(request: HttpRequest) -> HttpResponse:
    """Show the tracker's entry page with the links of the user's role."""
    return render(request, "crm_tracker/home.html")


@tracker_user
def case_list(request: HttpRequest) -> HttpResponse:
    """List the cases the user may see, newest first."""
    cases = narrowed(request, selectors.case_list_for_user(user=request.user))
    return case_list_page(request, cases[:200], "Cases")


@needs("intake_case")
def case_new(request: HttpRequest) -> HttpResponse:
    """Let the CSR choose the case type of the seed."""
    return render(request, "crm_tracker/case_new.html",
                  {"types": [(slug, CaseType(value).label) for slug, value in
                             CASE_TYPE_SLUGS.items()]})


@needs("intake_case")
def case_intake(request: HttpRequest, slug: str) -> HttpResponse:
    """Take in one case type; the portal composes the Subject and CRM documentation."""
    case_type = CASE_TYPE_SLUGS.get(slug)
    if case_type is None:
        raise Http404("No such case type.")
    form = CaseIntakeForm(request.POST or None, case_type=case_type, user=request.user,
                          today=today_eastern(request_now(request)))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_intake(
                actor=request.user, case_type=case_type, taxonomy=form.taxonomy,
                participant_names=data["participant_names"],
                masshealth_id=data["masshealth_id"], ssn=data["ssn"],
                requested_plan=data.get("requested_plan"),
                requested_provider_name=data.get("requested_provider_name", ""),
                for_cause_reason=data.get("for_cause_reason", ""),
                provider_termination=data.get("provider_termination"),
                current_mco_auto_assigned=data["current_mco_auto_assigned"],
                current_mco_start=data.get("current_mco_start"),
                consumer_issues_resolved=data["consumer_issues_resolved"],
                supervisor_requested=data["supervisor_requested"],
                today=today_eastern(request_now(request)), now=request_now(request),
                submission_token=data["submission_token"])
        except DomainError as exc:
            # A refusal about one field is shown beside it (and in the summary).
            field = INTAKE_ERROR_FIELDS.get(exc.code)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Case {case.number} saved: {case.subject}.")
            return redirect(case)
    return render(request, "crm_tracker/case_intake.html",
                  {"form": form, "case_type_label": CaseType(case_type).label})


@tracker_user
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """Show a case, its history and the next step the user may take on it."""
    case = case_or_404(request, number)
    user = request.user
    context = {
        **case_details(request, case),
        # The step links the transition table allows this user on this case now.
        "can_vet": may_move(case, Move.VET, user),
        "can_monitor": may_move(case, Move.MMIS_RESULT, user),
        "can_outreach": any(may_move(case, move, user) for move in OUTREACH_MOVES),
    }
    return render(request, "crm_tracker/case_detail.html", context)
