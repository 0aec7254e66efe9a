"""The taxonomy of each step: which combinations a step applies, a role offers, a case type fits.

The matrix check itself is ``crm_tracker.models.taxonomy_combination`` (Case.clean asks it).
"""

from django.contrib.auth.models import AbstractBaseUser

from crm_tracker.models import (
    TAXONOMY_FIELDS,
    CaseType,
    Step,
    TaxonomyCombination,
    TaxonomyNotAllowed,
    taxonomy_combination,
)
from crm_tracker.workflow import STEP_PERMISSIONS


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
