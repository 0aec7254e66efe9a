"""The Supervisor's lists (outreach, Supervisor Requested, team cases) and the reports."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crm_tracker import selectors
from crm_tracker.views.access import case_list_page, narrowed, needs
from posc.clock import request_now


@needs("outreach_case")
def outreach_queue(request: HttpRequest) -> HttpResponse:
    """List the Supervisor's cases waiting for outreach."""
    return case_list_page(request, narrowed(request, selectors.outreach_queue(user=request.user)),
                          "Outreach Queue",
                          "Cases of your team escalated in error or not processed by the "
                          "State Monitors: two outreach attempts each.")


@needs("outreach_case")
def supervisor_requested(request: HttpRequest) -> HttpResponse:
    """List the team's cases where the consumer asked for a Supervisor, open ones first."""
    return case_list_page(request, selectors.supervisor_requested(user=request.user),
                          "Supervisor Requested",
                          "Cases of your team where the consumer answered Yes to Did the "
                          "Consumer request a Supervisor?, open cases first, newest first.")


@needs("outreach_case")
def team_cases(request: HttpRequest) -> HttpResponse:
    """List every case opened by the Supervisor's CSRs."""
    return case_list_page(request, selectors.team_cases(user=request.user)[:200],
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
