"""The status moves of a recoupment request as data (seed 004; domain.md E1).

``TRANSITIONS`` names, for every move, the statuses it may start from, the status it leads
to and the permission it needs; ``Recoupment.move_refusal`` reads it, the services guard
each move with it (``move_steps.guard``), and ``moves.py`` adds the service and form of
each move. Import these names from ``recoupments.models`` or from here.
"""

from dataclasses import dataclass

from django.db import models


class Status(models.TextChoices):
    SUBMITTED = "SUBMITTED", "Received: completeness review"
    RETURNED = "RETURNED", "Returned to provider for completion"
    RESEARCH = "RESEARCH", "Research"
    APPROVAL = "APPROVAL", "Awaiting approval"
    MCE_REPROCESSING = "MCE_REPROCESSING", "Approved: MCE reprocessing claims"
    MASSHEALTH_BILLING = "MASSHEALTH_BILLING", "Approved: bill MassHealth"
    OVERRIDE_REQUESTED = "OVERRIDE_REQUESTED", "Override requested from ClaimsSupport"
    PAID = "PAID", "Payment confirmed"
    CLOSED = "CLOSED", "Closed: no line reimbursed"


class Move(models.TextChoices):
    SUBMIT = "submit", "Submit"
    RESUBMIT = "resubmit", "Resubmit"
    CONFIRM_COMPLETE = "confirm_complete", "Confirm complete"
    RETURN_INCOMPLETE = "return_incomplete", "Return to provider"
    RECORD_RESEARCH = "record_research", "Record research"
    APPROVE_MCE = "approve_mce", "Approve: MCE or MBHP pays"
    APPROVE_MASSHEALTH = "approve_masshealth", "Approve: MassHealth pays"
    RECORD_MCE_UPDATE = "record_mce_update", "Record MCE claim status"
    RECORD_DENIED_CLAIM = "record_denied_claim", "Record denied claim"
    SEND_CLAIMS_SUPPORT = "send_claims_support", "Send ClaimsSupport e-mail"
    CONFIRM_PAYMENT = "confirm_payment", "Confirm payment"
    # A line the paying MCE denied (seed 004's fallback): approved again on another path,
    # (d) included, with its own clock, or closed with a reason.
    REAPPROVE_MCE = "reapprove_mce", "Re-approve denied line: MCE or MBHP pays"
    REAPPROVE_MASSHEALTH = "reapprove_masshealth", "Re-approve denied line: MassHealth pays"
    CLOSE_LINE = "close_line", "Close denied line"
    CLOSE_REQUEST = "close_request", "Close request: no line reimbursed"
    CORRECT_DENIED_CLAIM = "correct_denied_claim", "Correct denied claim"


# One custom permission per kind of move of Enrollment Operations (seed 004): the model's
# Meta.permissions, the role table (recoupments.roles) and each move below read it.
MOVE_PERMISSIONS: dict[str, str] = {
    "confirm_complete": "Can confirm a recoupment complete",
    "return_incomplete": "Can return a recoupment to the provider",
    "record_research": "Can record recoupment research",
    "approve": "Can approve a recoupment's reimbursement path",
    "record_mce_update": "Can record an MCE's claim status update",
    "record_denied_claim": "Can record a denied claim's ICN",
    "send_claims_support": "Can send the ClaimsSupport override e-mail",
    "confirm_payment": "Can confirm a recoupment's payment",
}


@dataclass(frozen=True)
class Transition:
    """One move: where it may start, where it leads (None: stays) and who may make it."""

    move: str
    sources: frozenset[str]
    target: str | None
    permission: str  # a codename of MOVE_PERMISSIONS; "" = the submitting provider's own move

    def __post_init__(self) -> None:
        if self.permission and self.permission not in MOVE_PERMISSIONS:
            raise ValueError(f"{self.move}: no permission {self.permission!r}")


S = Status
# Where a line can still move after approval: the MCE reports, a denial is handled.
AFTER_APPROVAL = frozenset({S.MCE_REPROCESSING, S.MASSHEALTH_BILLING, S.OVERRIDE_REQUESTED})
TRANSITIONS: dict[str, Transition] = {t.move: t for t in (
    Transition(Move.RESUBMIT, frozenset({S.RETURNED}), S.SUBMITTED, ""),
    Transition(Move.CONFIRM_COMPLETE, frozenset({S.SUBMITTED}), S.RESEARCH, "confirm_complete"),
    Transition(Move.RETURN_INCOMPLETE, frozenset({S.SUBMITTED}), S.RETURNED, "return_incomplete"),
    Transition(Move.RECORD_RESEARCH, frozenset({S.RESEARCH}), S.APPROVAL, "record_research"),
    Transition(Move.APPROVE_MCE, frozenset({S.APPROVAL}), S.MCE_REPROCESSING, "approve"),
    Transition(Move.APPROVE_MASSHEALTH, frozenset({S.APPROVAL}), S.MASSHEALTH_BILLING,
               "approve"),
    # Lines on an MCE path report until paid, even once a denied line went to path (d).
    Transition(Move.RECORD_MCE_UPDATE, AFTER_APPROVAL, None, "record_mce_update"),
    # Seed 004 (d): the provider receives the denials; the provider or ops records the ICNs.
    Transition(Move.RECORD_DENIED_CLAIM, frozenset({S.MASSHEALTH_BILLING}), None,
               "record_denied_claim"),
    # A wrong ICN is corrected until ClaimsSupport has been sent the ICNs.
    Transition(Move.CORRECT_DENIED_CLAIM, frozenset({S.MASSHEALTH_BILLING}), None,
               "record_denied_claim"),
    Transition(Move.SEND_CLAIMS_SUPPORT, frozenset({S.MASSHEALTH_BILLING}),
               S.OVERRIDE_REQUESTED, "send_claims_support"),
    Transition(Move.CONFIRM_PAYMENT, frozenset({S.MCE_REPROCESSING, S.OVERRIDE_REQUESTED}),
               S.PAID, "confirm_payment"),
    Transition(Move.REAPPROVE_MCE, AFTER_APPROVAL, None, "approve"),
    # Back to billing MassHealth: the line's denied claim and the ClaimsSupport e-mail follow.
    Transition(Move.REAPPROVE_MASSHEALTH, AFTER_APPROVAL, S.MASSHEALTH_BILLING, "approve"),
    Transition(Move.CLOSE_LINE, AFTER_APPROVAL, None, "approve"),
    Transition(Move.CLOSE_REQUEST, AFTER_APPROVAL, S.CLOSED, "approve"),
)}
del S
