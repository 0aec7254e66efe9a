"""The portal's copy of MMIS reference data: members, plans, service areas, rate cells, spans.

MMIS owns eligibility (contracts/member-feed.md); these tables are refreshed from its feed
and changed by the portal's enrollment services only.
"""

import datetime

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Cast

from posc.history import AppendOnlyModel
from posc.mmis.programs import INTEGRATED_PROGRAMS, ONE_CARE, SCO, rate_cell_code
from posc.models import BaseModel

MEMBER_ID_VALIDATOR = RegexValidator(r"^\d{12}$", "Enter a 12-digit Member ID.")
# MassHealth PID/SL: 9 digits and a service-location letter (domain.md F).
PROVIDER_ID_VALIDATOR = RegexValidator(
    r"^\d{9}[A-Z]$", "Enter a 10-character Provider ID: 9 digits and a letter."
)


class Program(models.TextChoices):
    SCO = SCO, "Senior Care Options"
    ONE_CARE = ONE_CARE, "One Care"
    MCO = "MCO", "Managed Care Organization"
    MBHP = "MBHP", "Behavioral Health Partnership"

    @classmethod
    def integrated(cls) -> tuple[str, str]:
        """Return the programs whose spans may not overlap (SCO and One Care)."""
        return INTEGRATED_PROGRAMS


class County(models.TextChoices):
    BARNSTABLE = "Barnstable"
    BERKSHIRE = "Berkshire"
    BRISTOL = "Bristol"
    DUKES = "Dukes"
    ESSEX = "Essex"
    FRANKLIN = "Franklin"
    HAMPDEN = "Hampden"
    HAMPSHIRE = "Hampshire"
    MIDDLESEX = "Middlesex"
    NANTUCKET = "Nantucket"
    NORFOLK = "Norfolk"
    PLYMOUTH = "Plymouth"
    SUFFOLK = "Suffolk"
    WORCESTER = "Worcester"


class Region(models.TextChoices):
    GREATER_BOSTON = "GB", "Greater Boston"
    REST_OF_STATE = "RS", "Rest of state"


class CoverageType(models.TextChoices):
    STANDARD = "STANDARD", "MassHealth Standard"
    COMMONHEALTH = "COMMONHEALTH", "MassHealth CommonHealth"
    CAREPLUS = "CAREPLUS", "MassHealth CarePlus"
    FAMILY_ASSISTANCE = "FAMILY_ASSISTANCE", "MassHealth Family Assistance"
    LIMITED = "LIMITED", "MassHealth Limited"
    NONE = "NONE", "None"


class Residence(models.TextChoices):
    COMMUNITY = "COMMUNITY", "Community"
    NURSING_FACILITY = "NURSING_FACILITY", "Nursing facility"
    ICF_IID = "ICF_IID", "ICF/IID"
    CHRONIC_REHAB_INPATIENT = ("CHRONIC_REHAB_INPATIENT",
                               "Chronic or rehabilitation hospital inpatient")


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Unknown"


class Member(models.Model):
    """A MassHealth member as the eligibility feed last described them.

    The Member ID is the primary key: it never changes (EOM 08-14) and every lookup uses it.
    """

    member_id = models.CharField("Member ID", max_length=12, primary_key=True,
                                 validators=[MEMBER_ID_VALIDATOR])
    last_name = models.CharField("last name", max_length=60)
    first_name = models.CharField("first name", max_length=35)
    middle_initial = models.CharField("middle initial", max_length=1, blank=True)
    date_of_birth = models.DateField("date of birth")
    sex = models.CharField(max_length=1, choices=Sex)
    coverage_type = models.CharField("coverage type", max_length=20, choices=CoverageType)
    coverage_start = models.DateField("coverage start")
    coverage_end = models.DateField("coverage end", null=True, blank=True)
    medicare_a_start = models.DateField("Medicare Part A start", null=True, blank=True)
    medicare_a_end = models.DateField("Medicare Part A end", null=True, blank=True)
    medicare_b_start = models.DateField("Medicare Part B start", null=True, blank=True)
    medicare_b_end = models.DateField("Medicare Part B end", null=True, blank=True)
    mbi = models.CharField("MBI", max_length=11, blank=True)
    address_line1 = models.CharField("address", max_length=100)
    city = models.CharField(max_length=60)
    zip = models.CharField("ZIP code", max_length=5)
    county = models.CharField(max_length=12, choices=County)
    residence = models.CharField(max_length=24, choices=Residence)
    rating_category = models.CharField("rating category", max_length=4)
    esrd = models.BooleanField("end-stage renal disease", default=False)
    deductible_period = models.BooleanField("in a deductible period", default=False)
    date_of_death = models.DateField("date of death", null=True, blank=True)
    updated_at = models.DateTimeField("last updated", auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "member_id"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="member_name_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(member_id__regex=r"^[0-9]{12}$"),
                                   name="member_id_12_digits"),
            models.CheckConstraint(
                condition=Q(coverage_end__isnull=True) | Q(coverage_end__gte=F("coverage_start")),
                name="member_coverage_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.member_id})"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_initial, self.last_name) if p)


class Plan(models.Model):
    """A health plan (SCO, One Care, MCO or MBHP) and its MassHealth provider ID."""

    provider_id = models.CharField("Provider ID", max_length=10, unique=True,
                                   validators=[PROVIDER_ID_VALIDATOR])
    name = models.CharField(max_length=120)
    program = models.CharField(max_length=10, choices=Program)

    class Meta:
        ordering = ["program", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider_id})"


class ServiceArea(models.Model):
    """A county a plan serves under its EOHHS contract (130 CMR 508.008(A)(2))."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="service_areas")
    county = models.CharField(max_length=12, choices=County)

    class Meta:
        ordering = ["plan", "county"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "county"], name="service_area_unique")]

    def __str__(self) -> str:
        return f"{self.plan.name}: {self.county}"


class Provider(models.Model):
    """A MassHealth provider that is not a health plan (a hospital, an agency)."""

    provider_id = models.CharField("Provider ID", max_length=10, unique=True,
                                   validators=[PROVIDER_ID_VALIDATOR])
    name = models.CharField(max_length=120)
    npi = models.CharField("NPI", max_length=10, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider_id})"


class ProviderLink(models.Model):
    """Link a portal user to a MassHealth provider ID they act for (a plan or a provider)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="provider_links")
    provider_id = models.CharField("Provider ID", max_length=10, validators=[PROVIDER_ID_VALIDATOR])

    class Meta:
        ordering = ["user", "provider_id"]
        constraints = [models.UniqueConstraint(fields=["user", "provider_id"],
                                               name="provider_link_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.provider_id}"


class RateCell(models.Model):
    """A capitation rate cell: program + rating category + region, effective-dated."""

    class Setting(models.TextChoices):
        COMMUNITY = "community", "Community"
        INSTITUTIONAL = "institutional", "Institutional"

    program = models.CharField(max_length=10, choices=Program)
    category = models.CharField(max_length=4)
    region = models.CharField(max_length=2, choices=Region)
    label = models.CharField(max_length=120)
    setting = models.CharField(max_length=16, choices=Setting)
    effective_from = models.DateField("effective from")
    effective_to = models.DateField("effective to", null=True, blank=True)

    class Meta:
        ordering = ["program", "category", "region", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["program", "category", "region", "effective_from"],
                                    name="rate_cell_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="rate_cell_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def code(self) -> str:
        """Return the code shown to users and sent in the 834, e.g. ``SCO-CNHC-GB``."""
        return rate_cell_code(self.program, self.category, self.region)


class EnrollmentSpan(BaseModel):
    """A member's enrollment with a plan from *start_date* to *end_date* (open when null).

    A span is never deleted. Disenrollment sets the end date; disenrolling before the span
    starts cancels it (kept, ``cancelled``), as the 834 cancellation does (mmis-rules.md).
    """

    class Source(models.TextChoices):
        FEED = "FEED", "Eligibility feed"
        PORTAL = "PORTAL", "Portal enrollment"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="spans")
    # No index of its own: span_plan_start_idx starts with plan_id and serves every lookup
    # by plan (and the foreign-key checks of a plan's deletion).
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="spans", db_index=False)
    # Copied from the plan so that the database can refuse overlaps per program family.
    program = models.CharField(max_length=10, choices=Program)
    start_date = models.DateField("start date")
    end_date = models.DateField("end date", null=True, blank=True)
    cancelled = models.BooleanField(default=False)
    source = models.CharField(max_length=8, choices=Source, default=Source.PORTAL)

    class Meta:
        ordering = ["member", "-start_date"]
        indexes = [models.Index(fields=["plan", "start_date"], name="span_plan_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="span_end_not_before_start"),
            models.CheckConstraint(
                condition=Q(cancelled=False) | Q(end_date=F("start_date")),
                name="span_cancelled_ends_on_start"),
            # One SCO or One Care span at a time per member, enforced by PostgreSQL itself.
            # "member WITH =" in a GiST index needs the btree_gist extension (PostgreSQL
            # contrib): measured 30-45 % cheaper to insert into than the int8range form it
            # replaced (docs/performance.md). On a server without btree_gist, migration
            # members.0003 keeps that older form, which refuses exactly the same spans.
            ExclusionConstraint(
                name="span_no_overlap_integrated",
                expressions=[
                    (Cast("member", models.BigIntegerField()), RangeOperators.EQUAL),
                    (Func(F("start_date"), F("end_date"), Value("[]"), function="daterange",
                          output_field=DateRangeField()), RangeOperators.OVERLAPS),
                ],
                condition=Q(cancelled=False, program__in=Program.integrated()),
            ),
        ]

    def __str__(self) -> str:
        # ui.md: dates are shown as MM/DD/YYYY, in the admin too.
        end = f"{self.end_date:%m/%d/%Y}" if self.end_date else "open"
        return f"{self.member_id} {self.plan.provider_id} {self.start_date:%m/%d/%Y}–{end}"

    def covers(self, day: datetime.date) -> bool:
        """Return True when the span is in force on *day*."""
        return (not self.cancelled and self.start_date <= day
                and (self.end_date is None or self.end_date >= day))


class MemberLink(BaseModel):
    """Enrollment Operations' record that two Member IDs are the same person.

    Job aid "Reporting Multiple IDs" (seed 004): a member may hold more than one MassHealth
    ID. The *primary* ID is the one the person is known by; a *secondary* ID points to it.
    A person is one primary and its secondaries: a secondary is never primary elsewhere and
    never secondary twice (no chain, no cycle; posc.members.services). Reversible: an unlink
    fills the ``unlinked_*`` fields once and the row is kept; linking again makes a new row.
    Every link and unlink also writes a MemberLinkEvent (append-only).
    """

    primary = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="secondary_links",
                                verbose_name="primary Member ID")
    secondary = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="primary_links",
                                  verbose_name="secondary Member ID")
    reason = models.CharField("reason for linking", max_length=255)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="linked by")
    linked_at = models.DateTimeField("linked at")
    unlink_reason = models.CharField("reason for unlinking", max_length=255, blank=True)
    unlinked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", null=True, blank=True,
                                    verbose_name="unlinked by")
    unlinked_at = models.DateTimeField("unlinked at", null=True, blank=True)

    class Meta:
        ordering = ["primary", "secondary", "-linked_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(primary=F("secondary")),
                                   name="member_link_not_self"),
            # A Member ID is the secondary of at most one primary at a time.
            models.UniqueConstraint(fields=["secondary"], condition=Q(unlinked_at__isnull=True),
                                    name="member_link_one_primary"),
            models.CheckConstraint(
                condition=(Q(unlinked_at__isnull=True, unlinked_by__isnull=True,
                             unlink_reason="")
                           | Q(unlinked_at__isnull=False, unlinked_by__isnull=False)
                           & ~Q(unlink_reason="")),
                name="member_link_unlink_complete"),
        ]

    def __str__(self) -> str:
        state = "" if self.active else " (unlinked)"
        return f"{self.secondary_id} → {self.primary_id}{state}"

    @property
    def active(self) -> bool:
        return self.unlinked_at is None

    @property
    def member_ids(self) -> list[str]:
        """The Member IDs the link is about (audit.services.member_ids_of reads this)."""
        return [self.primary_id, self.secondary_id]


class MemberLinkEvent(AppendOnlyModel):
    """One link or unlink of two Member IDs: who, when, why (HIPAA 45 CFR 164.312(b))."""

    class Kind(models.TextChoices):
        LINK = "LINK", "Linked"
        UNLINK = "UNLINK", "Unlinked"

    link = models.ForeignKey(MemberLink, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=8, choices=Kind)
    primary_member_id = models.CharField("primary Member ID", max_length=12)
    secondary_member_id = models.CharField("secondary Member ID", max_length=12)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=255)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.secondary_member_id} → {self.primary_member_id}"


class FeedLine(models.Model):
    """The digest of the feed line a member's record was last written from by the import.

    Written by posc.members.importer only, the only writer of members: a line of a later
    feed with the same digest (same header, same checks, see importer.digests) was checked
    and written already, and is neither checked nor written again. Its plan columns are
    kept for what only the whole file and the spans show (repeats, conflicts, new spans).
    No foreign key in the database: checking one per row would cost more than the saving
    (a member is never deleted: spans and links protect it; Django's delete cascades).
    The table is unlogged (migration 0004): after a crash it is empty, and the next import
    checks every line again.
    """

    member = models.OneToOneField(Member, on_delete=models.CASCADE, primary_key=True,
                                  db_constraint=False, related_name="+")
    digest = models.UUIDField()  # MD5 of the salted line: 16 bytes, hashed fast in joins
    current_plan_provider_id = models.CharField(max_length=10, blank=True)
    current_plan_start = models.DateField(null=True, blank=True)
    checked_on = models.DateField()  # a line checked on a day is valid on every later one

    def __str__(self) -> str:
        return f"{self.member_id} {self.digest}"
