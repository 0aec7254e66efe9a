"""The plans' file pages: 834 Files (batches, their 999 status, the audit files) and the
roster reconciliation (issue 17 §3 and §4). The Enrollment panels are in views.py.
"""

import tempfile
import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from enrollment.ack_services import acknowledgment_load
from enrollment.audit_files import (
    audit_file_list_for_user,
    audit_file_member_ids,
    audit_file_write,
)
from enrollment.forms import (
    AcknowledgmentUploadForm,
    RosterForm,
)
from enrollment.models import Batch834, Reconciliation, ReconciliationDifference
from enrollment.reconciliation import (
    VIEW_ALL,
    reconciliation_latest_per_plan,
    reconciliation_list_for_user,
    reconciliation_run,
    reconciliation_xlsx,
)
from enrollment.selectors import (
    acknowledgments_of,
    batch_for_user,
    batch_list_for_user,
    batch_member_ids,
)
from enrollment.services import batch_stream
from posc.clock import request_now, today_eastern
from posc.exceptions import DomainError
from posc.members.models import Plan, Program
from posc.members.selectors import user_plan_list, user_programs
from posc.mmis.x12_999 import MAX_BYTES
from posc.xlsx import XLSX_CONTENT_TYPE


class PlanStaffMixin(LoginRequiredMixin):
    """Let in provider staff of an SCO or One Care plan, whatever the method (403 otherwise)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not user_programs(user=request.user):
            raise PermissionDenied("Only health plan staff receive 834 files.")
        return super().dispatch(request, *args, **kwargs)



class FilesView(PlanStaffMixin, View):
    """834 Files: the batches of the user's own plans, newest first, with their status; the
    plan uploads here the 999 its translator returned (issue 17)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(AcknowledgmentUploadForm())

    def page(self, form: AcknowledgmentUploadForm, status: int = 200) -> HttpResponse:
        batches = batch_list_for_user(user=self.request.user)
        audit_files = audit_file_list_for_user(user=self.request.user)[:24]
        return render(self.request, "enrollment/files.html",
                      {"batches": batches, "audit_files": audit_files, "form": form},
                      status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AcknowledgmentUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form)
        upload = form.cleaned_data["file"]
        try:
            ack = acknowledgment_load(data=upload.read(MAX_BYTES + 1), filename=upload.name,
                                      plans=user_plan_list(user=request.user),
                                      actor=request.user)
        except DomainError as refusal:
            form.add_error("file", str(refusal))
            return self.page(form)
        messages.success(request, f"{ack.get_kind_display()} loaded for batch "
                                  f"{ack.batch.number}: {ack.get_outcome_display()}.")
        return redirect("enrollment:file_detail", pk=ack.batch_id)



class FileDetailView(PlanStaffMixin, View):
    """One 834 batch of the user's own plans: its status, acknowledgments and the member
    loops each 999 named in error, with the reason in plain English (issue 17)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = batch_for_user(user=request.user, pk=pk)
        if batch is None:
            raise Http404("No such 834 batch.")
        acknowledgments = list(acknowledgments_of(batch=batch))
        member_ids = list(dict.fromkeys(e.member_id for a in acknowledgments
                                        for e in a.errors.all() if e.member_id))
        if member_ids:  # the page names members: ASVS 4.0.3 7.1.3, as the download
            audit_record(AuditAction.VIEW, "834 acknowledgment", batch.label,
                         member_ids=member_ids, detail="834 Files batch page")
        return render(request, "enrollment/file_detail.html",
                      {"batch": batch, "acknowledgments": acknowledgments})



class FileDownloadView(PlanStaffMixin, View):
    """Download one 834 batch of the user's own plans; another plan's is not found."""

    def get(self, request: HttpRequest, pk: int) -> StreamingHttpResponse:
        return batch_download(get_object_or_404(batch_list_for_user(user=request.user), pk=pk))


def batch_download(batch: Batch834) -> StreamingHttpResponse:
    """Stream *batch* as an attachment, audited (the page's download and the API's).

    One audit row per member whose loop the file carries, so that the audit log's member ID
    filter shows the data leaving in this file (ASVS 4.0.3 7.1.3; issue 15).
    """
    audit_record(AuditAction.DOWNLOAD, "834 batch", batch.label,
                 member_ids=batch_member_ids(batch=batch),
                 detail=f"{batch.loop_count} member loops, {batch.filename}")
    response = StreamingHttpResponse(batch_stream(batch=batch),
                                     content_type="application/edi-x12")
    response["Content-Disposition"] = f'attachment; filename="{batch.filename}"'
    return response



class AuditFileDownloadView(PlanStaffMixin, View):
    """Download the audit 834 of one of the user's plans, byte for byte as first written.

    The file is written again to a temporary file (``audit_file_write`` refuses other
    bytes than the first write's) and sent from there.
    """

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        audit_file = get_object_or_404(audit_file_list_for_user(user=request.user), pk=pk)
        with tempfile.TemporaryDirectory(prefix="posc-audit-") as tmp:
            path = Path(tmp) / audit_file.filename
            try:
                audit_file_write(audit_file=audit_file, path=path)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("enrollment:files")
            handle = path.open("rb")  # still readable once the directory is gone (POSIX)
        audit_record(AuditAction.DOWNLOAD, "834 audit file", audit_file.label,
                     member_ids=audit_file_member_ids(audit_file=audit_file),
                     detail=f"{audit_file.loop_count} member loops, {audit_file.filename}")
        return FileResponse(handle, as_attachment=True, filename=audit_file.filename,
                            content_type="application/edi-x12")



def _roster_plans(user) -> list[str]:
    return [p.provider_id for p in user_plan_list(user=user) if p.program in Program.integrated()]



class ReconciliationView(PlanStaffMixin, View):
    """Reconciliation: upload the plan's roster for a month; the plan's past reconciliations."""

    def form(self, data=None, files=None) -> RosterForm:
        return RosterForm(data, files, provider_ids=_roster_plans(self.request.user),
                          today=today_eastern(request_now(self.request)))

    def page(self, form: RosterForm) -> HttpResponse:
        past = reconciliation_list_for_user(user=self.request.user).filter(
            plan__provider_id__in=_roster_plans(self.request.user))[:24]
        return render(self.request, "enrollment/reconciliation.html",
                      {"form": form, "reconciliations": past})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(self.form())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form)
        data = form.cleaned_data
        plan = Plan.objects.get(provider_id=data["provider_id"])
        try:
            reconciliation = reconciliation_run(
                plan=plan, month=data["month"], roster=data["rows"],
                file_name=data["roster"].name, token=data["submission_token"] or uuid.uuid4(),
                actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.page(form)
        return redirect("enrollment:reconciliation_detail", pk=reconciliation.pk)



class ReconciliationAccessMixin(LoginRequiredMixin):
    """Plan staff open their plans' reconciliations; Enrollment Operations every plan's."""

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not (user_programs(user=request.user) or request.user.has_perm(VIEW_ALL)):
            raise PermissionDenied("Only health plan staff and Enrollment Operations see "
                                   "reconciliations.")
        return super().dispatch(request, *args, **kwargs)

    def reconciliation(self, pk: int) -> Reconciliation:
        return get_object_or_404(reconciliation_list_for_user(user=self.request.user), pk=pk)



DIFFERENCES_PER_PAGE = 100



class ReconciliationDetailView(ReconciliationAccessMixin, View):
    """One reconciliation: its counts and its differences, a page at a time, by kind."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        reconciliation = self.reconciliation(pk)
        kinds = ReconciliationDifference.Kind
        kind = request.GET.get("kind", "")
        differences = reconciliation.differences.order_by("kind", "member_id", "pk")
        if kind in kinds.values:
            differences = differences.filter(kind=kind)
        else:
            kind = ""
        page = Paginator(differences, DIFFERENCES_PER_PAGE).get_page(request.GET.get("page"))
        audit_record(AuditAction.VIEW, "reconciliation", reconciliation.label,
                     member_ids=[d.member_id for d in page],
                     detail=f"differences page {page.number}{f' {kind}' if kind else ''}")
        return render(request, "enrollment/reconciliation_detail.html", {
            "reconciliation": reconciliation, "page": page, "kind": kind,
            "kinds": [(k, kinds(k).label, getattr(reconciliation, f"{k.lower()}_count"))
                      for k in kinds.values]})



class ReconciliationXlsxView(ReconciliationAccessMixin, View):
    """The reconciliation as a workbook: the summary and every difference."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        reconciliation = self.reconciliation(pk)
        differences = list(reconciliation.differences.order_by("kind", "member_id", "pk"))
        audit_record(AuditAction.DOWNLOAD, "reconciliation", reconciliation.label,
                     member_ids=[d.member_id for d in differences],
                     detail=f"{len(differences)} differences, xlsx")
        response = HttpResponse(reconciliation_xlsx(reconciliation, differences),
                                content_type=XLSX_CONTENT_TYPE)
        name = f"reconciliation_{reconciliation.plan.provider_id}_{reconciliation.month:%Y%m}"
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response



class ReconciliationOverviewView(LoginRequiredMixin, View):
    """Enrollment Operations: every SCO and One Care plan's last reconciliation, counted."""

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm(VIEW_ALL):  # whatever the method
            raise PermissionDenied("Only Enrollment Operations see every plan's reconciliation.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = reconciliation_latest_per_plan()
        audit_record(AuditAction.VIEW, "reconciliation", detail="last reconciliation per plan")
        return render(request, "enrollment/reconciliation_overview.html", {"rows": rows})
