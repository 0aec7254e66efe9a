"""The permissions each role needs in this app (merged into posc.roles.ROLE_PERMISSIONS).

Each role holds only the custom permission of its step of seed 003 (Case.Meta.permissions);
every tracker view checks one of them.
"""

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Takes the call and opens the case; sees the SSN typed on their own case pages.
    "CSR": [
        "crm_tracker.intake_case",
        "crm_tracker.view_full_ssn",
    ],
    # Runs the QC report, vets cases true or false, relabels cases not processed.
    "QC Team Lead": [
        "crm_tracker.vet_case",
        "crm_tracker.view_all_cases",
        "crm_tracker.view_full_ssn",
        "crm_tracker.export_case",
        "crm_tracker.view_tracker_reports",
    ],
    # Works the "True" cases in MMIS from the spreadsheet and sends it back.
    "State Monitor": [
        "crm_tracker.monitor_case",
        "crm_tracker.view_full_ssn",
        "crm_tracker.export_case",
    ],
    # Two outreach attempts on their team's cases; sees the team's relabel rates.
    "Supervisor": [
        "crm_tracker.outreach_case",
        "crm_tracker.view_tracker_reports",
    ],
    # Maintains the taxonomy, provider-termination events and CSR → Supervisor links in the
    # admin (never deleting: a CSR changes Supervisor by an edit), and corrects cases there
    # (status and owner follow the taxonomy); never the full SSN.
    "Enrollment Operations": [
        "crm_tracker.view_case",
        "crm_tracker.change_case",
        "crm_tracker.view_casehistory",
        "crm_tracker.view_recordtype",
        "crm_tracker.view_category",
        "crm_tracker.view_subcategory",
        "crm_tracker.view_disposition",
        "crm_tracker.view_childdisposition",
        "crm_tracker.view_casestatus",
        "crm_tracker.view_queue",
        "crm_tracker.view_taxonomycombination",
        "crm_tracker.view_providertermination",
        "crm_tracker.add_providertermination",
        "crm_tracker.change_providertermination",
        "crm_tracker.view_supervisorassignment",
        "crm_tracker.add_supervisorassignment",
        "crm_tracker.change_supervisorassignment",
    ],
}
