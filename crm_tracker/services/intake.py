"""CSR intake: open a tracker case and compose its Subject and CRM documentation (seed 003)."""

import datetime
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from crm_tracker.models import (
    TAXONOMY_FIELDS,
    Case,
    CaseHistory,
    CaseType,
    ForCauseReason,
    ProviderTermination,
    Step,
    TaxonomyCombination,
    TaxonomyNotAllowed,
    mask_ssn,
    taxonomy_combination,
)
from crm_tracker.rules import (
    check_angela_melody_period,
    check_right_to_change,
    ssn_refusal,
    with_article,
)
from crm_tracker.services.changes import display_value, require, taxonomy_changes
from crm_tracker.taxonomy import fits_case_type
from crm_tracker.workflow import PLAN_SELECTED_IN_ERROR, TRANSITIONS, Move
from posc.exceptions import DomainError
from posc.members.models import Plan
from posc.submission import submission_replay

logger = logging.getLogger(__name__)

# The fields an intake writes a history row for, when they hold a value.
INTAKE_HISTORY = ("case_type", *TAXONOMY_FIELDS, "status", "owner_queue", "work_queue",
                  "subject", "crm_documentation", "participant_names", "masshealth_id", "ssn",
                  "requested_plan", "requested_provider_name", "for_cause_reason",
                  "provider_termination", "current_mco_auto_assigned", "current_mco_start",
                  "consumer_issues_resolved", "supervisor_requested", "closed_at")


def case_texts(*, case_type: str, participant_names: str, masshealth_id: str, ssn: str,
               for_cause_reason: str, requested: str) -> tuple[str, str]:
    """Return the Subject and CRM documentation of the seed's templates, SSN masked."""
    masked = mask_ssn(ssn)
    if case_type == CaseType.ANGELA_MELODY:
        # Seed: "Participant Name(s)/MA/SSN/New MCO or New Provider Name"
        return "Angela Melody", f"{participant_names}/{masshealth_id}/{masked}/{requested}"
    if case_type == CaseType.MCT_SPAN:
        # Seed: "Participant Name(s)/MA/SSN/Requested MCO"
        return "MCT Span", f"{participant_names}/{masshealth_id}/{masked}/{requested}"
    if case_type == CaseType.FOR_CAUSE:
        # Seed: "For Cause Reason – (Specific For Cause Reason)";
        # "Participant Name(s)/For Cause Reason/MA/SSN/New MCO"
        reason = ForCauseReason(for_cause_reason).label
        return (f"For Cause Reason – {reason}",
                f"{participant_names}/{reason}/{masshealth_id}/{masked}/{requested}")
    # Seed: "Participant Name(s)/MA/SSN/Correct MCO Choice"
    return "Incorrect Selection", f"{participant_names}/{masshealth_id}/{masked}/{requested}"


def requested_text(plan: Plan | None, provider_name: str) -> str:
    """Return the MCO and/or provider asked for, as the CRM documentation names them."""
    return ", ".join(p for p in (plan.name if plan else "", provider_name) if p)


def check_intake_taxonomy(combination: TaxonomyCombination, case_type: str) -> None:
    """Refuse a valid combination that is not the CSR's for this case type."""
    if combination.step != Step.INTAKE:
        raise TaxonomyNotAllowed(f"“{combination.disposition}” is set by "
                                 f"{Step(combination.step).label}, not at CSR intake.",
                                 code="TAXONOMY_STEP")
    if not fits_case_type(combination, case_type):
        expected = ("Sub-Category Angela Melody" if case_type == CaseType.ANGELA_MELODY
                    else f"Disposition {PLAN_SELECTED_IN_ERROR}")
        label = with_article(CaseType(case_type).label)
        raise TaxonomyNotAllowed(f"{label[0].upper()}{label[1:]} case uses {expected}.",
                                 code="TAXONOMY_CASE_TYPE")


def _check_request(*, case_type: str, combination: TaxonomyCombination,
                   requested_plan: Plan | None, requested_provider_name: str,
                   for_cause_reason: str, provider_termination: ProviderTermination | None,
                   current_mco_auto_assigned: bool, current_mco_start: datetime.date | None,
                   consumer_issues_resolved: bool, today: datetime.date) -> None:
    """Refuse a request the seed does not take as a tracker case of *case_type*."""
    if case_type == CaseType.ANGELA_MELODY:
        if provider_termination is None:
            raise DomainError("Choose the provider leaving the MCO.", code="TERMINATION_REQUIRED")
        check_angela_melody_period(termination=provider_termination, today=today)
        if requested_plan is None and not requested_provider_name:
            raise DomainError("Enter the New MCO or the New Provider Name.",
                              code="REQUEST_REQUIRED")
    elif requested_plan is None:
        raise DomainError("Choose the MCO the consumer asks for.", code="REQUEST_REQUIRED")
    if case_type == CaseType.FOR_CAUSE and not for_cause_reason:
        raise DomainError("Choose the For Cause Reason.", code="FOR_CAUSE_REQUIRED")
    check_right_to_change(case_type=case_type, auto_assigned=current_mco_auto_assigned,
                          current_mco_start=current_mco_start, today=today)
    if consumer_issues_resolved and combination.work_queue is not None:
        # Seed 003: an escalated case answers "Were the Consumer's issues resolved? No".
        raise DomainError("A case sent for MCO enrollment consideration is not resolved yet: "
                          "answer No to Were the Consumer's issues resolved?",
                          code="RESOLVED_ESCALATION")


def case_intake(*, actor: AbstractBaseUser, case_type: str, taxonomy: Mapping[str, Any],
                participant_names: str, masshealth_id: str, ssn: str,
                requested_plan: Plan | None = None, requested_provider_name: str = "",
                for_cause_reason: str = "",
                provider_termination: ProviderTermination | None = None,
                current_mco_auto_assigned: bool = False,
                current_mco_start: datetime.date | None = None,
                consumer_issues_resolved: bool = False, supervisor_requested: bool = False,
                today: datetime.date, now: datetime.datetime,
                submission_token: uuid.UUID | None = None) -> Case:
    """Open a tracker case from a CSR's call; compose its Subject and CRM documentation.

    A second post of the same intake page (same *submission_token*) returns the first case.
    """
    require(actor, TRANSITIONS[Move.INTAKE].permission)
    if ssn_refusal(ssn):
        raise DomainError(ssn_refusal(ssn), code="SSN_NEVER_ISSUED")
    combination = taxonomy_combination(**{f: taxonomy[f] for f in TAXONOMY_FIELDS})
    check_intake_taxonomy(combination, case_type)
    _check_request(case_type=case_type, combination=combination, requested_plan=requested_plan,
                   requested_provider_name=requested_provider_name,
                   for_cause_reason=for_cause_reason,
                   provider_termination=provider_termination,
                   current_mco_auto_assigned=current_mco_auto_assigned,
                   current_mco_start=current_mco_start,
                   consumer_issues_resolved=consumer_issues_resolved, today=today)
    requested = requested_text(requested_plan, requested_provider_name)
    subject, documentation = case_texts(
        case_type=case_type, participant_names=participant_names, masshealth_id=masshealth_id,
        ssn=ssn, for_cause_reason=for_cause_reason, requested=requested)
    with transaction.atomic(durable=True):
        done = submission_replay(Case, token=submission_token, user=actor,
                                 owner_field="created_by_id",
                                 refusal="This case was already saved.")
        if done is not None:
            return done
        case = Case(
            submission_token=submission_token, case_type=case_type,
            csr_disposition=combination.disposition, subject=subject,
            crm_documentation=documentation, participant_names=participant_names,
            masshealth_id=masshealth_id, ssn=ssn, requested_plan=requested_plan,
            requested_provider_name=requested_provider_name,
            for_cause_reason=for_cause_reason if case_type == CaseType.FOR_CAUSE else "",
            provider_termination=(provider_termination
                                  if case_type == CaseType.ANGELA_MELODY else None),
            current_mco_auto_assigned=current_mco_auto_assigned,
            current_mco_start=current_mco_start if current_mco_auto_assigned else None,
            consumer_issues_resolved=consumer_issues_resolved,
            supervisor_requested=supervisor_requested, created_by=actor)
        for field, value in taxonomy_changes(combination, case=case, now=now).items():
            setattr(case, field, value)
        case.save()
        # The case opens at the caller's moment (auto_now_add stamps its own reading).
        Case.objects.filter(pk=case.pk).update(created_at=now, updated_at=now)
        case.created_at = case.updated_at = now
        rows = [CaseHistory(case=case, field="created", new_value=case.number,
                            changed_by=actor, changed_at=now, reason="CSR intake")]
        for field in INTAKE_HISTORY:
            value = display_value(field, getattr(case, field))
            if value:
                rows.append(CaseHistory(case=case, field=field, new_value=value[:255],
                                        changed_by=actor, changed_at=now, reason="CSR intake"))
        CaseHistory.objects.bulk_create(rows)
        audit_record(AuditAction.CREATE, "tracker case", case.number,
                     member_ids=[masshealth_id], user=actor, detail=f"intake {case_type}")
    logger.info("tracker case %s opened by %s: %s", case.number, actor.get_username(), subject)
    return case
