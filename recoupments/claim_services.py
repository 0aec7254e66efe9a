"""Recoupment writes after approval: the MCE's claim updates, denied claims on path (d), the
ClaimsSupport e-mail, payment, and a denied line approved again or closed (seed 004).

Every service has one shape: keyword-only, the request it changes and the ``actor``, the
moment from its caller; under ``transaction.atomic(durable=True)``: lock, guard, change,
history row, audit row, then the e-mails it queues.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from posc.exceptions import DomainError
from recoupments import business_days, clocks, emails
from recoupments.identifiers import icn_valid
from recoupments.models import (
    MCE_UPDATE_DAYS,
    PAYMENT_DAYS,
    ApprovalPath,
    ClaimUpdate,
    DeniedClaim,
    EditCode,
    Move,
    Recoupment,
    RecoupmentLine,
)
from recoupments.move_steps import (
    check_path,
    guard,
    line_of,
    lock,
    mce_contact,
    paying_entity,
    record,
)


@transaction.atomic(durable=True)
def recoupment_mce_update_record(*, recoupment: Recoupment, actor: AbstractBaseUser,
                                 line_number: int, status: str, note: str = "",
                                 internal_note: str = "",
                                 now: datetime.datetime) -> ClaimUpdate:
    """Record the paying MCE's status update on one claim; the provider sees it."""
    recoupment = lock(recoupment)
    guard(recoupment, Move.RECORD_MCE_UPDATE)
    if status not in ClaimUpdate.ClaimStatus.values:
        raise DomainError("Choose the claim status.", code="CLAIM_STATUS")
    line = line_of(recoupment, line_number)
    if line.is_closed:
        raise DomainError(f"Line {line.number} is closed.", code="LINE_CLOSED")
    if line.effective_path(recoupment) not in ApprovalPath.mce_paths():
        raise DomainError(f"Line {line.number} is billed to MassHealth (approval (d)): no MCE "
                          f"reports on it.", code="LINE_PATH")
    # The same update posted twice (a double-click: the request row lock makes the second
    # wait for the first) is recorded once.
    latest = line.updates.order_by("-recorded_at", "-pk").first()
    if (latest is not None and (latest.status, latest.note) == (status, note.strip())
            and (line.reapproved_at is None or latest.recorded_at > line.reapproved_at)):
        return latest
    update = ClaimUpdate.objects.create(line=line, status=status, note=note.strip(),
                                        recorded_by=actor, recorded_at=now)
    record(recoupment=recoupment, move=Move.RECORD_MCE_UPDATE, actor=actor, now=now,
            note=f"Line {line.number}: {update.get_status_display()}. {note}".strip(),
            internal_note=internal_note)
    emails.claim_update_email(recoupment=recoupment, update=update, now=now)
    return update


def _billed_line(recoupment: Recoupment, line_number: int) -> RecoupmentLine:
    """Return an open line billed to MassHealth (approval (d), the request's or its own)."""
    line = line_of(recoupment, line_number)
    if line.is_closed:
        raise DomainError(f"Line {line.number} is closed.", code="LINE_CLOSED")
    if line.effective_path(recoupment) != ApprovalPath.MASSHEALTH:
        raise DomainError(f"Line {line.number} is paid by an MCE or MBHP: it has no "
                          f"MassHealth claim.", code="LINE_PATH")
    return line


def _denial_edits(*, icn: str, edit_codes: list[str], line: RecoupmentLine) -> list[EditCode]:
    """Check an ICN and the edits of a denial; return the edits."""
    if not icn_valid(icn):
        raise DomainError("Enter the ICN: 13 digits.", code="ICN")
    if DeniedClaim.objects.filter(icn=icn).exclude(line=line).exists():
        raise DomainError(f"ICN {icn} is already recorded.", code="ICN_USED")
    edits = list(EditCode.objects.filter(code__in=edit_codes))
    if len(edits) != len(set(edit_codes)):
        raise DomainError("Choose the edit codes from the list.", code="EDITS")
    # Seed 004: the claim denies for MCE coverage with edit 2017 (and, usually, timely filing).
    if not any(e.kind == EditCode.Kind.MCE_COVERAGE for e in edits):
        raise DomainError("The denial must include the MCE coverage edit 2017.",
                          code="EDIT_2017")
    return edits


@transaction.atomic(durable=True)
def recoupment_denied_claim_record(*, recoupment: Recoupment, actor: AbstractBaseUser,
                                   line_number: int, icn: str, edit_codes: list[str],
                                   internal_note: str = "",
                                   now: datetime.datetime) -> DeniedClaim:
    """Record the ICN and edits of the claim a line was billed on and denied (seed 004 (d))."""
    recoupment = lock(recoupment)
    guard(recoupment, Move.RECORD_DENIED_CLAIM)
    line = _billed_line(recoupment, line_number)
    icn = icn.strip()
    if DeniedClaim.objects.filter(line=line).exists():
        raise DomainError(f"Line {line.number} already has a denied claim: correct it instead.",
                          code="DUPLICATE")
    edits = _denial_edits(icn=icn, edit_codes=edit_codes, line=line)
    claim = DeniedClaim.objects.create(line=line, icn=icn, recorded_by=actor, recorded_at=now)
    claim.edits.set(edits)
    record(recoupment=recoupment, move=Move.RECORD_DENIED_CLAIM, actor=actor, now=now,
            note=f"Line {line.number}: ICN {icn}, edits {', '.join(e.code for e in edits)}.",
            internal_note=internal_note)
    return claim


@transaction.atomic(durable=True)
def recoupment_denied_claim_correct(*, recoupment: Recoupment, actor: AbstractBaseUser,
                                    line_number: int, icn: str, edit_codes: list[str],
                                    now: datetime.datetime,
                                    internal_note: str = "") -> DeniedClaim:
    """Correct a line's recorded ICN or edits, before ClaimsSupport is e-mailed them.

    The history keeps the old and the new values.
    """
    recoupment = lock(recoupment)
    guard(recoupment, Move.CORRECT_DENIED_CLAIM)
    line = _billed_line(recoupment, line_number)
    claim = DeniedClaim.objects.filter(line=line).first()
    if claim is None:
        raise DomainError(f"Line {line.number} has no denied claim to correct.",
                          code="NO_CLAIM")
    icn = icn.strip()
    edits = _denial_edits(icn=icn, edit_codes=edit_codes, line=line)
    old_icn, old_codes = claim.icn, sorted(e.code for e in claim.edits.all())
    new_codes = sorted(e.code for e in edits)
    if (old_icn, old_codes) == (icn, new_codes):
        raise DomainError(f"Line {line.number} already has ICN {icn} with these edits: "
                          f"nothing to correct.", code="UNCHANGED")
    changes = []
    if old_icn != icn:
        changes.append(f"ICN {old_icn} → {icn}")
    if old_codes != new_codes:
        changes.append(f"edits {', '.join(old_codes)} → {', '.join(new_codes)}")
    claim.icn, claim.recorded_by, claim.recorded_at = icn, actor, now
    claim.save()
    claim.edits.set(edits)
    record(recoupment=recoupment, move=Move.CORRECT_DENIED_CLAIM, actor=actor, now=now,
            note=f"Line {line.number}: {'; '.join(changes)}.", internal_note=internal_note)
    return claim


def _open_lines(recoupment: Recoupment) -> list[RecoupmentLine]:
    return [line for line in recoupment.lines.select_related("denied_claim")
            .prefetch_related("updates", "denied_claim__edits").order_by("number")
            if not line.is_closed]


@transaction.atomic(durable=True)
def recoupment_claims_support_send(*, recoupment: Recoupment, actor: AbstractBaseUser,
                                   note: str = "", internal_note: str = "",
                                   now: datetime.datetime) -> Recoupment:
    """E-mail ClaimsSupport the denied claims' ICNs with the override approval (seed 004 (d))."""
    recoupment = lock(recoupment)
    guard(recoupment, Move.SEND_CLAIMS_SUPPORT)
    billed = [line for line in _open_lines(recoupment)
              if line.effective_path(recoupment) == ApprovalPath.MASSHEALTH]
    missing = [line.number for line in billed if not hasattr(line, "denied_claim")]
    if missing:
        raise DomainError(f"Record the denied claim's ICN of line(s) "
                          f"{', '.join(map(str, missing))} first.", code="ICNS_MISSING")
    if not billed:
        raise DomainError("No open line is billed to MassHealth.", code="NO_CLAIMS")
    record(recoupment=recoupment, move=Move.SEND_CLAIMS_SUPPORT, actor=actor, now=now,
            note=note, internal_note=internal_note)
    emails.claims_support_email(recoupment=recoupment, lines=billed, now=now)
    return recoupment


@transaction.atomic(durable=True)
def recoupment_payment_confirm(*, recoupment: Recoupment, actor: AbstractBaseUser, note: str = "",
                               capitation_note: str = "", internal_note: str = "",
                               now: datetime.datetime) -> Recoupment:
    """Confirm to the provider that the claims were paid; the request is closed.

    Every open line must be paid: on an MCE path, reported paid since its (re-)approval;
    on path (d), its denied claim sent to ClaimsSupport. Closed lines are left out.
    """
    recoupment = lock(recoupment)
    guard(recoupment, Move.CONFIRM_PAYMENT)
    lines = _open_lines(recoupment)
    if not lines:
        raise DomainError("Every line is closed: nothing was paid. Close the request instead.",
                          code="ALL_CLOSED")
    mce_lines = [line for line in lines
                 if line.effective_path(recoupment) in ApprovalPath.mce_paths()]
    statuses = {line.number: (u.status if (u := line.current_update()) else "")
                for line in mce_lines}
    denied = [n for n, s in statuses.items() if s == ClaimUpdate.ClaimStatus.DENIED]
    if denied:
        raise DomainError(f"The MCE denied line(s) {', '.join(map(str, denied))}: approve "
                          f"them again on another path or close them with a reason.",
                          code="DENIED")
    unpaid = [n for n, s in statuses.items() if s != ClaimUpdate.ClaimStatus.PAID]
    if unpaid:
        raise DomainError(f"The MCE has not reported line(s) {', '.join(map(str, unpaid))} "
                          f"as paid.", code="NOT_PAID")
    recoupment.capitation_reconciliation_note = capitation_note.strip()
    recoupment.paid_on = now.astimezone(business_days.EASTERN).date()
    record(recoupment=recoupment, move=Move.CONFIRM_PAYMENT, actor=actor, now=now, note=note,
            internal_note=internal_note)
    emails.payment_email(recoupment=recoupment, now=now)
    return recoupment


# ----------------------------------------------------------------------------- denied lines

def _denied_line(recoupment: Recoupment, line_number: int) -> RecoupmentLine:
    """Return an open line whose paying MCE reported it denied (since its last approval)."""
    line = line_of(recoupment, line_number)
    if line.is_closed:
        raise DomainError(f"Line {line.number} is already closed.", code="LINE_CLOSED")
    update = line.current_update()
    if (line.effective_path(recoupment) not in ApprovalPath.mce_paths() or update is None
            or update.status != ClaimUpdate.ClaimStatus.DENIED):
        raise DomainError(f"Line {line.number} was not denied by the MCE: only a denied line "
                          f"is approved again or closed.", code="NOT_DENIED")
    return line


@transaction.atomic(durable=True)
def recoupment_line_reapprove(*, recoupment: Recoupment, actor: AbstractBaseUser, line_number: int,
                              path: str, now: datetime.datetime, paying_mce: str = "",
                              instructions: str = "", note: str = "",
                              internal_note: str = "") -> RecoupmentLine:
    """Approve a line the MCE denied on another path, (d) included, with its own clock.

    On (a)–(c) the new MCE or MBHP is instructed and has 10 business days to report; on
    (d) the provider bills MassHealth and the request goes back to "bill MassHealth"
    until the line's denied claim is recorded and sent to ClaimsSupport.
    """
    recoupment = lock(recoupment)
    check_path(path)
    move = Move.REAPPROVE_MASSHEALTH if path == ApprovalPath.MASSHEALTH else Move.REAPPROVE_MCE
    guard(recoupment, move)
    line = _denied_line(recoupment, line_number)
    day0 = clocks.receipt_day(now)
    contact = None
    if move == Move.REAPPROVE_MCE:
        plan = paying_entity(recoupment, path, paying_mce)
        if plan == (line.paying_mce or recoupment.paying_mce):
            raise DomainError(f"{plan.name} denied line {line.number}: choose another MCE, "
                              f"MBHP or MassHealth.", code="PAYING_MCE")
        contact = mce_contact(plan)
        line.paying_mce = plan
        line.due_on = clocks.due_after(day0, MCE_UPDATE_DAYS)
        recoupment.mce_update_due = max(filter(None, (recoupment.mce_update_due, line.due_on)))
        payer = plan.name
    else:
        line.paying_mce = None
        line.due_on = clocks.due_after(day0, PAYMENT_DAYS)
        payer = "MassHealth"
    recoupment.payment_due = max(recoupment.payment_due, line.due_on)
    line.path = path
    line.reapproved_at = now
    line.save()
    record(recoupment=recoupment, move=move, actor=actor, now=now,
            note=(f"Line {line.number}: {ApprovalPath(path).label}: {payer}, target "
                  f"{line.due_on:%m/%d/%Y}. {note}").strip(), internal_note=internal_note)
    if contact is not None:
        emails.line_mce_instructions_email(recoupment=recoupment, line=line, to=contact.email,
                                           instructions=instructions.strip(), now=now)
    emails.line_decision_email(recoupment=recoupment, line=line, note=note.strip(), now=now)
    return line


@transaction.atomic(durable=True)
def recoupment_line_close(*, recoupment: Recoupment, actor: AbstractBaseUser, line_number: int,
                          reason: str, now: datetime.datetime,
                          internal_note: str = "") -> RecoupmentLine:
    """Close a line the MCE denied, without reimbursement; the provider is told why."""
    recoupment = lock(recoupment)
    guard(recoupment, Move.CLOSE_LINE)
    line = _denied_line(recoupment, line_number)
    reason = reason.strip()
    if not reason:
        raise DomainError("Give the reason the line is closed: the provider reads it.",
                          code="REASON")
    line.closed_reason, line.closed_at = reason, now
    line.save()
    record(recoupment=recoupment, move=Move.CLOSE_LINE, actor=actor, now=now,
            note=f"Line {line.number} closed: {reason}", internal_note=internal_note)
    emails.line_decision_email(recoupment=recoupment, line=line, note="", now=now)
    return line


@transaction.atomic(durable=True)
def recoupment_close(*, recoupment: Recoupment, actor: AbstractBaseUser, now: datetime.datetime,
                     note: str = "", internal_note: str = "") -> Recoupment:
    """Close a request whose every line was closed: nothing is paid, the clocks stop."""
    recoupment = lock(recoupment)
    guard(recoupment, Move.CLOSE_REQUEST)
    still_open = [line.number for line in _open_lines(recoupment)]
    if still_open:
        raise DomainError(f"Line(s) {', '.join(map(str, still_open))} are still open: close "
                          f"a request only when every line is closed.", code="LINES_OPEN")
    record(recoupment=recoupment, move=Move.CLOSE_REQUEST, actor=actor, now=now, note=note,
            internal_note=internal_note)
    emails.closed_email(recoupment=recoupment, note=note.strip(), now=now)
    return recoupment

