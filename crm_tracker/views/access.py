"""What every tracker page shares: who may enter, the audited case and case lists, downloads.

Every view checks the permission of its step (crm_tracker/roles.py); every page that shows
a member is audited (HIPAA 45 CFR 164.312(b)).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from audit.services import record_list as audit_record_list
from crm_tracker import selectors
from crm_tracker.forms import CaseNarrowForm
from crm_tracker.models import Case
from posc.clock import request_now, today_eastern
from posc.xlsx import XLSX_CONTENT_TYPE as XLSX

TRACKER_PERMS = ("intake_case", "vet_case", "monitor_case", "outreach_case", "view_all_cases")


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


def case_or_404(request: HttpRequest, number: str) -> Case:
    """Return the case *number* the user may see (404 otherwise), its viewing audited."""
    case = selectors.case_get_for_user(user=request.user, number=number)
    if case is None:
        raise Http404("No such case.")
    # Every case page shows the member: audited (HIPAA 45 CFR 164.312(b)).
    audit_record(AuditAction.VIEW, "tracker case", case.number, member_ids=[case.masshealth_id],
                 detail=f"{request.method} {request.resolver_match.url_name}")
    return case


def case_details(request: HttpRequest, case: Case) -> dict:
    """Return what the case's details and history need (the case page, the QC Vetting page)."""
    return {"case": case, "show_ssn": request.user.has_perm("crm_tracker.view_full_ssn"),
            "history": case.history.select_related("changed_by").order_by("changed_at", "pk")}


def listed(request: HttpRequest, cases, action: str = AuditAction.VIEW) -> list[Case]:
    """Return *cases* as a list, audited: one row per member the page lists."""
    cases = list(cases)
    audit_record_list(action, "tracker case", cases,
                      detail=f"{request.resolver_match.url_name}: {len(cases)} cases")
    return cases


def narrowed(request: HttpRequest, cases):
    """Return *cases* narrowed by the dashboard's parameters in the address (issue 18).

    Bad parameters narrow nothing and say so: the whole list is shown.
    """
    if not request.GET:
        return cases
    form = CaseNarrowForm(request.GET)
    if not form.is_valid():
        messages.error(request, "The list's filter in the address is not valid: the whole "
                                "list is shown.")
        return cases
    return selectors.cases_narrowed(cases, **form.narrowing())


def case_list_page(request: HttpRequest, cases, title: str, intro: str = "") -> HttpResponse:
    """Render a list of cases (audited, one row per member listed) under *title*."""
    return render(request, "crm_tracker/case_list.html",
                  {"cases": listed(request, cases), "title": title, "intro": intro})


def download(request: HttpRequest, content: bytes, name: str,
             content_type: str) -> HttpResponse:
    """Return *content* as an attachment named after *name* and today's date."""
    extension = "xlsx" if content_type == XLSX else "csv"
    response = HttpResponse(content, content_type=content_type)
    stamp = today_eastern(request_now(request)).strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{extension}"'
    return response
