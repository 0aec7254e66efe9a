"""QC's pages: the QC Queue with its bulk vetting, and the QC report with its downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from audit.models import Action as AuditAction
from crm_tracker import selectors, services, spreadsheets
from crm_tracker.forms import QC_REPORT_WAITING, BulkVetForm, QcReportFilterForm
from crm_tracker.models import Vetting
from crm_tracker.views.access import XLSX, download, listed, needs
from posc.clock import request_now
from posc.exceptions import DomainError

# What happens next to the cases of a bulk vetting (seed 003, "QC Vetting").
BULK_VETTED_NEXT = {Vetting.TRUE: "They now wait for the State Monitors.",
                    Vetting.FALSE: "They now wait for their CSR's Supervisor's outreach."}


@needs("vet_case")
def qc_queue(request: HttpRequest) -> HttpResponse:
    """List the cases waiting for QC vetting, with the form that vets several at once."""
    return _qc_queue_page(request, BulkVetForm())


def _qc_queue_page(request: HttpRequest, form: BulkVetForm) -> HttpResponse:
    return render(request, "crm_tracker/qc_queue.html",
                  {"cases": listed(request, selectors.qc_queue()), "form": form})


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
    cases = listed(request, cases)
    return render(request, "crm_tracker/qc_report.html",
                  {"form": form, "cases": cases, "counts": counts, "waiting": waiting,
                   "total": sum(n for _, n in counts), "query": request.GET.urlencode()})


@needs("vet_case")
@permission_required("crm_tracker.export_case", raise_exception=True)
def qc_report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Download the QC report as xlsx or csv, with the page's filters."""
    _form, cases, counts, waiting = _qc_report_rows(request)
    cases = listed(request, cases, AuditAction.EXPORT)
    name = "mco-manual-tracker-waiting-for-qc" if waiting else "mco-manual-tracker"
    if fmt == "xlsx":
        return download(request, spreadsheets.qc_report_xlsx(cases, counts), name, XLSX)
    return download(request, spreadsheets.qc_report_csv(cases), name, "text/csv")
