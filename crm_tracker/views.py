"""MCO Manual Tracker pages: intake, the case page, QC, State Monitor and Supervisor work.

Thin views: a form, one service call, a DomainError shown as a form error, then a redirect
(post/redirect/get). Every view checks the permission of its step (crm_tracker/roles.py).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from audit.services import record_list as audit_record_list
from crm_tracker import selectors, services, spreadsheets
from crm_tracker.forms import (
    QC_REPORT_WAITING,
    BulkVetForm,
    CaseIntakeForm,
    MmisResultForm,
    OutreachForm,
    QcReportFilterForm,
    SheetImportForm,
    VetForm,
)
from crm_tracker.models import Case, CaseType, MmisResult, Vetting
from crm_tracker.sheet_reader import SheetImport
from crm_tracker.workflow import OUTREACH_MOVES, TRANSITIONS, Move, may_move, move_open, waiting_in
from posc.clock import request_now, today_eastern
from posc.exceptions import DomainError, ImportRejected

TRACKER_PERMS = ("intake_case", "vet_case", "monitor_case", "outreach_case", "view_all_cases")
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
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tracker_user(view: Callable) -> Callable:
    """Let in only users with a part in the tracker (403 for everyone else)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not any(request.user.has_perm(f"crm_tracker.{p}") for p in TRACKER_PERMS):
            raise PermissionDenied("The MCO Manual Tracker is for CSR, QC, State Monitor and "
                                   "Supervisor roles.")
        return view(request, *args, **kwargs)

    return wrapper


def needs(perm: str) -> Callable:
    """Require login and one tracker permission (403 otherwise)."""

    def decorate(view: Callable) -> Callable:
        return login_required(permission_required(f"crm_tracker.{perm}",
                                                  raise_exception=True)(view))

    return decorate


def _case_or_404(request: HttpRequest, number: str) -> Case:
    case = selectors.case_get_for_user(user=request.user, number=number)
    if case is None:
        raise Http404("No such case.")
    # Every case page shows the member: audited (HIPAA 45 CFR 164.312(b)).
    audit_record(AuditAction.VIEW, "tracker case", case.number, member_ids=[case.masshealth_id],
                 detail=f"{request.method} {request.resolver_match.url_name}")
    return case


def _listed(request: HttpRequest, cases, action: str = AuditAction.VIEW) -> list[Case]:
    """Return *cases* as a list, audited: one row per member the page lists."""
    cases = list(cases)
    audit_record_list(action, "tracker case", cases,
                      detail=f"{request.resolver_match.url_name}: {len(cases)} cases")
    return cases


def _case_list_page(request: HttpRequest, cases, title: str, intro: str = "") -> HttpResponse:
    """Render a list of cases (audited, one row per member listed) under *title*."""
    return render(request, "crm_tracker/case_list.html",
                  {"cases": _listed(request, cases), "title": title, "intro": intro})


def _download(request: HttpRequest, content: bytes, name: str,
              content_type: str) -> HttpResponse:
    extension = "xlsx" if content_type == XLSX else "csv"
    response = HttpResponse(content, content_type=content_type)
    stamp = today_eastern(request_now(request)).strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{extension}"'
    return response


@tracker_user
def home(request: HttpRequest) -> HttpResponse:
    """Show the tracker's entry page with the links of the user's role."""
    return render(request, "crm_tracker/home.html")


@tracker_user
def case_list(request: HttpRequest) -> HttpResponse:
    """List the cases the user may see, newest first."""
    return _case_list_page(request, selectors.case_list_for_user(user=request.user)[:200],
                           "Cases")


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
    case = _case_or_404(request, number)
    user = request.user
    context = {
        **_details(request, case),
        # The step links the transition table allows this user on this case now.
        "can_vet": may_move(case, Move.VET, user),
        "can_monitor": may_move(case, Move.MMIS_RESULT, user),
        "can_outreach": any(may_move(case, move, user) for move in OUTREACH_MOVES),
    }
    return render(request, "crm_tracker/case_detail.html", context)


def _details(request: HttpRequest, case: Case) -> dict:
    """Return what the case's details and history need (the case page, the QC Vetting page)."""
    return {"case": case, "show_ssn": request.user.has_perm("crm_tracker.view_full_ssn"),
            "history": case.history.select_related("changed_by").order_by("changed_at", "pk")}


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
            case = _case_or_404(request, number)  # audited, as every case page
            last = case.history.filter(field=field).select_related("changed_by").order_by(
                "-changed_at", "-pk").first()
            return render(request, "crm_tracker/case_step_closed.html",
                          {"case": case, "title": title, "last": last,
                           "waiting_in": waiting_in(case)})

        return wrapper

    return decorate


@needs("vet_case")
@step_page(Move.VET, title=Move.VET.label)
def case_vet(request: HttpRequest, number: str) -> HttpResponse:
    """QC vetting: true → State Monitors; false → the CSR's Supervisor."""
    case = _case_or_404(request, number)
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
        context=_details(request, case))


@needs("monitor_case")
@step_page(Move.MMIS_RESULT, title=Move.MMIS_RESULT.label)
def case_mmis(request: HttpRequest, number: str) -> HttpResponse:
    """State Monitor: processed in MMIS (with the date) or not processed (with why)."""
    case = _case_or_404(request, number)
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
    case = _case_or_404(request, number)
    form = OutreachForm(request.POST or None, initial={"attempt": case.outreach_attempts + 1})
    return _case_step(
        request, case, form, "crm_tracker/case_outreach.html",
        run=lambda data: services.case_outreach(case=case, documentation=data["documentation"],
                                                actor=request.user, attempt=data["attempt"],
                                                outcome=data["outcome"], contact=data["contact"],
                                                now=request_now(request)),
        done=lambda case: f"Case {case.number}: {case.disposition} recorded.",
        context={"attempt": "2nd" if case.outreach_attempts else "1st"})


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
def qc_queue(request: HttpRequest) -> HttpResponse:
    """List the cases waiting for QC vetting, with the form that vets several at once."""
    return _qc_queue_page(request, BulkVetForm())


def _qc_queue_page(request: HttpRequest, form: BulkVetForm) -> HttpResponse:
    return render(request, "crm_tracker/qc_queue.html",
                  {"cases": _listed(request, selectors.qc_queue()), "form": form,
                   "ticked": set(form["cases"].value() or ())})


# What happens next to the cases of a bulk vetting (seed 003, "QC Vetting").
BULK_VETTED_NEXT = {Vetting.TRUE: "They now wait for the State Monitors.",
                    Vetting.FALSE: "They now wait for their CSR's Supervisor's outreach."}


@needs("vet_case")
@require_POST
def qc_vet_bulk(request: HttpRequest) -> HttpResponse:
    """Vet the cases ticked in the QC Queue with one result and reason: all or none."""
    form = BulkVetForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        found = {case.case_number: case for case in selectors.case_list_for_user(
            user=request.user).filter(case_number__in=form.numbers)}
        missing = [f"{n:08d}" for n in form.numbers if n not in found]
        try:
            if missing:
                raise DomainError(f"No case {', '.join(missing)} among the cases you may vet. "
                                  "No case was vetted.", code="NOT_FOUND")
            batch = services.case_vet_bulk(
                cases=list(found.values()), true_case=data["result"] == "true",
                reason=data["reason"], actor=request.user, now=request_now(request),
                submission_token=data["submission_token"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            numbers = ", ".join(case.number for case in batch.cases.order_by("case_number"))
            vetted = batch.cases.count()
            messages.success(request, f"{vetted} case{pluralize(vetted)} vetted "
                                      f"{batch.get_vetting_display()}: {numbers}. "
                                      f"{BULK_VETTED_NEXT[batch.vetting]}")
            return redirect("crm_tracker:qc_queue")
    return _qc_queue_page(request, form)


def _qc_report_rows(request: HttpRequest):
    form = QcReportFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    waiting = filters.get("view") == QC_REPORT_WAITING
    cases, counts = selectors.qc_report(
        case_type=filters.get("case_type", ""), date_from=filters.get("date_from"),
        date_to=filters.get("date_to"), csr=filters.get("csr"), waiting=waiting)
    return form, cases, counts, waiting


@needs("vet_case")
def qc_report(request: HttpRequest) -> HttpResponse:
    """The QC report: CSR dispositions Plan Selected in Error and MCO Updated (seed 003)."""
    form, cases, counts, waiting = _qc_report_rows(request)
    cases = _listed(request, cases)
    return render(request, "crm_tracker/qc_report.html",
                  {"form": form, "cases": cases, "counts": counts, "waiting": waiting,
                   "total": sum(n for _, n in counts), "query": request.GET.urlencode()})


@needs("vet_case")
@permission_required("crm_tracker.export_case", raise_exception=True)
def qc_report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Download the QC report as xlsx or csv, with the page's filters."""
    _form, cases, counts, waiting = _qc_report_rows(request)
    cases = _listed(request, cases, AuditAction.EXPORT)
    name = "mco-manual-tracker-waiting-for-qc" if waiting else "mco-manual-tracker"
    if fmt == "xlsx":
        return _download(request, spreadsheets.qc_report_xlsx(cases, counts), name, XLSX)
    return _download(request, spreadsheets.qc_report_csv(cases), name, "text/csv")


@needs("monitor_case")
def monitor_queue(request: HttpRequest) -> HttpResponse:
    """The State Monitor's queue of True cases, the spreadsheet, and its re-import."""
    return render(request, "crm_tracker/monitor_queue.html",
                  {"cases": _listed(request, selectors.monitor_queue()),
                   "form": SheetImportForm()})


@needs("monitor_case")
@permission_required("crm_tracker.export_case", raise_exception=True)
def monitor_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Download the True cases waiting for MMIS as xlsx or csv."""
    cases = _listed(request, selectors.monitor_queue(), AuditAction.EXPORT)
    if fmt == "xlsx":
        return _download(request, spreadsheets.monitor_sheet_xlsx(cases),
                         "true-tracker-cases", XLSX)
    return _download(request, spreadsheets.monitor_sheet_csv(cases), "true-tracker-cases",
                     "text/csv")


@needs("monitor_case")
@require_POST
def monitor_import(request: HttpRequest) -> HttpResponse:
    """Import the State Monitor's updated spreadsheet: every row or none."""
    form = SheetImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            outcome = services.monitor_sheet_import(
                file=form.cleaned_data["sheet"], actor=request.user,
                today=today_eastern(request_now(request)), now=request_now(request))
        except ImportRejected as exc:
            form.add_error(None, exc.message)
            for problem in exc.extra.get("problems", []):
                form.add_error(None, problem)
        else:
            messages.success(request, _imported_message(outcome))
            return redirect("crm_tracker:monitor_queue")
    return render(request, "crm_tracker/monitor_queue.html",
                  {"cases": _listed(request, selectors.monitor_queue()), "form": form})


def _imported_message(outcome: SheetImport) -> str:
    """Say what an import did, and which rows it skipped as already recorded."""
    updated, skipped = outcome.updated, len(outcome.skipped)
    message = f"Spreadsheet imported: {updated} case{pluralize(updated)} updated."
    if skipped:
        shown = ", ".join(outcome.skipped[:20]) + (" …" if skipped > 20 else "")
        message += (f" {skipped} row{pluralize(skipped)} already recorded with the same values "
                    f"{pluralize(skipped, 'was,were')} skipped "
                    f"(case{pluralize(skipped)} {shown}).")
    return message


@needs("outreach_case")
def outreach_queue(request: HttpRequest) -> HttpResponse:
    """List the Supervisor's cases waiting for outreach."""
    return _case_list_page(request, selectors.outreach_queue(user=request.user),
                           "Outreach Queue",
                           "Cases of your team escalated in error or not processed by the "
                           "State Monitors: two outreach attempts each.")


@needs("outreach_case")
def supervisor_requested(request: HttpRequest) -> HttpResponse:
    """List the team's cases where the consumer asked for a Supervisor, open ones first."""
    return _case_list_page(request, selectors.supervisor_requested(user=request.user),
                           "Supervisor Requested",
                           "Cases of your team where the consumer answered Yes to Did the "
                           "Consumer request a Supervisor?, open cases first, newest first.")


@needs("outreach_case")
def team_cases(request: HttpRequest) -> HttpResponse:
    """List every case opened by the Supervisor's CSRs."""
    return _case_list_page(request, selectors.team_cases(user=request.user)[:200],
                           "Team Cases")


@needs("view_tracker_reports")
def reports(request: HttpRequest) -> HttpResponse:
    """Relabel rates by original case type and by CSR, and time in each status."""
    # QC sees every CSR; a Supervisor only the own team (crm_tracker/roles.py).
    team_of = None if request.user.has_perm("crm_tracker.view_all_cases") else request.user
    by_type, by_csr = selectors.relabel_rates(team_of=team_of)
    return render(request, "crm_tracker/reports.html",
                  {"by_type": by_type, "by_csr": by_csr,
                   "status_times": selectors.time_in_status(now=request_now(request),
                                                            team_of=team_of)})
