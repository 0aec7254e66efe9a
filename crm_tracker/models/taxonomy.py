"""The taxonomy as data: picklist values, statuses, queues and the allowed combinations.

Also the provider-termination events of the Angela Melody rule (seed 003).
"""

from django.db import models
from django.db.models import F, Q

from posc.exceptions import DomainError
from posc.members.models import Plan, Program


class NameManager(models.Manager):
    """Look picklist values up by name, so that fixtures name them instead of numbering them."""

    def get_by_natural_key(self, name: str):
        return self.get(name=name)


class Picklist(models.Model):
    """A picklist value (Salesforce: a value of a picklist field)."""

    name = models.CharField(max_length=80, unique=True)
    sort_order = models.PositiveSmallIntegerField("sort order", default=0)

    objects = NameManager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


class RecordType(Picklist):
    """Case Record Type (seed: Medicaid)."""

    class Meta(Picklist.Meta):
        verbose_name = "case record type"


class Category(Picklist):
    class Meta(Picklist.Meta):
        verbose_name_plural = "categories"


class SubCategory(Picklist):
    class Meta(Picklist.Meta):
        verbose_name = "sub-category"
        verbose_name_plural = "sub-categories"


class Disposition(Picklist):
    pass


class ChildDisposition(Picklist):
    class Meta(Picklist.Meta):
        verbose_name = "child disposition"


class CaseStatus(Picklist):
    """A status value; several may mean closed (Salesforce CaseStatus.IsClosed, domain.md G)."""

    is_closed = models.BooleanField("closed", default=False)

    class Meta(Picklist.Meta):
        verbose_name = "case status"
        verbose_name_plural = "case statuses"


class Queue(Picklist):
    """A queue that owns cases (MHBE CRM Escalations) or where they wait for a role's work."""

    description = models.CharField(max_length=200, blank=True)


class Step(models.TextChoices):
    """Who applies a taxonomy combination, at which step of the seed's process."""

    INTAKE = "INTAKE", "CSR intake"
    QC_TRUE = "QC_TRUE", "QC: “True” tracker case"
    QC_FALSE = "QC_FALSE", "QC: “False” tracker case"
    OUTREACH_FIRST = "OUTREACH_FIRST", "Supervisor: Outreach 1st Attempt"
    OUTREACH_MAX = "OUTREACH_MAX", "Supervisor: Outreach Max Attempts"


class TaxonomyCombination(models.Model):
    """One allowed combination of the seed, with the Status and Owner it sets automatically.

    Seed 003 lists each combination with "Status: … (auto-gen. in system)" and "Owner CRM
    Escalations: …". ``work_queue`` is where the portal hands the case on next (the QC team,
    the State Monitors, the Supervisor); null when nobody has to act on it any more.
    """

    record_type = models.ForeignKey(RecordType, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    sub_category = models.ForeignKey(SubCategory, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="sub-category")
    disposition = models.ForeignKey(Disposition, on_delete=models.PROTECT, related_name="+")
    child_disposition = models.ForeignKey(ChildDisposition, on_delete=models.PROTECT,
                                          related_name="+", verbose_name="child disposition")
    step = models.CharField(max_length=16, choices=Step)
    status = models.ForeignKey(CaseStatus, on_delete=models.PROTECT, related_name="+")
    owner_queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="owner")
    work_queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True, verbose_name="hands the case to")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(
            fields=["record_type", "category", "sub_category", "disposition",
                    "child_disposition"], name="taxonomy_combination_unique")]

    def __str__(self) -> str:
        return " / ".join(str(getattr(self, f)) for f in TAXONOMY_FIELDS)


TAXONOMY_FIELDS = ("record_type", "category", "sub_category", "disposition", "child_disposition")
LEVEL_LABELS = {"record_type": "Case Record Type", "category": "Category",
                "sub_category": "Sub-Category", "disposition": "Disposition",
                "child_disposition": "Child Disposition"}


class TaxonomyNotAllowed(DomainError):
    """A taxonomy combination outside the seed's matrix, or not for this step."""

    default_code = "TAXONOMY"


def taxonomy_combination(*, record_type: RecordType, category: Category,
                         sub_category: SubCategory, disposition: Disposition,
                         child_disposition: ChildDisposition) -> TaxonomyCombination:
    """Return the matrix row of these values; refuse, naming the first level that breaks it.

    domain.md G: Salesforce enforces dependent picklists in its UI only, not in its API; here
    the server refuses any Category → Sub-Category → Disposition → Child Disposition
    combination that is not a row of TaxonomyCombination, whatever path writes the case
    (Case.clean, the forms, the services and the admin all ask this one check).
    """
    values = {"record_type": record_type, "category": category, "sub_category": sub_category,
              "disposition": disposition, "child_disposition": child_disposition}
    rows = TaxonomyCombination.objects.select_related("status", "owner_queue", "work_queue")
    for depth, level in enumerate(TAXONOMY_FIELDS):
        rows = rows.filter(**{level: values[level]})
        if not rows.exists():
            if depth == 0:
                raise TaxonomyNotAllowed(f"Case Record Type “{record_type}” is not used by the "
                                         "MCO Manual Tracker.")
            parent = TAXONOMY_FIELDS[depth - 1]
            raise TaxonomyNotAllowed(
                f"{LEVEL_LABELS[level]} “{values[level]}” is not allowed with "
                f"{LEVEL_LABELS[parent]} “{values[parent]}”.")
    return rows.get()


class ProviderTermination(models.Model):
    """An MCO severing its relationship with a provider, and the members' choice period.

    Seed 003 "Angela Melody": enrollment changes are processed only during the specified
    period; later requests go through the For Cause Reason guidelines (domain.md D2, exc. 8).
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, to_field="provider_id",
                             related_name="+", limit_choices_to={"program": Program.MCO},
                             verbose_name="MCO")
    provider_name = models.CharField("provider name", max_length=120)
    choice_period_start = models.DateField("choice period start")
    choice_period_end = models.DateField("choice period end")

    class Meta:
        ordering = ["-choice_period_start", "provider_name"]
        constraints = [models.CheckConstraint(
            condition=Q(choice_period_end__gte=F("choice_period_start")),
            name="provider_termination_period_ordered")]

    def __str__(self) -> str:
        return (f"{self.provider_name} leaving {self.plan.name} (choice period "
                f"{self.choice_period_start:%m/%d/%Y}–{self.choice_period_end:%m/%d/%Y})")
