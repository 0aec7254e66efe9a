"""The one check of the taxonomy matrix, used by forms, services and the admin alike.

domain.md G: Salesforce enforces dependent picklists in its UI only, not in its API; here
the server refuses any Category → Sub-Category → Disposition → Child Disposition
combination that is not a row of TaxonomyCombination, whatever path writes the case.
"""

from django.contrib.auth.models import AbstractBaseUser

from crm_tracker.models import (
    TAXONOMY_FIELDS,
    CaseType,
    Category,
    ChildDisposition,
    Disposition,
    RecordType,
    Step,
    SubCategory,
    TaxonomyCombination,
)
from posc.exceptions import DomainError


class TaxonomyNotAllowed(DomainError):
    """A taxonomy combination outside the seed's matrix, or not for this step."""

    default_code = "TAXONOMY"


LEVEL_LABELS = {"record_type": "Case Record Type", "category": "Category",
                "sub_category": "Sub-Category", "disposition": "Disposition",
                "child_disposition": "Child Disposition"}


def taxonomy_combination(*, record_type: RecordType, category: Category,
                         sub_category: SubCategory, disposition: Disposition,
                         child_disposition: ChildDisposition) -> TaxonomyCombination:
    """Return the matrix row of these values; refuse, naming the first level that breaks it."""
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


def check_correction(*, case, combination: TaxonomyCombination) -> None:
    """Refuse a correction (the admin) into another step's taxonomy.

    Seed 003: the QC Team Lead sets the "True"/"False" taxonomy once the case is vetted, and
    the Supervisor the outreach ones. A correction may fix values within the step the case
    is at, never move it to another step's combination (issue 13 point 13).
    """
    current = taxonomy_combination(**{f: getattr(case, f) for f in TAXONOMY_FIELDS})
    if combination.step == current.step:
        return
    where = case.work_queue.name if case.work_queue else "no queue"
    raise TaxonomyNotAllowed(
        f"“{combination.disposition}” is set by the {Step(combination.step).label} step, not "
        f"by a correction: case {case.number} is waiting in {where}.", code="TAXONOMY_STEP")


def taxonomy_for_step(*, step: Step, disposition: str = "") -> TaxonomyCombination:
    """Return the combination a workflow step applies (the one of *disposition* at intake)."""
    rows = TaxonomyCombination.objects.select_related(
        *TAXONOMY_FIELDS, "status", "owner_queue", "work_queue").filter(step=step)
    if disposition:
        rows = rows.filter(disposition__name=disposition)
    combination = rows.first()
    if combination is None:
        raise TaxonomyNotAllowed(f"The taxonomy of step {step.label} is missing: load the "
                                 "crm_taxonomy fixture.", code="TAXONOMY_MISSING")
    return combination


ANGELA_MELODY_SUB_CATEGORY = "Angela Melody"

# The permission of the role that applies each step's combinations (crm_tracker/roles.py):
# seed 003 gives the CSR, the QC Team Lead and the Supervisor each their own taxonomy.
STEP_PERMISSIONS = {
    Step.INTAKE: "crm_tracker.intake_case",
    Step.QC_TRUE: "crm_tracker.vet_case",
    Step.QC_FALSE: "crm_tracker.vet_case",
    Step.OUTREACH_FIRST: "crm_tracker.outreach_case",
    Step.OUTREACH_MAX: "crm_tracker.outreach_case",
}


def fits_case_type(combination: TaxonomyCombination, case_type: str) -> bool:
    """Return True when *combination* may be used for a case of *case_type*.

    Seed 003: Angela Melody cases use Sub-Category Angela Melody; Plan Selected in Error is
    "to be used for all manual reasons except Angela Melody".
    """
    angela = combination.sub_category.name == ANGELA_MELODY_SUB_CATEGORY
    return (case_type == CaseType.ANGELA_MELODY) == angela


def offered_combinations(*, user: AbstractBaseUser, case_type: str,
                         steps: tuple[Step, ...]) -> list[TaxonomyCombination]:
    """Return the combinations of *steps* that *user*'s role applies and *case_type* allows.

    The dependent picklists offer only these (issue 13, point 10); the services still check
    whatever is posted (taxonomy_combination and the step's own check).
    """
    mine = [step for step in steps if user.has_perm(STEP_PERMISSIONS[step])]
    rows = TaxonomyCombination.objects.select_related(*TAXONOMY_FIELDS).filter(step__in=mine)
    return [row for row in rows if fits_case_type(row, case_type)]
