"""The workflow moves after intake: QC vetting, the MMIS result, the Supervisor's outreach.

Each entry point owns one durable transaction; the moves a batch or an import repeats
(``vet``, ``mmis_record``) run inside the caller's. Order: lock, guard (the transition
table of crm_tracker.workflow), change, history rows, audit row.
"""

import datetime
import logging
import uuid
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from crm_tracker.models import (
    Case,
    MmisResult,
    OutreachOutcome,
    Step,
    SupervisorAssignment,
    Vetting,
    VettingBatch,
)
from crm_tracker.rules import mmis_date_refusal
from crm_tracker.services.changes import change, guard, locked, require, taxonomy_changes
from crm_tracker.taxonomy import taxonomy_for_step
from crm_tracker.workflow import (
    MAX_OUTREACH_ATTEMPTS,
    PLAN_SELECTED_IN_ERROR,
    TRANSITIONS,
    Move,
    outreach_move,
)
from posc.clock import today_eastern
from posc.exceptions import DomainError, InvalidTransition
from posc.submission import submission_replay

logger = logging.getLogger(__name__)

# The service's words for the rules of the Date processed in MMIS (crm_tracker.rules).
DATE_REFUSALS = {"DATE_FUTURE": "The Date processed in MMIS cannot be in the future.",
                 "DATE_BEFORE_CASE": "The Date processed in MMIS cannot be before the case was "
                                     "opened."}


def _check_reason(reason: str) -> None:
    if not reason.strip():
        raise DomainError("Enter the reason for the vetting result.", code="REASON_REQUIRED")


def vet(*, case: Case, true_case: bool, reason: str, actor: AbstractBaseUser,
        now: datetime.datetime) -> Case:
    """Vet one case inside the caller's transaction (case_vet, case_vet_bulk)."""
    case = locked(case)
    guard(case, Move.VET, actor)
    if true_case and case.mmis_result == MmisResult.NOT_PROCESSED:
        # Seed 003: cases the State Monitor could not process go to Supervisor outreach.
        raise InvalidTransition("The State Monitor could not process this case: relabel "
                                "it as a False tracker case for Supervisor outreach.",
                                code="NOT_PROCESSED_TO_OUTREACH")
    step = Step.QC_TRUE if true_case else Step.QC_FALSE
    changes = taxonomy_changes(taxonomy_for_step(step=step), case=case, now=now)
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
    change(case, changes, actor=actor, reason=reason.strip(), now=now, step="QC vetting")
    return case


def case_vet(*, case: Case, true_case: bool, reason: str, actor: AbstractBaseUser,
             now: datetime.datetime) -> Case:
    """Record QC's verdict: True → State Monitors; False → the CSR's Supervisor for outreach."""
    require(actor, TRANSITIONS[Move.VET].permission)
    _check_reason(reason)
    with transaction.atomic(durable=True):
        case = vet(case=case, true_case=true_case, reason=reason, actor=actor, now=now)
    logger.info("tracker case %s vetted %s by %s", case.number, case.vetting,
                actor.get_username())
    return case


def case_vet_bulk(*, cases: Sequence[Case], true_case: bool, reason: str,
                  actor: AbstractBaseUser, now: datetime.datetime,
                  submission_token: uuid.UUID | None = None) -> VettingBatch:
    """Vet several cases with one verdict and reason: every case, or none (issue 13).

    Each case is vetted as by case_vet, so each gets its own history and audit rows. A
    second post of the same QC Queue page (same *submission_token*) returns the first batch.
    """
    require(actor, TRANSITIONS[Move.VET].permission)
    if not cases:
        raise DomainError("Select the cases to vet.", code="CASES_REQUIRED")
    _check_reason(reason)
    cases = sorted(cases, key=lambda case: case.pk)
    with transaction.atomic(durable=True):
        done = submission_replay(VettingBatch, token=submission_token, user=actor,
                                 owner_field="vetted_by_id",
                                 refusal="These cases were already vetted.")
        if done is not None:
            return done
        # Lock them all first, in one order, so that two batches never wait on each other.
        list(Case.objects.select_for_update(of=("self",)).filter(
            pk__in=[case.pk for case in cases]).order_by("pk").values_list("pk"))
        for case in cases:
            try:
                vet(case=case, true_case=true_case, reason=reason, actor=actor, now=now)
            except DomainError as exc:
                # The whole batch rolls back; the message names the case that stopped it.
                where = "" if case.number in exc.message else f"Case {case.number}: "
                raise type(exc)(f"{where}{exc.message} No case was vetted.",
                                code=exc.code) from None
        batch = VettingBatch.objects.create(
            submission_token=submission_token, vetted_by=actor, vetted_at=now,
            vetting=Vetting.TRUE if true_case else Vetting.FALSE, reason=reason.strip())
        batch.cases.set(cases)
    logger.info("%s tracker cases vetted %s by %s", len(cases), batch.vetting,
                actor.get_username())
    return batch


def _processed_changes(case: Case, *, processed_on: datetime.date | None, reason: str,
                       today: datetime.date) -> dict:
    if processed_on is None:
        raise DomainError("Enter the Date processed in MMIS.", code="DATE_REQUIRED")
    refusal = mmis_date_refusal(processed_on=processed_on,
                                opened_on=today_eastern(case.created_at), today=today)
    if refusal:
        raise DomainError(DATE_REFUSALS[refusal], code=refusal)
    if reason.strip():
        # As the sheet: a reason would be dropped without a word (issue 13 point 15).
        raise DomainError("A processed case has no Reason not processed: clear the "
                          "reason, or choose Not Processed.", code="REASON_WITH_PROCESSED")
    return {"mmis_result": MmisResult.PROCESSED, "mmis_processed_on": processed_on,
            "not_processed_reason": "", "work_queue": None}


def _not_processed_changes(*, processed_on: datetime.date | None, reason: str) -> dict:
    if not reason.strip():
        raise DomainError("Enter the Reason not processed.", code="REASON_REQUIRED")
    if processed_on is not None:
        raise DomainError("A case not processed has no Date processed in MMIS: clear "
                          "the date, or choose Processed.", code="DATE_WITH_NOT_PROCESSED")
    # Seed 003: back to the QC Team, who relabel it False for Supervisor outreach.
    qc_queue = taxonomy_for_step(step=Step.INTAKE, disposition=PLAN_SELECTED_IN_ERROR).work_queue
    return {"mmis_result": MmisResult.NOT_PROCESSED, "mmis_processed_on": None,
            "not_processed_reason": reason.strip(), "work_queue": qc_queue}


def mmis_record(*, case: Case, processed: bool, processed_on: datetime.date | None,
                reason: str, actor: AbstractBaseUser, today: datetime.date,
                now: datetime.datetime) -> Case:
    """Record one MMIS result inside the caller's transaction (case_mmis_record, the sheet)."""
    case = locked(case)
    guard(case, Move.MMIS_RESULT, actor)
    if processed:
        changes = _processed_changes(case, processed_on=processed_on, reason=reason, today=today)
        why = "Processed in MMIS"
    else:
        changes = _not_processed_changes(processed_on=processed_on, reason=reason)
        why = reason.strip()
    change(case, changes, actor=actor, reason=why, now=now, step="MMIS result")
    return case


def case_mmis_record(*, case: Case, processed: bool, processed_on: datetime.date | None,
                     reason: str, actor: AbstractBaseUser, today: datetime.date,
                     now: datetime.datetime) -> Case:
    """Record the State Monitor's MMIS result; a case not processed goes back to QC."""
    require(actor, TRANSITIONS[Move.MMIS_RESULT].permission)
    with transaction.atomic(durable=True):
        case = mmis_record(case=case, processed=processed, processed_on=processed_on,
                           reason=reason, actor=actor, today=today, now=now)
    logger.info("tracker case %s MMIS result %s by %s", case.number, case.mmis_result,
                actor.get_username())
    return case


def _check_attempt(case: Case, attempt: int | None) -> None:
    """Refuse the attempt the page offered when it is not the case's next one."""
    if attempt is not None and attempt <= case.outreach_attempts:
        raise DomainError(f"Outreach attempt {attempt} is already recorded on this case.",
                          code="ATTEMPT_RECORDED")
    if attempt is not None and attempt != case.outreach_attempts + 1:
        raise DomainError(f"Outreach attempt {attempt} cannot be recorded yet: this case has "
                          f"{case.outreach_attempts} attempt(s); the next is attempt "
                          f"{case.outreach_attempts + 1}.", code="ATTEMPT_OUT_OF_ORDER")


def case_outreach(*, case: Case, documentation: str, actor: AbstractBaseUser,
                  now: datetime.datetime, attempt: int | None = None, outcome: str = "",
                  contact: str = "") -> Case:
    """Record a Supervisor outreach attempt: 1st → Escalated; 2nd → Max Attempts, Closed.

    *attempt* is the attempt the Supervisor's page offered: a double-click of the 1st
    attempt must not record the 2nd (which closes the case). *outcome* (OutreachOutcome)
    and *contact* (the number or address used) are the call's record; the page asks both.
    """
    require(actor, TRANSITIONS[Move.OUTREACH_FIRST].permission)
    if not documentation.strip():
        raise DomainError("Enter the outreach documentation.", code="DOCUMENTATION_REQUIRED")
    if outcome and outcome not in OutreachOutcome.values:
        raise DomainError("Choose the Outcome of the call from the list.", code="OUTCOME")
    with transaction.atomic(durable=True):
        case = locked(case)
        if case.outreach_attempts >= MAX_OUTREACH_ATTEMPTS:
            raise InvalidTransition(
                f"Both outreach attempts are already recorded on case {case.number} (Outreach "
                "Max Attempts): the seed's process has no third attempt.", code="MAX_ATTEMPTS")
        move = outreach_move(case)
        guard(case, move, actor)
        _check_attempt(case, attempt)
        which = "first" if move == Move.OUTREACH_FIRST else "second"
        step = TRANSITIONS[move].steps[0]
        changes = taxonomy_changes(taxonomy_for_step(step=step), case=case, now=now)
        changes |= {f"outreach_{which}_notes": documentation.strip(),
                    f"outreach_{which}_outcome": outcome,
                    f"outreach_{which}_contact": contact.strip(),
                    "outreach_attempts": case.outreach_attempts + 1}
        change(case, changes, actor=actor, reason=Step(step).label, now=now, step="outreach")
    logger.info("tracker case %s outreach attempt %s by %s", case.number, case.outreach_attempts,
                actor.get_username())
    return case
