"""The models of the plans' monthly files (issue 17 §4): the audit 834 and the roster
reconciliation. enrollment/models.py imports them, so that Django registers them there.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from posc.history import AppendOnlyModel
from posc.members.models import Plan
from posc.models import BaseModel

# Control numbers of the monthly audit files: a range of their own, so that the daily
# batches keep their 1, 2, 3 … with no gap (mmis-rules.md) and no interchange of a plan
# ever repeats an ISA13 (docs/834.md, "The audit file").
AUDIT_CONTROL_BASE = 900_000_000



class AuditFile834(BaseModel):
    """The full-file (audit) 834 of one plan on one date: every member in force that day.

    Numbered 1, 2, 3 … per plan by a counter of its own (not Batch834's): an audit file
    carries no transaction, and taking a daily batch number would leave a gap in the
    plan's batches. Its control number is ``AUDIT_CONTROL_BASE + number``. One per plan
    and date: the monthly task run twice, or the command for a date already done, writes
    the same file again.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="audit_files")
    as_of = models.DateField("in force on")
    number = models.PositiveIntegerField()
    cut_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    loop_count = models.PositiveIntegerField(default=0)
    # Set the first time the file is written; a later write must give the same bytes.
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["plan", "-as_of"]
        verbose_name = "834 audit file"
        verbose_name_plural = "834 audit files"
        constraints = [
            models.UniqueConstraint(fields=["plan", "as_of"], name="audit_file_one_per_day"),
            models.UniqueConstraint(fields=["plan", "number"],
                                    name="audit_file_number_unique_per_plan"),
            models.CheckConstraint(condition=Q(number__gte=1) & Q(number__lt=100_000_000),
                                   name="audit_file_number_in_range"),
        ]

    def __str__(self) -> str:
        return f"834 audit file {self.as_of:%m/%d/%Y} for {self.plan.provider_id}"

    @property
    def control_number(self) -> int:
        return AUDIT_CONTROL_BASE + self.number

    @property
    def filename(self) -> str:
        return f"834_{self.plan.provider_id}_audit_{self.as_of:%Y%m%d}.x12"

    @property
    def label(self) -> str:
        return f"{self.plan.provider_id}-audit-{self.as_of:%Y%m%d}"



class Reconciliation(AppendOnlyModel, BaseModel):
    """A plan's roster for a month compared with the members the state has in force.

    The counts and the difference rows are stored when the roster is uploaded, so that
    the page and the spreadsheet show the same differences however the spans change later.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reconciliations")
    month = models.DateField("month")  # its first day: the state's side is in force that day
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    submission_token = models.UUIDField(unique=True)
    file_name = models.CharField("roster file", max_length=255)
    roster_count = models.PositiveIntegerField("members on the roster")
    state_count = models.PositiveIntegerField("members the state has")
    matched_count = models.PositiveIntegerField("members who match")
    state_only_count = models.PositiveIntegerField("missing from the roster")
    plan_only_count = models.PositiveIntegerField("not with the plan at the state")
    rate_cell_count = models.PositiveIntegerField("rate cell mismatches")
    start_date_count = models.PositiveIntegerField("start date mismatches")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["plan", "-created_at"], name="reconciliation_plan_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="reconciliation_month_first"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.provider_id} roster for {self.month:%m/%Y}"

    @property
    def label(self) -> str:
        return f"{self.plan.provider_id}-{self.month:%Y%m}-{self.pk}"

    @property
    def difference_count(self) -> int:
        return (self.state_only_count + self.plan_only_count + self.rate_cell_count
                + self.start_date_count)



class ReconciliationDifference(AppendOnlyModel):
    """One difference between the roster and the state: a member on one side only, or a
    member on both with another rate cell or start date (one row for each mismatch)."""

    class Kind(models.TextChoices):
        STATE_ONLY = "STATE_ONLY", "Enrolled at the state, not on your roster"
        PLAN_ONLY = "PLAN_ONLY", "On your roster, not enrolled with you at the state"
        RATE_CELL = "RATE_CELL", "Rate cell differs"
        START_DATE = "START_DATE", "Start date differs"

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.PROTECT,
                                       related_name="differences", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind)
    # Not a foreign key: a roster may name a member the state does not know.
    member_id = models.CharField("Member ID", max_length=12)
    roster_row = models.PositiveIntegerField("roster row", null=True, blank=True)
    state_rate_cell = models.CharField("state rate cell", max_length=20, blank=True)
    roster_rate_cell = models.CharField("roster rate cell", max_length=20, blank=True)
    state_start_date = models.DateField("state start date", null=True, blank=True)
    roster_start_date = models.DateField("roster start date", null=True, blank=True)

    class Meta:
        ordering = ["reconciliation", "kind", "member_id"]
        indexes = [models.Index(fields=["reconciliation", "kind", "member_id"],
                                name="recon_difference_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.get_kind_display()}"
