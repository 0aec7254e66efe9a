"""MCO Manual Tracker pages: intake, the case page, QC, State Monitor and Supervisor work.

One module per part of seed 003's process; crm_tracker/urls.py takes the views from here.
Thin views: a form, one service call, a DomainError shown as a form error, then a redirect
(post/redirect/get). Every view checks the permission of its step (crm_tracker/roles.py).
"""

from crm_tracker.views.cases import (
    CASE_TYPE_SLUGS,
    case_detail,
    case_intake,
    case_list,
    case_new,
    home,
)
from crm_tracker.views.monitor import monitor_export, monitor_import, monitor_queue
from crm_tracker.views.qc import qc_queue, qc_report, qc_report_export, qc_vet_bulk
from crm_tracker.views.steps import case_mmis, case_outreach, case_vet
from crm_tracker.views.team import outreach_queue, reports, supervisor_requested, team_cases

__all__ = [
    "CASE_TYPE_SLUGS",
    "case_detail",
    "case_intake",
    "case_list",
    "case_mmis",
    "case_new",
    "case_outreach",
    "case_vet",
    "home",
    "monitor_export",
    "monitor_import",
    "monitor_queue",
    "outreach_queue",
    "qc_queue",
    "qc_report",
    "qc_report_export",
    "qc_vet_bulk",
    "reports",
    "supervisor_requested",
    "team_cases",
]
