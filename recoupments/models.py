"""MCE recoupment requests and Enrollment Operations' review of them (seed 004; domain.md E1).

The status moves are data: ``TRANSITIONS`` (recoupments/workflow.py, imported here) names,
for every move, the statuses it may start from, the status it leads to and the permission
it needs. Services are the only writers of ``Recoupment.status``; each move writes one
``RecoupmentEvent``.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from posc.history import AppendOnlyModel
from posc.members.models import MEMBER_ID_VALIDATOR, PROVIDER_ID_VALIDATOR, Plan
from posc.models import BaseModel
from recoupments.workflow import MOVE_PERMISSIONS, TRANSITIONS, Move, Status, Transition

# Seed 004: "no more than five business days" for research; MCEs and MBHP get 10 business
# days to report; payment "can take up to 15 business days from the date of submission".
RESEARCH_DAYS = 5
MCE_UPDATE_DAYS = 10
PAYMENT_DAYS = 15

ICN_VALIDATOR = RegexValidator(r"^\d{13}$", "Enter a 13-digit ICN.")


class ApprovalPath(models.TextChoices):
    """Seed 004 "APPROVE REIMBURSEMENT", options (a) to (d)."""

    ORIGINAL_MCE = "A", "(a) The original MCE processes and pays"
    OTHER_MCE = "B", "(b) A different MCE processes and pays"
    MBHP = "C", "(c) MBHP processes and pays"
    MASSHEALTH = "D", "(d) MassHealth processes and pays"

    @classmethod
    def mce_paths(cls) -> tuple[str, ...]:
        return (cls.ORIGINAL_MCE, cls.OTHER_MCE, cls.MBHP)



# The form fields ops may name when returning a request (seed 004 "required fields").
FORM_FIELDS = (
    ("provider_name", "Provider Name"),
    ("provider_npi", "Provider NPI"),
    ("provider_id", "MassHealth Provider ID"),
    ("mces", "MCE Name(s)"),
    ("member_first_name", "Member First Name"),
    ("member_last_name", "Member Last Name"),
    ("member_ids", "Member MassHealth ID(s)"),
    ("dates_of_service", "Date(s) of Service Recouped"),
    ("services", "Service Code or Name"),
    ("amounts", "Amount Recouped"),
)
FORM_FIELD_LABELS = dict(FORM_FIELDS)


class Recoupment(BaseModel):
    """One Recoupment Form and where Enrollment Operations' review of it stands."""

    reference = models.CharField(max_length=20, unique=True)
    # The one-time token of the page the form was posted from (posc.submission).
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    status = models.CharField(max_length=20, choices=Status, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="recoupments")
    # Where the provider's e-mails go: the submitter's address when they submitted.
    contact_email = models.EmailField("provider contact e-mail", blank=True)
    provider_id = models.CharField("MassHealth Provider ID", max_length=10,
                                   validators=[PROVIDER_ID_VALIDATOR])
    provider_name = models.CharField("Provider Name", max_length=120)
    provider_npi = models.CharField("Provider NPI", max_length=10, blank=True)
    mces = models.ManyToManyField(Plan, related_name="recoupments", verbose_name="MCE Name(s)")
    member_first_name = models.CharField("Member First Name", max_length=35)
    member_last_name = models.CharField("Member Last Name", max_length=60)
    member_ids = ArrayField(models.CharField(max_length=12, validators=[MEMBER_ID_VALIDATOR]),
                            verbose_name="Member MassHealth ID(s)")
    submitted_at = models.DateTimeField("submitted at")
    received_on = models.DateField("received on (day 0)")
    # Completeness: what ops said was missing when returning the form.
    missing_fields = ArrayField(models.CharField(max_length=20, choices=FORM_FIELDS),
                                default=list, blank=True, verbose_name="missing fields")
    # Research
    enrollments_documented = models.TextField("enrollments documented", blank=True)
    enrollment_adjustments = models.TextField("enrollment adjustments made", blank=True)
    # Approval
    approval_path = models.CharField("approval path", max_length=1, choices=ApprovalPath,
                                     blank=True)
    paying_mce = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="paying MCE or MBHP")
    mce_instructions = models.TextField("instructions to the MCE", blank=True)
    capitation_adjustment_note = models.TextField("capitation adjustment note to MMIS",
                                                  blank=True)
    capitation_reconciliation_note = models.TextField("capitation reconciliation note to MMIS",
                                                      blank=True)
    approved_on = models.DateField("approved on (day 0 of the MCE window)", null=True,
                                   blank=True)
    # Business-day targets (recoupments.business_days), fixed when their clock starts.
    research_due = models.DateField("research due")
    mce_update_due = models.DateField("MCE updates due", null=True, blank=True)
    payment_due = models.DateField("payment due")
    paid_on = models.DateField("payment confirmed on", null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["provider_id", "-submitted_at"],
                                name="recoupment_provider_idx"),
                   models.Index(fields=["status"], name="recoupment_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(member_ids__len__gt=0),
                                   name="recoupment_has_member_id"),
            models.CheckConstraint(
                condition=Q(approval_path="") | ~Q(status__in=[Status.SUBMITTED,
                                                               Status.RETURNED,
                                                               Status.RESEARCH,
                                                               Status.APPROVAL]),
                name="recoupment_path_only_after_approval"),
        ]
        permissions = list(MOVE_PERMISSIONS.items())

    def __str__(self) -> str:
        return self.reference

    @property
    def member_name(self) -> str:
        return f"{self.member_first_name} {self.member_last_name}"

    @property
    def missing_field_labels(self) -> list[str]:
        return [FORM_FIELD_LABELS.get(name, name) for name in self.missing_fields]

    def allowed_moves(self) -> list[Transition]:
        """Return the moves the transition table allows from the current status."""
        return [t for t in TRANSITIONS.values() if self.status in t.sources]

    def move_refusal(self, move: str) -> str:
        """Return why the table refuses *move* from the current status ("" when allowed)."""
        if self.status in TRANSITIONS[move].sources:
            return ""
        return (f"{Move(move).label} is not allowed for {self.reference}: its status is "
                f"“{Status(self.status).label}”.")


class RecoupmentLine(models.Model):
    """One recouped claim: a date of service, the service and the amount recouped."""

    recoupment = models.ForeignKey(Recoupment, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveSmallIntegerField("line")
    date_of_service = models.DateField("Date(s) of Service Recouped")
    service = models.CharField("Service Code or Name", max_length=100)
    amount = models.DecimalField("Amount Recouped", max_digits=10, decimal_places=2,
                                 validators=[MinValueValidator("0.01")])
    # A denied line approved again (blank: the request's approval applies) and its own clock.
    path = models.CharField("re-approval path", max_length=1, choices=ApprovalPath, blank=True)
    paying_mce = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="paying MCE or MBHP")
    reapproved_at = models.DateTimeField("re-approved at", null=True, blank=True)
    due_on = models.DateField("re-approval target", null=True, blank=True)
    # A denied line closed without reimbursement.
    closed_reason = models.TextField("closed: reason", blank=True)
    closed_at = models.DateTimeField("closed at", null=True, blank=True)

    class Meta:
        ordering = ["recoupment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["recoupment", "number"], name="recoupment_line_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="recoupment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.recoupment_id} line {self.number}"

    def latest_update(self) -> "ClaimUpdate | None":
        updates = list(self.updates.all())  # prefetched, oldest first
        return updates[-1] if updates else None

    def effective_path(self, recoupment: "Recoupment") -> str:
        """Return the path that pays this line: its re-approval, else the request's."""
        return self.path or recoupment.approval_path

    def current_update(self) -> "ClaimUpdate | None":
        """Return the latest MCE update recorded after the line's re-approval (if any)."""
        updates = [u for u in self.updates.all()
                   if self.reapproved_at is None or u.recorded_at > self.reapproved_at]
        return updates[-1] if updates else None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class RecoupmentEvent(AppendOnlyModel):
    """The history of a request: one row per move (who, when, note, from, to)."""

    recoupment = models.ForeignKey(Recoupment, on_delete=models.CASCADE, related_name="events")
    move = models.CharField(max_length=24, choices=Move)
    from_status = models.CharField(max_length=20, choices=Status, blank=True)
    to_status = models.CharField(max_length=20, choices=Status)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField("when")
    note = models.TextField("note to the provider", blank=True)
    # Enrollment Operations only: never shown to the provider nor e-mailed.
    internal_note = models.TextField("internal note", blank=True)

    class Meta:
        ordering = ["recoupment", "at", "pk"]
        verbose_name = "history row"
        verbose_name_plural = "history"

    def __str__(self) -> str:
        # ui.md: MM/DD/YYYY, Eastern time, as the admin shows every date.
        return f"{self.recoupment_id} {self.move} {timezone.localtime(self.at):%m/%d/%Y %H:%M}"


class ClaimUpdate(AppendOnlyModel):
    """A status update the paying MCE or MBHP gave on one claim (paths (a)–(c))."""

    class ClaimStatus(models.TextChoices):
        IN_PROCESS = "IN_PROCESS", "Reprocessing in progress"
        PAID = "PAID", "Reprocessed and paid"
        DENIED = "DENIED", "Denied by the MCE"
        PENDED = "PENDED", "Pended: more information needed"

    line = models.ForeignKey(RecoupmentLine, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField("claim status", max_length=12, choices=ClaimStatus)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("recorded at")

    class Meta:
        ordering = ["line", "recorded_at", "pk"]
        verbose_name = "MCE claim status update"

    def __str__(self) -> str:
        return f"{self.line} {self.status}"


class EditCode(models.Model):
    """A NewMMIS edit (EOB) code with an editable description (domain.md E2)."""

    class Kind(models.TextChoices):
        MCE_COVERAGE = "MCE_COVERAGE", "MCE coverage"
        TIMELY_FILING = "TIMELY_FILING", "Timely filing"
        OTHER = "OTHER", "Other"

    code = models.CharField(max_length=4, primary_key=True,
                            validators=[RegexValidator(r"^\d{4}$", "Enter a 4-digit edit code.")])
    description = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.OTHER)
    # domain.md E2: 2017's meaning is not public. Providers see an unconfirmed description
    # only as its kind ("MCE coverage"), never the working note.
    confirmed = models.BooleanField("description confirmed by MassHealth", default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    @property
    def provider_label(self) -> str:
        """Return the wording a provider sees: only a confirmed description."""
        if self.confirmed:
            return f"{self.code} {self.description}"
        return f"{self.code} {self.get_kind_display()}"


class DeniedClaim(models.Model):
    """The MassHealth claim a provider billed for a line on path (d), and how it denied."""

    line = models.OneToOneField(RecoupmentLine, on_delete=models.CASCADE,
                                related_name="denied_claim")
    icn = models.CharField("ICN", max_length=13, unique=True, validators=[ICN_VALIDATOR])
    edits = models.ManyToManyField(EditCode, related_name="+", verbose_name="edit codes")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("recorded at")

    class Meta:
        ordering = ["line"]
        constraints = [models.CheckConstraint(condition=Q(icn__regex=r"^[0-9]{13}$"),
                                              name="denied_claim_icn_13_digits")]

    def __str__(self) -> str:
        return self.icn


class MceContact(models.Model):
    """Where the approval instructions for a managed-care entity (or MBHP) are e-mailed."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, to_field="provider_id",
                                related_name="recoupment_contact", verbose_name="MCE")
    email = models.EmailField("recoupment contact e-mail")

    class Meta:
        ordering = ["plan"]
        verbose_name = "MCE recoupment contact"

    def __str__(self) -> str:
        return f"{self.plan.name}: {self.email}"


class RecoupmentEmail(models.Model):
    """A copy of every e-mail queued for a request: who, subject, body and when."""

    recoupment = models.ForeignKey(Recoupment, on_delete=models.CASCADE, related_name="emails")
    recipients = ArrayField(models.EmailField(), verbose_name="to")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    at = models.DateTimeField("sent at")

    class Meta:
        ordering = ["recoupment", "at", "pk"]
        verbose_name = "e-mail sent"
        verbose_name_plural = "e-mails sent"

    def __str__(self) -> str:
        return self.subject
