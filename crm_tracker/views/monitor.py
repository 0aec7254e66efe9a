"""The State Monitor's pages: the queue of True cases, its spreadsheet and the re-import."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from audit.models import Action as AuditAction
from crm_tracker import selectors, services, spreadsheets
from crm_tracker.forms import SheetImportForm
from crm_tracker.sheet_reader import SheetImport
from crm_tracker.views.access import XLSX, download, listed, narrowed, needs
from posc.clock import request_now, today_eastern
from posc.exceptions import ImportRejected


@needs("monitor_case")
def monitor_queue(request: HttpRequest) -> HttpResponse:
    """The State Monitor's queue of True cases, the spreadsheet, and its re-import."""
    return render(request, "crm_tracker/monitor_queue.html",
                  {"cases": listed(request, narrowed(request, selectors.monitor_queue())),
                   "form": SheetImportForm()})


@needs("monitor_case")
@permission_required("crm_tracker.export_case", raise_exception=True)
def monitor_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Download the True cases waiting for MMIS as xlsx or csv."""
    cases = listed(request, selectors.monitor_queue(), AuditAction.EXPORT)
    if fmt == "xlsx":
        return download(request, spreadsheets.monitor_sheet_xlsx(cases),
                        "true-tracker-cases", XLSX)
    return download(request, spreadsheets.monitor_sheet_csv(cases), "true-tracker-cases",
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
                  {"cases": listed(request, selectors.monitor_queue()), "form": form})


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
