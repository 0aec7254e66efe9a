"""MCO Manual Tracker: Salesforce-style CRM cases, their taxonomy as data, and their history.

Seed 003 replaces an e-mail and Excel tracker with CRM cases. The Case mirrors the Salesforce
Service Cloud case (domain.md G): an auto-number that cannot be changed, a record type,
dependent picklists (Category → Sub-Category → Disposition → Child Disposition), a status
that knows whether it is closed, and an owner that is a user or a queue.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q, Value

from crm_tracker.models.taxonomy import (
    TAXONOMY_FIELDS,
    CaseStatus,
    Category,
    ChildDisposition,
    Disposition,
    ProviderTermination,
    Queue,
    RecordType,
    SubCategory,
    TaxonomyNotAllowed,
    taxonomy_combination,
)
from posc.members.models import Plan, Program


class SupervisorAssignment(models.Model):
    """Each CSR has a Supervisor, who does the outreach on the CSR's cases (seed 003)."""

    csr = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="crm_supervision", verbose_name="CSR")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="crm_team")

    class Meta:
        ordering = ["supervisor", "csr"]
        constraints = [models.CheckConstraint(condition=~Q(csr=F("supervisor")),
                                              name="supervisor_not_self")]

    def __str__(self) -> str:
        return f"{self.csr} → {self.supervisor}"


class CaseType(models.TextChoices):
    """The four kinds of case the seed sends for MCO enrollment "consideration"."""

    ANGELA_MELODY = "ANGELA_MELODY", "Angela Melody"
    MCT_SPAN = "MCT_SPAN", "MCT Span"
    FOR_CAUSE = "FOR_CAUSE", "For Cause Reason"
    INCORRECT_SELECTION = "INCORRECT_SELECTION", "Incorrect Selection"


class ForCauseReason(models.TextChoices):
    # Seed 003; domain.md D2 maps them to the fixed-enrollment exceptions (ARC is unknown).
    HOMELESS = "HOMELESS", "Homeless Consumer"
    FOSTER_CARE = "FOSTER_CARE", "Foster Care Consumer"
    ARC = "ARC", "ARC"
    NEW_COUNTY = "NEW_COUNTY", "New County"
    FAMILY_UNIFICATION = "FAMILY_UNIFICATION", "Family Unification"


class Vetting(models.TextChoices):
    TRUE = "TRUE", "True tracker case"
    FALSE = "FALSE", "False tracker case"


class MmisResult(models.TextChoices):
    PROCESSED = "PROCESSED", "Processed"
    NOT_PROCESSED = "NOT_PROCESSED", "Not Processed"


class OutreachOutcome(models.TextChoices):
    """What came of a Supervisor's call (seed 003 asks for two attempts; the outcomes are
    the ones a call log keeps, issue 13 point 14)."""

    REACHED = "REACHED", "Reached the consumer"
    LEFT_MESSAGE = "LEFT_MESSAGE", "Left a message"
    NO_ANSWER = "NO_ANSWER", "No answer"
    WRONG_NUMBER = "WRONG_NUMBER", "Wrong number"
    NOT_IN_SERVICE = "NOT_IN_SERVICE", "Number not in service"
    OTHER = "OTHER", "Other (see the documentation)"


def mask_ssn(ssn: str) -> str:
    """Return *ssn* masked to its last four digits: ``***-**-1234``."""
    return f"***-**-{ssn[-4:]}" if ssn else ""


class Case(models.Model):
    """A CRM case of the MCO Manual Tracker (Salesforce Case, domain.md G)."""

    # Salesforce CaseNumber: an auto-number that cannot be set or changed (domain.md G).
    case_number = models.BigIntegerField(
        "case number", unique=True, editable=False,
        db_default=Func(Value("crm_tracker_case_number_seq"), function="nextval",
                        output_field=models.BigIntegerField()))
    case_type = models.CharField("case type", max_length=20, choices=CaseType)
    # The one-time token of the intake page the case was posted from (posc.submission).
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    record_type = models.ForeignKey(RecordType, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="case record type")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    sub_category = models.ForeignKey(SubCategory, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="sub-category")
    disposition = models.ForeignKey(Disposition, on_delete=models.PROTECT, related_name="+")
    child_disposition = models.ForeignKey(ChildDisposition, on_delete=models.PROTECT,
                                          related_name="+", verbose_name="child disposition")
    # The disposition the CSR chose, kept after QC relabels the case (the QC report's export
    # shows it; the report itself selects on the current Disposition, seed 003).
    csr_disposition = models.ForeignKey(Disposition, on_delete=models.PROTECT, related_name="+",
                                        verbose_name="CSR disposition")
    status = models.ForeignKey(CaseStatus, on_delete=models.PROTECT, related_name="+")
    # Salesforce OwnerId is polymorphic: a user or a queue, exactly one of them.
    owner_queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True, verbose_name="owner (queue)")
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True,
                                   verbose_name="owner (user)")
    work_queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True, verbose_name="waiting in")
    subject = models.CharField(max_length=255)
    crm_documentation = models.TextField("CRM documentation")
    participant_names = models.CharField("Participant Name(s)", max_length=200)
    masshealth_id = models.CharField("MassHealth ID (MA)", max_length=12)
    ssn = models.CharField("SSN", max_length=9)
    requested_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, to_field="provider_id",
                                       related_name="+", null=True, blank=True,
                                       limit_choices_to={"program": Program.MCO},
                                       verbose_name="requested MCO")
    requested_provider_name = models.CharField("New Provider Name", max_length=120, blank=True)
    for_cause_reason = models.CharField("For Cause Reason", max_length=20,
                                        choices=ForCauseReason, blank=True)
    provider_termination = models.ForeignKey(ProviderTermination, on_delete=models.PROTECT,
                                             related_name="cases", null=True, blank=True,
                                             verbose_name="provider leaving the MCO")
    current_mco_auto_assigned = models.BooleanField("Was the current MCO auto-assigned?",
                                                    default=False)
    current_mco_start = models.DateField("Current MCO start date", null=True, blank=True)
    consumer_issues_resolved = models.BooleanField("Were the Consumer's issues resolved?",
                                                   default=False)
    supervisor_requested = models.BooleanField("Did the Consumer request a Supervisor?",
                                               default=False)
    vetting = models.CharField("QC vetting", max_length=5, choices=Vetting, blank=True)
    vetting_reason = models.TextField("QC vetting reason", blank=True)
    mmis_result = models.CharField("MMIS result", max_length=13, choices=MmisResult, blank=True)
    mmis_processed_on = models.DateField("Date processed in MMIS", null=True, blank=True)
    not_processed_reason = models.TextField("Reason not processed", blank=True)
    outreach_supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                            related_name="+", null=True, blank=True,
                                            verbose_name="outreach Supervisor")
    outreach_attempts = models.PositiveSmallIntegerField("outreach attempts", default=0)
    outreach_first_notes = models.TextField("Outreach 1st Attempt documentation", blank=True)
    outreach_second_notes = models.TextField("Outreach 2nd Attempt documentation", blank=True)
    outreach_first_outcome = models.CharField("Outreach 1st Attempt outcome", max_length=14,
                                              choices=OutreachOutcome, blank=True)
    outreach_first_contact = models.CharField("Outreach 1st Attempt contact used",
                                              max_length=120, blank=True)
    outreach_second_outcome = models.CharField("Outreach 2nd Attempt outcome", max_length=14,
                                               choices=OutreachOutcome, blank=True)
    outreach_second_contact = models.CharField("Outreach 2nd Attempt contact used",
                                               max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="crm_cases_created", verbose_name="created by")
    created_at = models.DateTimeField("created", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("updated", auto_now=True)
    closed_at = models.DateTimeField("closed", null=True, blank=True)

    class Meta:
        ordering = ["-case_number"]
        permissions = [
            ("intake_case", "Can take in tracker cases (CSR)"),
            ("vet_case", "Can vet tracker cases (QC Team Lead)"),
            ("monitor_case", "Can record MMIS processing of tracker cases (State Monitor)"),
            ("outreach_case", "Can do Supervisor outreach on tracker cases"),
            ("view_full_ssn", "Can see the full SSN on the case page"),
            ("export_case", "Can export tracker reports and spreadsheets"),
            ("view_all_cases", "Can see every tracker case"),
            ("view_tracker_reports", "Can see the relabel and time-in-status reports"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ssn__regex=r"^[0-9]{9}$"), name="case_ssn_9_digits"),
            models.CheckConstraint(condition=Q(masshealth_id__regex=r"^[0-9]{12}$"),
                                   name="case_ma_12_digits"),
            models.CheckConstraint(
                condition=(Q(owner_queue__isnull=False, owner_user__isnull=True)
                           | Q(owner_queue__isnull=True, owner_user__isnull=False)),
                name="case_owner_user_or_queue"),
            models.CheckConstraint(condition=Q(outreach_attempts__lte=2),
                                   name="case_outreach_at_most_two"),
        ]
        indexes = [models.Index(fields=["work_queue", "case_number"], name="case_queue_idx")]

    def __str__(self) -> str:
        # The subject carries only the masked SSN (services compose it), never the full one.
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("crm_tracker:case_detail", kwargs={"number": self.number})

    @property
    def number(self) -> str:
        """Return the case number as Salesforce shows it, e.g. ``00001234``."""
        return f"{self.case_number:08d}" if self.case_number else ""

    @property
    def ssn_masked(self) -> str:
        return mask_ssn(self.ssn)

    @property
    def ssn_formatted(self) -> str:
        """Return the full SSN as 900-12-3456 (only the case page shows it, by permission)."""
        return f"{self.ssn[:3]}-{self.ssn[3:5]}-{self.ssn[5:]}" if self.ssn else ""

    @property
    def owner(self):
        return self.owner_user or self.owner_queue

    @property
    def requested(self) -> str:
        """Return the MCO and/or provider the consumer asks for."""
        parts = [self.requested_plan.name if self.requested_plan else "",
                 self.requested_provider_name]
        return ", ".join(p for p in parts if p)

    @property
    def returned_by_monitor(self) -> bool:
        """Return True for a case the State Monitor sent back Not Processed, awaiting QC.

        Seed 003: it goes back to the QC Team, who relabel it False for Supervisor outreach
        (case_vet refuses True for it; the relabel sets the vetting to False).
        """
        return self.mmis_result == MmisResult.NOT_PROCESSED and self.vetting == Vetting.TRUE

    def clean(self) -> None:
        """Refuse a taxonomy outside the seed's matrix (forms, admin; services check too)."""
        if all(getattr(self, f"{f}_id") for f in TAXONOMY_FIELDS):
            try:
                taxonomy_combination(**{f: getattr(self, f) for f in TAXONOMY_FIELDS})
            except TaxonomyNotAllowed as exc:
                raise ValidationError(exc.message, code=exc.code) from None
