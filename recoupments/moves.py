"""How each move of the transition table is made: its service, its form, its permission, its page.

``workflow.TRANSITIONS`` says where a move may start, where it leads and which permission
it needs (the model's data: services and ``Meta.permissions`` read it). This table adds
what sits above the model: the service that makes the move and the form that feeds it.
The admin's move pages, the roles' permissions and the tests all read these two tables;
no other list of the moves exists.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms

from recoupments import claim_services, services
from recoupments.admin_forms import (
    AdminCorrectClaimForm,
    AdminDeniedClaimForm,
    ApproveForm,
    CloseLineForm,
    MceUpdateForm,
    MoveForm,
    PaymentForm,
    ReapproveLineForm,
    ResearchForm,
    ReturnForm,
)
from recoupments.forms import RecoupmentSubmission
from recoupments.models import TRANSITIONS, Move


@dataclass(frozen=True)
class MoveEdge:
    """One move: the service that makes it, the form that feeds it and its admin page."""

    move: str
    service: Callable[..., object]
    form: type  # a Form (the admin's) or the provider's composite RecoupmentSubmission
    page: str = ""  # the admin move page ("": the provider makes it in the portal)

    @property
    def permission(self) -> str:
        """Return the "app_label.codename" the move needs ("": the provider's own move)."""
        codename = TRANSITIONS[self.move].permission
        return f"recoupments.{codename}" if codename else ""


MOVES: dict[str, MoveEdge] = {edge.move: edge for edge in (
    MoveEdge(Move.RESUBMIT, services.recoupment_resubmit, RecoupmentSubmission),
    MoveEdge(Move.CONFIRM_COMPLETE, services.recoupment_confirm_complete, MoveForm,
             "confirm_complete"),
    MoveEdge(Move.RETURN_INCOMPLETE, services.recoupment_return, ReturnForm,
             "return_incomplete"),
    MoveEdge(Move.RECORD_RESEARCH, services.recoupment_research_record, ResearchForm,
             "record_research"),
    # One page approves on any path: the path chosen decides the move (seed 004 (a)-(d)).
    MoveEdge(Move.APPROVE_MCE, services.recoupment_approve, ApproveForm, "approve"),
    MoveEdge(Move.APPROVE_MASSHEALTH, services.recoupment_approve, ApproveForm, "approve"),
    MoveEdge(Move.RECORD_MCE_UPDATE, claim_services.recoupment_mce_update_record, MceUpdateForm,
             "record_mce_update"),
    MoveEdge(Move.RECORD_DENIED_CLAIM, claim_services.recoupment_denied_claim_record,
             AdminDeniedClaimForm, "record_denied_claim"),
    MoveEdge(Move.SEND_CLAIMS_SUPPORT, claim_services.recoupment_claims_support_send, MoveForm,
             "send_claims_support"),
    MoveEdge(Move.CONFIRM_PAYMENT, claim_services.recoupment_payment_confirm, PaymentForm,
             "confirm_payment"),
    MoveEdge(Move.CORRECT_DENIED_CLAIM, claim_services.recoupment_denied_claim_correct,
             AdminCorrectClaimForm, "correct_denied_claim"),
    MoveEdge(Move.REAPPROVE_MCE, claim_services.recoupment_line_reapprove, ReapproveLineForm,
             "reapprove_line"),
    MoveEdge(Move.REAPPROVE_MASSHEALTH, claim_services.recoupment_line_reapprove, ReapproveLineForm,
             "reapprove_line"),
    MoveEdge(Move.CLOSE_LINE, claim_services.recoupment_line_close, CloseLineForm, "close_line"),
    MoveEdge(Move.CLOSE_REQUEST, claim_services.recoupment_close, MoveForm, "close_request"),
)}

# A page's own title where one page makes two moves (else the move's label).
PAGE_TITLES = {"approve": "Approve reimbursement", "reapprove_line": "Re-approve denied line"}


@dataclass(frozen=True)
class MovePage:
    """An admin move page: one form and one service, for one or two moves of the table."""

    name: str
    title: str
    form: type[forms.Form]
    service: Callable[..., object]
    moves: tuple[str, ...]

    @property
    def permission(self) -> str:
        return MOVES[self.moves[0]].permission


def _pages() -> dict[str, MovePage]:
    """Group the moves by admin page; the moves of one page share its form and service."""
    grouped: dict[str, list[MoveEdge]] = {}
    for edge in MOVES.values():
        if edge.page:
            grouped.setdefault(edge.page, []).append(edge)
    pages = {}
    for name, edges in grouped.items():
        first = edges[0]
        if any((e.form, e.service, e.permission) != (first.form, first.service,
                                                      first.permission) for e in edges):
            raise ValueError(f"the moves of page {name} differ in form, service or permission")
        pages[name] = MovePage(name=name, title=PAGE_TITLES.get(name, Move(first.move).label),
                               form=first.form, service=first.service,
                               moves=tuple(e.move for e in edges))
    return pages


MOVE_PAGES: dict[str, MovePage] = _pages()
