"""Enrollment and disenrollment transactions sent to MMIS, and the 834 batches that carry them."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from enrollment.file_models import (  # noqa: F401  (registered here, imported from here)
    AUDIT_CONTROL_BASE,
    AuditFile834,
    Reconciliation,
    ReconciliationDifference,
)
from posc.history import AppendOnlyModel
from posc.members.models import EnrollmentSpan, Member, Plan, RateCell
from posc.models import BaseModel


class DisenrollmentReason(models.TextChoices):
    """The Disenrollment Reason dropdown (mmis-rules.md; domain.md C3)."""

    MBR_REQ = "MBR_REQ", "Member request (voluntary)"
    ENR_OTHER = "ENR_OTHER", "Enrolled in another plan"
    MOVED_OOA = "MOVED_OOA", "Moved out of service area"
    DEATH = "DEATH", "Member deceased"
    LOSS_MH = "LOSS_MH", "Loss of MassHealth eligibility"
    LOSS_MCARE = "LOSS_MCARE", "Loss of Medicare Part A or B"
    NOT_ELIG = "NOT_ELIG", "No longer meets program requirements"
    INCARC = "INCARC", "Incarcerated"
    FRAUD = "FRAUD", "Fraud or abuse"
    FOR_CAUSE = "FOR_CAUSE", "For cause, approved by EOHHS"
    ADMIN_ERR = "ADMIN_ERR", "Administrative correction"


# 834 INS04 maintenance reason per disenrollment reason (mmis-rules.md).
INS04_FOR_REASON = {
    DisenrollmentReason.MBR_REQ: "14",
    DisenrollmentReason.ENR_OTHER: "14",
    DisenrollmentReason.MOVED_OOA: "43",
    DisenrollmentReason.DEATH: "03",
    DisenrollmentReason.LOSS_MH: "07",
    DisenrollmentReason.LOSS_MCARE: "07",
    DisenrollmentReason.NOT_ELIG: "07",
    DisenrollmentReason.INCARC: "07",
    DisenrollmentReason.FRAUD: "07",
    DisenrollmentReason.FOR_CAUSE: "07",
    DisenrollmentReason.ADMIN_ERR: "AI",
}
INS04_ENROLLMENT = "28"  # initial enrollment


class Batch834(BaseModel):
    """One 834 file cut for one plan; its number is the plan's control number (ISA13/GS06/ST02).

    Numbers run 1, 2, 3 … per plan with no gap and no reuse: the unique constraint refuses
    reuse and ``batch_cut`` takes the next number under a lock on the plan.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="batches")
    number = models.PositiveIntegerField()
    cut_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    loop_count = models.PositiveIntegerField(default=0)
    # A batch the plan rejected, sent again under this batch's number with the same loops
    # (batch_resend): the loops stay the entries of the first batch of the chain.
    resend_of = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="resent_as")
    # Set the first time the file is written; every later write must give the same bytes.
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = "834 batch"
        verbose_name_plural = "834 batches"
        # Issue 17: Enrollment Operations sends a batch the plan rejected again.
        permissions = [("resend_batch834", "Can send a rejected 834 batch again")]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="batch_number_unique_per_plan"),
            models.CheckConstraint(condition=Q(number__gte=1), name="batch_number_positive"),
        ]

    def __str__(self) -> str:
        return f"834 batch {self.number} for {self.plan.provider_id}"

    @property
    def filename(self) -> str:
        return f"834_{self.plan.provider_id}_{self.number:06d}.x12"

    @property
    def label(self) -> str:
        """The batch as the audit log names it: the plan's provider ID and the number."""
        return f"{self.plan.provider_id}-{self.number}"


class BatchStatus(models.TextChoices):
    """Where an 834 batch stands with its plan: the outcome of its latest acknowledgment."""

    SENT = "SENT", "Sent"
    ACCEPTED = "ACCEPTED", "Accepted"
    ACCEPTED_WITH_ERRORS = "ACCEPTED_WITH_ERRORS", "Accepted with errors"
    REJECTED = "REJECTED", "Rejected"


class Acknowledgment(AppendOnlyModel, BaseModel):
    """A 999 (or TA1) a plan returned for one 834 batch, as loaded; never changed.

    The batch's status is the outcome of its latest acknowledgment that has one (a TA1
    accepting the envelope says nothing of the content: the batch stays Sent until its 999).
    The file is kept as loaded (it names member IDs: the row is PHI, like the 834).
    """

    class Kind(models.TextChoices):
        ACK_999 = "999", "999 implementation acknowledgment"
        TA1 = "TA1", "TA1 interchange acknowledgment"

    class Outcome(models.TextChoices):
        ACCEPTED = BatchStatus.ACCEPTED.value, BatchStatus.ACCEPTED.label
        ACCEPTED_WITH_ERRORS = (BatchStatus.ACCEPTED_WITH_ERRORS.value,
                                BatchStatus.ACCEPTED_WITH_ERRORS.label)
        REJECTED = BatchStatus.REJECTED.value, BatchStatus.REJECTED.label
        INTERCHANGE_ACCEPTED = "INTERCHANGE_ACCEPTED", "Interchange accepted (TA1)"

    batch = models.ForeignKey(Batch834, on_delete=models.PROTECT, related_name="acknowledgments")
    kind = models.CharField(max_length=3, choices=Kind)
    outcome = models.CharField(max_length=20, choices=Outcome)
    code = models.CharField("acknowledgment code", max_length=3)  # IK5/AK9, or TA104
    reason = models.CharField(max_length=500, blank=True)  # plain English, IK502… or TA105
    control = models.CharField("acknowledgment's ISA13", max_length=9)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    content = models.TextField()
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One file is loaded once (a double post or a rerun of the command is refused).
            models.UniqueConstraint(fields=["batch", "sha256"], name="ack_file_once_per_batch"),
        ]
        indexes = [models.Index(fields=["batch", "-created_at"], name="ack_batch_latest_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.batch}: {self.get_outcome_display()}"


class AcknowledgmentError(AppendOnlyModel):
    """One segment of the 834 a 999 named in error (IK3 with its IK4s), with its member loop."""

    acknowledgment = models.ForeignKey(Acknowledgment, on_delete=models.PROTECT,
                                       related_name="errors")
    # The member loop holding the segment; None for a segment outside every loop (header).
    transaction = models.ForeignKey("EnrollmentTransaction", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="ack_errors")
    member_id = models.CharField("member ID", max_length=50, blank=True)
    segment_id = models.CharField(max_length=3)  # IK301
    position = models.PositiveIntegerField()  # IK302, ST = 1
    loop_id = models.CharField(max_length=6, blank=True)  # IK303
    code = models.CharField("segment error code", max_length=3, blank=True)  # IK304
    elements = models.JSONField(default=list, blank=True)  # IK4s: position, reference, code
    reason = models.CharField(max_length=1000)

    class Meta:
        ordering = ["acknowledgment", "position", "pk"]
        verbose_name = "acknowledgment error"

    def __str__(self) -> str:
        return f"{self.segment_id} at {self.position}: {self.reason}"


class EnrollmentTransaction(AppendOnlyModel, BaseModel):
    """A request sent to MMIS at Submit, with MMIS's answer. Never changed once answered.

    ``token`` is the one-time token of the form that sent it: a re-post with the same
    token returns this row instead of sending a new request.
    """

    class Kind(models.TextChoices):
        ENROLL = "ENROLL", "Enrollment"
        DISENROLL = "DISENROLL", "Disenrollment"
        # The 834 loops of an enrollment adjustment (issue 17 §1): never a panel's request.
        RETRO_ADD = "RETRO_ADD", "Retro enrollment (021)"
        RETRO_TERM = "RETRO_TERM", "Retro disenrollment (024)"
        REINSTATE = "REINSTATE", "Reinstatement (025)"

    class Status(models.TextChoices):
        ACCEPTED = "ACCEPTED", "Accepted"
        REJECTED = "REJECTED", "Rejected"

    reference = models.CharField(max_length=20, unique=True)
    token = models.UUIDField(unique=True)
    kind = models.CharField(max_length=10, choices=Kind)
    status = models.CharField(max_length=10, choices=Status)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transactions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="transactions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="enrollment_transactions")
    request_date = models.DateField("request date")
    effective_date = models.DateField("effective date")
    reason = models.CharField("disenrollment reason", max_length=10, choices=DisenrollmentReason,
                              blank=True)
    rate_cell = models.ForeignKey(RateCell, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    span = models.ForeignKey(EnrollmentSpan, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="transactions")
    cancellation = models.BooleanField(default=False)
    codes = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    # The member loop of the 834 (INS…REF*CE), written at Submit from the member as MMIS
    # accepted it: a batch re-written later gives the same bytes even after the feed
    # changed the member, and cutting a batch of 100,000 loops only copies text.
    loop_x12 = models.TextField("834 member loop", blank=True)
    loop_segments = models.PositiveSmallIntegerField(default=0)
    # The adjustment whose 834 loop this is (issue 17 §1); None for a panel's request.
    adjustment = models.ForeignKey("EnrollmentAdjustment", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="transactions")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["member", "-created_at"], name="txn_member_idx")]
        constraints = [
            # One accepted disenrollment per span, whatever the race.
            models.UniqueConstraint(
                fields=["span"], name="one_accepted_disenrollment_per_span",
                condition=Q(kind="DISENROLL", status="ACCEPTED")),
            models.CheckConstraint(
                condition=Q(status="REJECTED") | ~Q(codes__len__gt=0),
                name="accepted_has_no_codes"),
            models.CheckConstraint(
                condition=~Q(kind="DISENROLL", status="ACCEPTED") | ~Q(reason=""),
                name="disenrollment_has_reason"),
            models.CheckConstraint(
                condition=Q(status="REJECTED") | Q(loop_segments__gt=0),
                name="accepted_has_834_loop"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()} {self.get_status_display()}"

    @property
    def accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED


class BatchEntry(models.Model):
    """The 834 outbox: one row per accepted transaction, pending until a batch takes it.

    Kept apart from the wide transaction row so that cutting a batch updates narrow rows
    with two indexes (measured at 100,000 loops: 0.4 s here against 8 s when the batch
    was a column of the transaction with its dozen indexes).
    """

    transaction = models.OneToOneField(EnrollmentTransaction, on_delete=models.PROTECT,
                                       primary_key=True, related_name="entry")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+", db_index=False)
    batch = models.ForeignKey(Batch834, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="entries", db_index=False)

    class Meta:
        verbose_name = "834 outbox entry"
        verbose_name_plural = "834 outbox entries"
        indexes = [
            models.Index(fields=["plan"], name="entry_pending_idx",
                         condition=Q(batch__isnull=True)),
            models.Index(fields=["batch", "transaction"], name="entry_batch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_id} → {self.batch or 'pending'}"


class EnrollmentAdjustment(AppendOnlyModel, BaseModel):
    """A move that changes the past (issue 17 §1), made by Enrollment Operations.

    The row is the move's history: who, when, why (``reason``), for what (``reference``: a
    recoupment as ``recoupment:<pk>``, or free text), and the spans before and after
    (``detail``). Its 834 loops are EnrollmentTransaction rows (``transactions``), its
    capitation lines CapitationAdjustment rows (``capitation_lines``).
    """

    class Move(models.TextChoices):
        RETRO_DISENROLL = "RETRO_DISENROLL", "Retro-disenroll"
        RETRO_ENROLL = "RETRO_ENROLL", "Retro-enroll"
        MOVE = "MOVE", "Move a past period to another plan"
        REINSTATE = "REINSTATE", "Reinstate"

    number = models.CharField(max_length=20, unique=True)
    token = models.UUIDField(unique=True)
    move = models.CharField(max_length=16, choices=Move)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="adjustments")
    from_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="losing plan")
    to_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name="gaining plan")
    start_date = models.DateField("start date", null=True, blank=True)
    end_date = models.DateField("end date", null=True, blank=True)
    reason = models.TextField()
    reference = models.CharField(max_length=200, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="enrollment_adjustments")
    request_date = models.DateField("request date")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("make_adjustment", "Can make enrollment adjustments"),
            ("export_capitation", "Can export capitation adjustment lines"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason"),
            models.CheckConstraint(condition=~Q(reference=""), name="adjustment_has_reference"),
            models.CheckConstraint(condition=Q(from_plan__isnull=False) | Q(to_plan__isnull=False),
                                   name="adjustment_names_a_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_move_display()}"


class CapitationAdjustment(AppendOnlyModel, BaseModel):
    """One capitation adjustment line: plan, member, month, rate cell, +1 or −1 month.

    Enrollment Operations export them per plan and month: the documentation to MMIS
    (issue 17 §1). ``month`` is the month's first day.
    """

    adjustment = models.ForeignKey(EnrollmentAdjustment, on_delete=models.PROTECT,
                                   related_name="capitation_lines")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    rate_cell = models.ForeignKey(RateCell, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    months = models.SmallIntegerField("months (+1 or -1)")

    class Meta:
        ordering = ["plan", "month", "member", "pk"]
        indexes = [models.Index(fields=["plan", "month"], name="capitation_plan_month_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(months__in=(1, -1)), name="capitation_one_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="capitation_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.member_id} {self.month:%m/%Y} {self.months:+d}"


