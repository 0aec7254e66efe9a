"""Enrollment Operations' corrections of a case in the admin (issue 13 point 13)."""

import datetime
import logging
import re
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from crm_tracker.models import TAXONOMY_FIELDS, Case, Step, taxonomy_combination
from crm_tracker.rules import ssn_refusal
from crm_tracker.services.changes import change, locked, require, same, taxonomy_changes
from crm_tracker.services.intake import case_texts, check_intake_taxonomy, requested_text
from crm_tracker.taxonomy import check_correction
from posc.exceptions import DomainError

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (*TAXONOMY_FIELDS, "participant_names", "masshealth_id", "requested_plan",
                   "requested_provider_name", "consumer_issues_resolved",
                   "supervisor_requested", "subject", "crm_documentation")

# The case fields the Subject and CRM documentation are composed of (case_texts).
COMPOSED_FROM = ("participant_names", "masshealth_id", "ssn", "requested_plan",
                 "requested_provider_name", "for_cause_reason")


def _recomposed(case: Case, values: Mapping[str, Any]) -> dict[str, str]:
    """Return the Subject and CRM documentation composed again from corrected fields.

    A corrected name or SSN must not stay old in the CRM line (issue 13 point 13); a line
    the admin typed in the same correction is kept as typed.
    """
    if all(same(getattr(case, f), values.get(f, getattr(case, f))) for f in COMPOSED_FROM):
        return {}
    value = {f: values.get(f, getattr(case, f)) for f in COMPOSED_FROM}
    subject, documentation = case_texts(
        case_type=case.case_type, participant_names=value["participant_names"],
        masshealth_id=value["masshealth_id"], ssn=value["ssn"],
        for_cause_reason=value["for_cause_reason"],
        requested=requested_text(value["requested_plan"], value["requested_provider_name"]))
    texts = {"subject": subject, "crm_documentation": documentation}
    return {field: text for field, text in texts.items() if field not in values}


def _check_changes(changes: Mapping[str, Any], reason: str) -> None:
    if "ssn" in changes and not re.fullmatch(r"\d{9}", str(changes["ssn"])):
        raise DomainError("Enter the SSN as 9 digits.", code="SSN_FORMAT")
    if "ssn" in changes and ssn_refusal(changes["ssn"]):
        raise DomainError(ssn_refusal(changes["ssn"]), code="SSN_NEVER_ISSUED")
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"ssn"}
    if unknown:
        raise DomainError(f"These fields are not edited here: {', '.join(sorted(unknown))}.",
                          code="NOT_EDITABLE")
    if not reason.strip():
        raise DomainError("Enter the reason for the change.", code="REASON_REQUIRED")


def case_edit(*, case: Case, changes: Mapping[str, Any], actor: AbstractBaseUser,
              reason: str, now: datetime.datetime) -> Case:
    """Correct a case's fields (the admin); a new taxonomy sets its own Status and Owner.

    A corrected SSN is stored in full but its history row, like every other, holds only
    the last four digits (display_value).
    """
    require(actor, "change_case")
    _check_changes(changes, reason)
    # Not durable: the admin's change form already runs in its own transaction
    # (ModelAdmin.changeform_view), and calls this from save_model inside it.
    with transaction.atomic():
        case = locked(case)
        wanted = {f: changes.get(f, getattr(case, f)) for f in TAXONOMY_FIELDS}
        combination = taxonomy_combination(**wanted)
        check_correction(case=case, combination=combination)
        if combination.step == Step.INTAKE:
            check_intake_taxonomy(combination, case.case_type)
        values = dict(changes)
        values |= _recomposed(case, values)
        if any(not same(getattr(case, f), wanted[f]) for f in TAXONOMY_FIELDS):
            # A relabel in the admin sets the combination's Status and Owner; moving the case
            # between work queues stays with the workflow actions.
            values |= taxonomy_changes(combination, case=case, now=now, hand_on=False)
        change(case, values, actor=actor, reason=reason.strip(), now=now, step="edit")
    logger.info("tracker case %s edited by %s", case.number, actor.get_username())
    return case
