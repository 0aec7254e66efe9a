"""Tracker writes: intake, QC vetting, State Monitor results, Supervisor outreach, admin edits.

One module per part of seed 003's process; import the services from here. Every service is
keyword-only, takes the case it changes and the ``actor``, and ``today``/``now`` from its
caller; it owns its transaction, locks the case, guards the move with the transition table
(crm_tracker.workflow), and writes one CaseHistory row per changed field and an audit row
in that same transaction (domain.md G, "Cases with History").
"""

from crm_tracker.services.changes import display_value
from crm_tracker.services.edit import EDITABLE_FIELDS, case_edit
from crm_tracker.services.intake import case_intake, case_texts
from crm_tracker.services.monitor_sheet import monitor_sheet_import
from crm_tracker.services.steps import case_mmis_record, case_outreach, case_vet, case_vet_bulk

__all__ = [
    "EDITABLE_FIELDS",
    "case_edit",
    "case_intake",
    "case_mmis_record",
    "case_outreach",
    "case_texts",
    "case_vet",
    "case_vet_bulk",
    "display_value",
    "monitor_sheet_import",
]
