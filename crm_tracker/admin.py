"""Admin for Enrollment Operations: the taxonomy, provider terminations, teams and cases.

Cases are corrected here through ``case_edit`` (a relabel sets the combination's Status and
Owner and writes history); status, owner and queue stay read-only, workflow moves are
actions that call the services, and the history can be read but never changed.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import pluralize

from audit.admin import AuditedAdminMixin
from crm_tracker import services
from crm_tracker.forms import ssn_digits
from crm_tracker.models import (
    TAXONOMY_FIELDS,
    Case,
    CaseHistory,
    CaseStatus,
    Category,
    ChildDisposition,
    Disposition,
    ProviderTermination,
    Queue,
    RecordType,
    SubCategory,
    SupervisorAssignment,
    TaxonomyCombination,
    TaxonomyNotAllowed,
    taxonomy_combination,
)
from crm_tracker.taxonomy import check_correction
from posc.clock import request_now
from posc.exceptions import DomainError
from posc.members.admin import ReadOnlyAdminMixin, ReadOnlyInline


@admin.register(RecordType, Category, SubCategory, Disposition, ChildDisposition)
class PicklistAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order"]


@admin.register(CaseStatus)
class CaseStatusAdmin(admin.ModelAdmin):
    list_display = ["name", "is_closed", "sort_order"]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ["name", "description"]


@admin.register(TaxonomyCombination)
class TaxonomyCombinationAdmin(admin.ModelAdmin):
    list_display = ["step", "record_type", "category", "sub_category", "disposition",
                    "child_disposition", "status", "owner_queue", "work_queue"]
    list_select_related = ["record_type", "category", "sub_category", "disposition",
                           "child_disposition", "status", "owner_queue", "work_queue"]


@admin.register(ProviderTermination)
class ProviderTerminationAdmin(admin.ModelAdmin):
    list_display = ["provider_name", "plan", "choice_period_start", "choice_period_end"]
    list_select_related = ["plan"]


@admin.register(SupervisorAssignment)
class SupervisorAssignmentAdmin(admin.ModelAdmin):
    list_display = ["csr", "supervisor"]
    list_select_related = ["csr", "supervisor"]


class CaseHistoryInline(ReadOnlyInline):
    model = CaseHistory
    fields = ["changed_at", "field", "old_value", "new_value", "changed_by", "reason"]
    readonly_fields = fields


class CaseAdminForm(forms.ModelForm):
    # Write-only: the admin never shows the full SSN, but may correct it.
    corrected_ssn = forms.CharField(label="Corrected SSN", max_length=11, required=False,
                                    help_text="Leave empty to keep the SSN. 9 digits.")
    change_reason = forms.CharField(label="Reason for the change", max_length=255,
                                    help_text="Written to the case history.")

    def clean(self) -> dict:
        """Refuse another step's taxonomy here too (crm_tracker.taxonomy.check_correction)."""
        data = super().clean()
        if self.instance.pk and all(data.get(f) for f in TAXONOMY_FIELDS):
            try:
                check_correction(case=self.instance, combination=taxonomy_combination(
                    **{f: data[f] for f in TAXONOMY_FIELDS}))
            except TaxonomyNotAllowed as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from None
        return data

    def clean_corrected_ssn(self) -> str:
        typed = self.cleaned_data["corrected_ssn"].strip()
        if not typed:
            return ""
        return ssn_digits(typed)

    class Meta:
        model = Case
        fields = list(services.EDITABLE_FIELDS)


@admin.register(Case)
class CaseAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = CaseAdminForm
    list_display = ["number", "case_type", "subject", "ssn_masked", "status", "owner",
                    "work_queue", "created_by", "created_at"]
    list_filter = ["case_type", "status", "work_queue", "disposition"]
    list_select_related = ["status", "owner_queue", "owner_user", "work_queue", "created_by"]
    # An exact number lookup, not iexact on text: "00000013", as the case is shown, finds 13.
    search_fields = ["case_number__exact", "=masshealth_id", "participant_names"]
    readonly_fields = ["number", "case_type", "ssn_masked", "csr_disposition", "status",
                       "owner_queue", "owner_user", "work_queue", "for_cause_reason",
                       "provider_termination", "vetting", "vetting_reason", "mmis_result",
                       "mmis_processed_on", "not_processed_reason", "outreach_supervisor",
                       "outreach_attempts", "outreach_first_notes", "outreach_second_notes",
                       "created_by", "created_at", "closed_at"]
    fieldsets = [
        (None, {"fields": ["number", "case_type", "status", "owner_queue", "owner_user",
                           "work_queue"]}),
        ("Taxonomy", {"fields": ["record_type", "category", "sub_category", "disposition",
                                 "child_disposition", "csr_disposition"]}),
        ("Consumer", {"fields": ["participant_names", "masshealth_id", "ssn_masked",
                                 "corrected_ssn",
                                 "requested_plan", "requested_provider_name",
                                 "for_cause_reason", "provider_termination",
                                 "consumer_issues_resolved", "supervisor_requested"]}),
        ("CRM", {"fields": ["subject", "crm_documentation"]}),
        ("Workflow", {"fields": ["vetting", "vetting_reason", "mmis_result",
                                 "mmis_processed_on", "not_processed_reason",
                                 "outreach_supervisor", "outreach_attempts",
                                 "outreach_first_notes", "outreach_second_notes",
                                 "created_by", "created_at", "closed_at"]}),
        ("Change", {"fields": ["change_reason"]}),
    ]
    inlines = [CaseHistoryInline]
    actions = ["vet_true", "vet_false"]
    show_full_result_count = False

    @admin.display(description="case number", ordering="case_number")
    def number(self, obj: Case) -> str:
        return obj.number

    @admin.display(description="SSN")
    def ssn_masked(self, obj: Case) -> str:
        return obj.ssn_masked

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # cases come from CSR intake

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a case is a record; its history points at it

    def has_vet_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("crm_tracker.vet_case")

    def save_model(self, request: HttpRequest, obj: Case, form: CaseAdminForm,
                   change: bool) -> None:
        """Write the edit through case_edit (validated taxonomy, history rows)."""
        changes = {f: form.cleaned_data[f] for f in form.changed_data
                   if f in services.EDITABLE_FIELDS}
        if form.cleaned_data.get("corrected_ssn"):
            changes["ssn"] = form.cleaned_data["corrected_ssn"]
        if changes:
            services.case_edit(case=obj, changes=changes, actor=request.user,
                               reason=form.cleaned_data["change_reason"],
                               now=request_now(request))

    def _vet(self, request: HttpRequest, queryset: QuerySet[Case], *, true_case: bool) -> None:
        done = 0
        for case in queryset:
            try:
                services.case_vet(case=case, true_case=true_case, actor=request.user,
                                  reason="QC vetting in the admin",
                                  now=request_now(request))
            except DomainError as exc:
                self.message_user(request, f"Case {case.number}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} case{pluralize(done)} vetted.", messages.SUCCESS)

    @admin.action(description="Vet as True tracker case (to the State Monitors)",
                  permissions=["vet"])
    def vet_true(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        self._vet(request, queryset, true_case=True)

    @admin.action(description="Vet as False tracker case (to Supervisor outreach)",
                  permissions=["vet"])
    def vet_false(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        self._vet(request, queryset, true_case=False)


@admin.register(CaseHistory)
class CaseHistoryAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: readable, never added, changed or deleted here."""

    list_display = ["case", "field", "old_value", "new_value", "changed_by", "changed_at",
                    "reason"]
    list_filter = ["field"]
    list_select_related = ["case", "changed_by"]
    search_fields = ["case__case_number__exact"]
    date_hierarchy = "changed_at"
