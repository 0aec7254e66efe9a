"""Tracker writes: intake, QC vetting, State Monitor results, Supervisor outreach, admin edits.

Every service owns its transaction, locks the case it changes, and writes one CaseHistory
row per changed field in that same transaction (domain.md G, "Cases with History").
"""

import datetime
import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from crm_tracker.models import (
    TAXONOMY_FIELDS,
    Case,
    CaseHistory,
    CaseType,
    ForCauseReason,
    MmisResult,
    OutreachOutcome,
    ProviderTermination,
    Step,
    SupervisorAssignment,
    TaxonomyCombination,
    Vetting,
    VettingBatch,
    mask_ssn,
)
from crm_tracker.rules import (
    check_angela_melody_period,
    check_right_to_change,
    ssn_refusal,
    with_article,
)
from crm_tracker.taxonomy import (
    TaxonomyNotAllowed,
    check_correction,
    fits_case_type,
    taxonomy_combination,
    taxonomy_for_step,
)
from posc.clock import today_eastern
from posc.exceptions import DomainError, InvalidTransition
from posc.members.models import Plan
from posc.submission import submission_replay

logger = logging.getLogger(__name__)

# Queue names of fixtures/crm_taxonomy.json where the portal hands cases on.
QC_QUEUE = "MCO Tracker QC"
MONITOR_QUEUE = "State Monitor"
OUTREACH_QUEUE = "Supervisor Outreach"
PLAN_SELECTED_IN_ERROR = "Plan Selected in Error"


def _require(user: AbstractBaseUser, perm: str) -> None:
    if not user.has_perm(f"crm_tracker.{perm}"):
        raise PermissionDenied(f"You may not do this (needs {perm}).")


def display_value(field: str, value: Any) -> str:
    """Return *value* as a history row shows it; the SSN masked to its last four digits."""
    if value is None or value == "":
        return ""
    if field == "ssn":
        return mask_ssn(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%m/%d/%Y %I:%M %p")
    if isinstance(value, datetime.date):
        return value.strftime("%m/%d/%Y")
    choices = {"case_type": CaseType, "for_cause_reason": ForCauseReason,
               "vetting": Vetting, "mmis_result": MmisResult,
               "outreach_first_outcome": OutreachOutcome,
               "outreach_second_outcome": OutreachOutcome}
    if field in choices:
        return str(choices[field](value).label)
    if isinstance(value, AbstractBaseUser):
        return value.get_username()
    return str(value)


def _current(case: Case, field: str) -> Any:
    """Return the field's value, the related object for a foreign key."""
    return getattr(case, field)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, models.Model) or isinstance(new, models.Model):
        return getattr(old, "pk", None) == getattr(new, "pk", None)
    return old == new


def _apply(case: Case, changes: Mapping[str, Any], *, user: AbstractBaseUser, reason: str,
           now: datetime.datetime) -> list[CaseHistory]:
    """Set the changed fields on *case*; return their unsaved history rows."""
    rows = []
    for field, new in changes.items():
        old = _current(case, field)
        if _same(old, new):
            continue
        setattr(case, field, new)
        rows.append(CaseHistory(
            case=case, field=field, old_value=display_value(field, old)[:255],
            new_value=display_value(field, new)[:255], changed_by=user, changed_at=now,
            reason=reason[:255]))
    return rows


def _taxonomy_changes(combination: TaxonomyCombination, *, case: Case,
                      now: datetime.datetime, hand_on: bool = True) -> dict[str, Any]:
    """Return the field values a combination sets: taxonomy, Status, Owner, next queue."""
    changes: dict[str, Any] = {f: getattr(combination, f) for f in TAXONOMY_FIELDS}
    changes |= {"status": combination.status, "owner_queue": combination.owner_queue,
                "owner_user": None}
    if hand_on:
        changes["work_queue"] = combination.work_queue
    if combination.status.is_closed:
        changes["closed_at"] = case.closed_at or now
    else:
        changes["closed_at"] = None
    return changes


def _save(case: Case, rows: list[CaseHistory], *, user: AbstractBaseUser, step: str) -> None:
    case.save()
    CaseHistory.objects.bulk_create(rows)
    # HIPAA 45 CFR 164.312(b): the change is audited in the step's transaction.
    audit_record(AuditAction.CHANGE, "tracker case", case.number,
                 member_ids=[case.masshealth_id], user=user,
                 detail=f"{step}: {', '.join(row.field for row in rows) or 'no change'}")


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related(
        "work_queue", "status", "created_by").get(pk=case.pk)


def _in_queue(case: Case, queue: str, action: str) -> None:
    if case.work_queue is None or case.work_queue.name != queue:
        where = case.work_queue.name if case.work_queue else "no queue"
        raise InvalidTransition(f"Case {case.number} is waiting in {where}, not in {queue}: "
                                f"it cannot be {action} now.")


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


def _requested_text(plan: Plan | None, provider_name: str) -> str:
    """Return the MCO and/or provider asked for, as the CRM documentation names them."""
    return ", ".join(p for p in (plan.name if plan else "", provider_name) if p)


# The case fields the Subject and CRM documentation are composed of (case_texts).
COMPOSED_FROM = ("participant_names", "masshealth_id", "ssn", "requested_plan",
                 "requested_provider_name", "for_cause_reason")


def _recomposed(case: Case, values: Mapping[str, Any]) -> dict[str, str]:
    """Return the Subject and CRM documentation composed again from corrected fields.

    A corrected name or SSN must not stay old in the CRM line (issue 13 point 13); a line
    the admin typed in the same correction is kept as typed.
    """
    if all(_same(getattr(case, f), values.get(f, getattr(case, f))) for f in COMPOSED_FROM):
        return {}
    value = {f: values.get(f, getattr(case, f)) for f in COMPOSED_FROM}
    subject, documentation = case_texts(
        case_type=case.case_type, participant_names=value["participant_names"],
        masshealth_id=value["masshealth_id"], ssn=value["ssn"],
        for_cause_reason=value["for_cause_reason"],
        requested=_requested_text(value["requested_plan"], value["requested_provider_name"]))
    texts = {"subject": subject, "crm_documentation": documentation}
    return {field: text for field, text in texts.items() if field not in values}


def _check_intake_taxonomy(combination: TaxonomyCombination, case_type: str) -> None:
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


def case_intake(*, user: AbstractBaseUser, case_type: str, taxonomy: Mapping[str, Any],
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
    _require(user, "intake_case")
    if ssn_refusal(ssn):
        raise DomainError(ssn_refusal(ssn), code="SSN_NEVER_ISSUED")
    combination = taxonomy_combination(**{f: taxonomy[f] for f in TAXONOMY_FIELDS})
    _check_intake_taxonomy(combination, case_type)
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
    requested = _requested_text(requested_plan, requested_provider_name)
    subject, documentation = case_texts(
        case_type=case_type, participant_names=participant_names, masshealth_id=masshealth_id,
        ssn=ssn, for_cause_reason=for_cause_reason, requested=requested)
    with transaction.atomic():
        done = submission_replay(Case, token=submission_token, user=user,
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
            supervisor_requested=supervisor_requested, created_by=user)
        for field, value in _taxonomy_changes(combination, case=case, now=now).items():
            setattr(case, field, value)
        case.save()
        # The case opens at the caller's moment (auto_now_add stamps its own reading).
        Case.objects.filter(pk=case.pk).update(created_at=now, updated_at=now)
        case.created_at = case.updated_at = now
        rows = [CaseHistory(case=case, field="created", new_value=case.number,
                            changed_by=user, changed_at=now, reason="CSR intake")]
        for field in ("case_type", *TAXONOMY_FIELDS, "status", "owner_queue", "work_queue",
                      "subject", "crm_documentation", "participant_names", "masshealth_id",
                      "ssn", "requested_plan", "requested_provider_name", "for_cause_reason",
                      "provider_termination", "current_mco_auto_assigned", "current_mco_start",
                      "consumer_issues_resolved", "supervisor_requested", "closed_at"):
            value = display_value(field, getattr(case, field))
            if value:
                rows.append(CaseHistory(case=case, field=field, new_value=value[:255],
                                        changed_by=user, changed_at=now, reason="CSR intake"))
        CaseHistory.objects.bulk_create(rows)
        audit_record(AuditAction.CREATE, "tracker case", case.number,
                     member_ids=[masshealth_id], user=user, detail=f"intake {case_type}")
    logger.info("tracker case %s opened by %s: %s", case.number, user.get_username(), subject)
    return case


case_intake.alters_data = True


def case_vet(*, case: Case, true_case: bool, reason: str, user: AbstractBaseUser,
             now: datetime.datetime) -> Case:
    """Record QC's verdict: True → State Monitors; False → the CSR's Supervisor for outreach."""
    _require(user, "vet_case")
    if not reason.strip():
        raise DomainError("Enter the reason for the vetting result.", code="REASON_REQUIRED")
    with transaction.atomic():
        case = _locked(case)
        _in_queue(case, QC_QUEUE, "vetted")
        if true_case and case.mmis_result == MmisResult.NOT_PROCESSED:
            # Seed 003: cases the State Monitor could not process go to Supervisor outreach.
            raise InvalidTransition("The State Monitor could not process this case: relabel "
                                    "it as a False tracker case for Supervisor outreach.",
                                    code="NOT_PROCESSED_TO_OUTREACH")
        step = Step.QC_TRUE if true_case else Step.QC_FALSE
        changes = _taxonomy_changes(taxonomy_for_step(step=step), case=case, now=now)
        changes |= {"vetting": Vetting.TRUE if true_case else Vetting.FALSE,
                    "vetting_reason": reason.strip()}
        if not true_case:
            assignment = SupervisorAssignment.objects.select_related("supervisor").filter(
                csr=case.created_by).first()
            if assignment is None:
                raise DomainError(f"CSR {case.created_by.get_username()} has no Supervisor: "
                                  "Enrollment Operations assigns one in the admin.",
                                  code="NO_SUPERVISOR")
            changes["outreach_supervisor"] = assignment.supervisor
        _save(case, _apply(case, changes, user=user, reason=reason.strip(), now=now),
              user=user, step="QC vetting")
    logger.info("tracker case %s vetted %s by %s", case.number, case.vetting,
                user.get_username())
    return case


case_vet.alters_data = True


def case_mmis_record(*, case: Case, processed: bool, processed_on: datetime.date | None,
                     reason: str, user: AbstractBaseUser, today: datetime.date,
                     now: datetime.datetime) -> Case:
    """Record the State Monitor's MMIS result; a case not processed goes back to QC."""
    _require(user, "monitor_case")
    with transaction.atomic():
        case = _locked(case)
        _in_queue(case, MONITOR_QUEUE, "marked in MMIS")
        if processed:
            if processed_on is None:
                raise DomainError("Enter the Date processed in MMIS.", code="DATE_REQUIRED")
            if processed_on > today:
                raise DomainError("The Date processed in MMIS cannot be in the future.",
                                  code="DATE_FUTURE")
            if processed_on < today_eastern(case.created_at):
                raise DomainError("The Date processed in MMIS cannot be before the case was "
                                  "opened.", code="DATE_BEFORE_CASE")
            if reason.strip():
                # As the sheet: a reason would be dropped without a word (issue 13 point 15).
                raise DomainError("A processed case has no Reason not processed: clear the "
                                  "reason, or choose Not Processed.", code="REASON_WITH_PROCESSED")
            changes = {"mmis_result": MmisResult.PROCESSED, "mmis_processed_on": processed_on,
                       "not_processed_reason": "", "work_queue": None}
            why = "Processed in MMIS"
        else:
            if not reason.strip():
                raise DomainError("Enter the Reason not processed.", code="REASON_REQUIRED")
            if processed_on is not None:
                raise DomainError("A case not processed has no Date processed in MMIS: clear "
                                  "the date, or choose Processed.", code="DATE_WITH_NOT_PROCESSED")
            qc_queue = taxonomy_for_step(step=Step.INTAKE,
                                         disposition=PLAN_SELECTED_IN_ERROR).work_queue
            changes = {"mmis_result": MmisResult.NOT_PROCESSED, "mmis_processed_on": None,
                       "not_processed_reason": reason.strip(), "work_queue": qc_queue}
            why = reason.strip()
        _save(case, _apply(case, changes, user=user, reason=why, now=now), user=user,
              step="MMIS result")
    logger.info("tracker case %s MMIS result %s by %s", case.number, case.mmis_result,
                user.get_username())
    return case


case_mmis_record.alters_data = True


MAX_OUTREACH_ATTEMPTS = 2  # seed 003: "two (2) outreach attempts"


def case_outreach(*, case: Case, documentation: str, user: AbstractBaseUser,
                  now: datetime.datetime, attempt: int | None = None, outcome: str = "",
                  contact: str = "") -> Case:
    """Record a Supervisor outreach attempt: 1st → Escalated; 2nd → Max Attempts, Closed.

    *attempt* is the attempt the Supervisor's page offered: a double-click of the 1st
    attempt must not record the 2nd (which closes the case). *outcome* (OutreachOutcome)
    and *contact* (the number or address used) are the call's record; the page asks both.
    """
    _require(user, "outreach_case")
    if not documentation.strip():
        raise DomainError("Enter the outreach documentation.", code="DOCUMENTATION_REQUIRED")
    if outcome and outcome not in OutreachOutcome.values:
        raise DomainError("Choose the Outcome of the call from the list.", code="OUTCOME")
    with transaction.atomic():
        case = _locked(case)
        if case.outreach_attempts >= MAX_OUTREACH_ATTEMPTS:
            raise InvalidTransition(
                f"Both outreach attempts are already recorded on case {case.number} (Outreach "
                "Max Attempts): the seed's process has no third attempt.", code="MAX_ATTEMPTS")
        _in_queue(case, OUTREACH_QUEUE, "given an outreach attempt")
        if case.outreach_supervisor_id != user.pk and not user.is_superuser:
            raise PermissionDenied("Only the CSR's Supervisor does the outreach on this case.")
        if attempt is not None and attempt <= case.outreach_attempts:
            raise DomainError(f"Outreach attempt {attempt} is already recorded on this case.",
                              code="ATTEMPT_RECORDED")
        if attempt is not None and attempt != case.outreach_attempts + 1:
            raise DomainError(f"Outreach attempt {attempt} cannot be recorded yet: this case has "
                              f"{case.outreach_attempts} attempt(s); the next is attempt "
                              f"{case.outreach_attempts + 1}.", code="ATTEMPT_OUT_OF_ORDER")
        if case.outreach_attempts == 0:
            step, which = Step.OUTREACH_FIRST, "first"
        else:
            step, which = Step.OUTREACH_MAX, "second"
        changes = _taxonomy_changes(taxonomy_for_step(step=step), case=case, now=now)
        changes |= {f"outreach_{which}_notes": documentation.strip(),
                    f"outreach_{which}_outcome": outcome,
                    f"outreach_{which}_contact": contact.strip(),
                    "outreach_attempts": case.outreach_attempts + 1}
        _save(case, _apply(case, changes, user=user, reason=Step(step).label, now=now),
              user=user, step="outreach")
    logger.info("tracker case %s outreach attempt %s by %s", case.number, case.outreach_attempts,
                user.get_username())
    return case


case_outreach.alters_data = True


EDITABLE_FIELDS = (*TAXONOMY_FIELDS, "participant_names", "masshealth_id", "requested_plan",
                   "requested_provider_name", "consumer_issues_resolved",
                   "supervisor_requested", "subject", "crm_documentation")


def case_edit(*, case: Case, changes: Mapping[str, Any], user: AbstractBaseUser,
              reason: str, now: datetime.datetime) -> Case:
    """Correct a case's fields (the admin); a new taxonomy sets its own Status and Owner.

    A corrected SSN is stored in full but its history row, like every other, holds only
    the last four digits (display_value).
    """
    _require(user, "change_case")
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
    with transaction.atomic():
        case = _locked(case)
        wanted = {f: changes.get(f, getattr(case, f)) for f in TAXONOMY_FIELDS}
        combination = taxonomy_combination(**wanted)
        check_correction(case=case, combination=combination)
        if combination.step == Step.INTAKE:
            _check_intake_taxonomy(combination, case.case_type)
        values = dict(changes)
        values |= _recomposed(case, values)
        if any(not _same(getattr(case, f), wanted[f]) for f in TAXONOMY_FIELDS):
            # A relabel in the admin sets the combination's Status and Owner; moving the case
            # between work queues stays with the workflow actions.
            values |= _taxonomy_changes(combination, case=case, now=now, hand_on=False)
        _save(case, _apply(case, values, user=user, reason=reason.strip(), now=now),
              user=user, step="edit")
    logger.info("tracker case %s edited by %s", case.number, user.get_username())
    return case


case_edit.alters_data = True


def case_vet_bulk(*, cases: Sequence[Case], true_case: bool, reason: str,
                  user: AbstractBaseUser, now: datetime.datetime,
                  submission_token: uuid.UUID | None = None) -> VettingBatch:
    """Vet several cases with one verdict and reason: every case, or none (issue 13).

    Each case is vetted by case_vet, so each gets its own history and audit rows. A second
    post of the same QC Queue page (same *submission_token*) returns the first batch.
    """
    _require(user, "vet_case")
    if not cases:
        raise DomainError("Select the cases to vet.", code="CASES_REQUIRED")
    if not reason.strip():
        raise DomainError("Enter the reason for the vetting result.", code="REASON_REQUIRED")
    cases = sorted(cases, key=lambda case: case.pk)
    with transaction.atomic():
        done = submission_replay(VettingBatch, token=submission_token, user=user,
                                 owner_field="vetted_by_id",
                                 refusal="These cases were already vetted.")
        if done is not None:
            return done
        # Lock them all first, in one order, so that two batches never wait on each other.
        list(Case.objects.select_for_update(of=("self",)).filter(
            pk__in=[case.pk for case in cases]).order_by("pk").values_list("pk"))
        for case in cases:
            try:
                case_vet(case=case, true_case=true_case, reason=reason, user=user, now=now)
            except DomainError as exc:
                # The whole batch rolls back; the message names the case that stopped it.
                where = "" if case.number in exc.message else f"Case {case.number}: "
                raise type(exc)(f"{where}{exc.message} No case was vetted.",
                                code=exc.code) from None
        batch = VettingBatch.objects.create(
            submission_token=submission_token, vetted_by=user, vetted_at=now,
            vetting=Vetting.TRUE if true_case else Vetting.FALSE, reason=reason.strip())
        batch.cases.set(cases)
    logger.info("%s tracker cases vetted %s by %s", len(cases), batch.vetting,
                user.get_username())
    return batch
