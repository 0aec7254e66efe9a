"""Append-only case history (Salesforce CaseHistory, domain.md G)."""

from django.conf import settings
from django.db import models

from crm_tracker.models.case import Case
from posc.history import AppendOnlyModel


class CaseHistory(AppendOnlyModel):
    """An append-only row per change of a case field (Salesforce CaseHistory, domain.md G).

    Values are display strings of at most 255 characters, as in Salesforce; the SSN is
    stored masked.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="history")
    field = models.CharField(max_length=40)
    old_value = models.CharField("old value", max_length=255, blank=True)
    new_value = models.CharField("new value", max_length=255, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="changed by")
    changed_at = models.DateTimeField("changed at", db_index=True)
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["case", "changed_at", "pk"]
        default_permissions = ("view",)  # no add, change or delete permission exists
        verbose_name = "case history row"
        verbose_name_plural = "case history"
        indexes = [models.Index(fields=["field", "case"], name="case_history_field_idx")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.field}: {self.old_value} → {self.new_value}"

    @property
    def field_label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)


FIELD_LABELS = {
    "created": "Created",
    "case_type": "Case type",
    "record_type": "Case Record Type",
    "category": "Category",
    "sub_category": "Sub-Category",
    "disposition": "Disposition",
    "child_disposition": "Child Disposition",
    "csr_disposition": "CSR disposition",
    "status": "Status",
    "owner_queue": "Owner",
    "owner_user": "Owner (user)",
    "work_queue": "Waiting in",
    "subject": "Subject",
    "crm_documentation": "CRM documentation",
    "participant_names": "Participant Name(s)",
    "masshealth_id": "MassHealth ID (MA)",
    "ssn": "SSN",
    "requested_plan": "Requested MCO",
    "requested_provider_name": "New Provider Name",
    "for_cause_reason": "For Cause Reason",
    "provider_termination": "Provider leaving the MCO",
    "current_mco_auto_assigned": "Was the current MCO auto-assigned?",
    "current_mco_start": "Current MCO start date",
    "consumer_issues_resolved": "Were the Consumer's issues resolved?",
    "supervisor_requested": "Did the Consumer request a Supervisor?",
    "vetting": "QC vetting",
    "vetting_reason": "QC vetting reason",
    "mmis_result": "MMIS result",
    "mmis_processed_on": "Date processed in MMIS",
    "not_processed_reason": "Reason not processed",
    "outreach_supervisor": "Outreach Supervisor",
    "outreach_attempts": "Outreach attempts",
    "outreach_first_notes": "Outreach 1st Attempt documentation",
    "outreach_second_notes": "Outreach 2nd Attempt documentation",
    "outreach_first_outcome": "Outreach 1st Attempt outcome",
    "outreach_first_contact": "Outreach 1st Attempt contact used",
    "outreach_second_outcome": "Outreach 2nd Attempt outcome",
    "outreach_second_contact": "Outreach 2nd Attempt contact used",
    "closed_at": "Closed",
}
