"""The tracker's moves as data: where a case waits for each, who makes it, where it goes.

Seed 003's process, step by step: the CSR's intake, QC's vetting, the State Monitor's MMIS
result, and the Supervisor's two outreach attempts (the second closes the case). A case
waits in a work queue (fixtures/crm_taxonomy.json); a move is open while the case waits in
the move's queue. ``TRANSITIONS`` is the one statement of these rules, as recoupments'
table is of theirs: the services guard with it, the case page and the step pages offer
what it allows, and the tests walk it.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from crm_tracker.models import Case, Step

# Queue names of fixtures/crm_taxonomy.json where the portal hands cases on.
QC_QUEUE = "MCO Tracker QC"
MONITOR_QUEUE = "State Monitor"
OUTREACH_QUEUE = "Supervisor Outreach"
PLAN_SELECTED_IN_ERROR = "Plan Selected in Error"
MAX_OUTREACH_ATTEMPTS = 2  # seed 003: "two (2) outreach attempts"
# [I] Seed 003 sets no time for the outreach; the dashboard (issue 18) counts a case waiting
# longer than this many business days in the Supervisor's queue as overdue.
OUTREACH_DUE_BUSINESS_DAYS = 5


class Move(models.TextChoices):
    INTAKE = "intake", "CSR intake"
    VET = "vet", "QC Vetting"
    MMIS_RESULT = "mmis_result", "MMIS Processing"
    OUTREACH_FIRST = "outreach_first", "Outreach 1st Attempt"
    OUTREACH_MAX = "outreach_max", "Outreach 2nd Attempt"  # Outreach Max Attempts: closed


@dataclass(frozen=True)
class Transition:
    """One move: the queue it starts from, the queues it may lead to, who may make it."""

    move: str
    source: str | None  # the work queue the case waits in; None: the case is new
    targets: tuple[str | None, ...]  # where the case may wait next; None: nobody's work
    permission: str  # codename on Case (crm_tracker/roles.py gives it to one role)
    steps: tuple[str, ...]  # the taxonomy steps whose combination the move applies
    verb: str  # the refusal says "it cannot be <verb> now"
    field: str  # the case field whose history row says the move was made
    attempts: int | None = None  # outreach: the attempts already recorded before the move


TRANSITIONS: dict[str, Transition] = {t.move: t for t in (
    # The intake combination says where the case goes: QC, or nowhere (closed at once).
    Transition(Move.INTAKE, None, (QC_QUEUE, None), "intake_case", (Step.INTAKE,), "opened",
               "created"),
    # Seed 003 "QC Vetting": True → the State Monitors; False → the CSR's Supervisor.
    Transition(Move.VET, QC_QUEUE, (MONITOR_QUEUE, OUTREACH_QUEUE), "vet_case",
               (Step.QC_TRUE, Step.QC_FALSE), "vetted", "vetting"),
    # Processed: done; not processed: back to QC, who relabel it False for outreach.
    Transition(Move.MMIS_RESULT, MONITOR_QUEUE, (None, QC_QUEUE), "monitor_case", (),
               "marked in MMIS", "mmis_result"),
    Transition(Move.OUTREACH_FIRST, OUTREACH_QUEUE, (OUTREACH_QUEUE,), "outreach_case",
               (Step.OUTREACH_FIRST,), "given an outreach attempt", "outreach_attempts",
               attempts=0),
    Transition(Move.OUTREACH_MAX, OUTREACH_QUEUE, (None,), "outreach_case",
               (Step.OUTREACH_MAX,), "given an outreach attempt", "outreach_attempts",
               attempts=1),
)}
OUTREACH_MOVES = (Move.OUTREACH_FIRST, Move.OUTREACH_MAX)

# The permission of the role that applies each step's taxonomy combinations: seed 003
# gives the CSR, the QC Team Lead and the Supervisor each their own taxonomy.
STEP_PERMISSIONS: dict[str, str] = {
    step: f"crm_tracker.{t.permission}" for t in TRANSITIONS.values() for step in t.steps}


def waiting_in(case: Case) -> str:
    """Return the name of the work queue *case* waits in ("" when nobody has to act)."""
    return case.work_queue.name if case.work_queue else ""


def outreach_move(case: Case) -> str:
    """Return the outreach move *case* is at: the 1st attempt, then the 2nd."""
    return Move.OUTREACH_FIRST if case.outreach_attempts == 0 else Move.OUTREACH_MAX


def move_open(case: Case, move: str) -> bool:
    """Return True when *case* waits where *move* starts (and at its outreach attempt)."""
    transition = TRANSITIONS[move]
    if waiting_in(case) != transition.source:
        return False
    return transition.attempts is None or case.outreach_attempts == transition.attempts


def actor_refusal(case: Case, move: str, actor: AbstractBaseUser) -> str:
    """Return why *actor* may not make *move* on *case* ("" when they may).

    The move's permission; and outreach is the case's own Supervisor's (seed 003: "the
    CSR's Supervisor"), a superuser standing in.
    """
    permission = TRANSITIONS[move].permission
    if not actor.has_perm(f"crm_tracker.{permission}"):
        return f"You may not do this (needs {permission})."
    if move in OUTREACH_MOVES and not (case.outreach_supervisor_id == actor.pk
                                       or actor.is_superuser):
        return "Only the CSR's Supervisor does the outreach on this case."
    return ""


def may_move(case: Case, move: str, actor: AbstractBaseUser) -> bool:
    """Return True when *move* is open on *case* and *actor* may make it."""
    return move_open(case, move) and not actor_refusal(case, move, actor)
