"""The e-mails of the recoupment process (seed 004), queued inside the caller's transaction.

posc.tasks: enqueueing inside the service's transaction makes the e-mail commit or roll
back with the move, so no e-mail is ever sent for a move that did not happen. Each e-mail
queued is also kept as a ``RecoupmentEmail`` row, in the same transaction, so that
Enrollment Operations see on the request's page every e-mail it caused.
"""

import datetime

from django.conf import settings
from django.template.loader import render_to_string

from posc import registry
from posc.tasks import email_send
from recoupments.models import (
    ApprovalPath,
    ClaimUpdate,
    EditCode,
    Recoupment,
    RecoupmentEmail,
    RecoupmentLine,
)


def unit_name() -> str:
    """Return the reviewing unit's name (domain.md E1: the seed and the public copy differ)."""
    return settings.RECOUPMENT_UNIT_NAME


def _send(*, template: str, subject: str, to: list[str], recoupment: Recoupment,
          now: datetime.datetime, **context) -> None:
    body = render_to_string(f"recoupments/email/{template}.txt", {
        "r": recoupment, "lines": list(recoupment.lines.order_by("number")),
        "unit": unit_name(), "unit_email": settings.ENROLLMENT_OPERATIONS_EMAIL, **context})
    email_send.enqueue(subject=subject, body=body, to=to,
                       reply_to=[settings.ENROLLMENT_OPERATIONS_EMAIL])
    RecoupmentEmail.objects.create(recoupment=recoupment, recipients=to, subject=subject,
                                   body=body, at=now)


def _to_provider(recoupment: Recoupment) -> list[str]:
    return [recoupment.contact_email] if recoupment.contact_email else []


def receipt_email(*, recoupment: Recoupment, now: datetime.datetime,
                  resubmitted: bool = False) -> None:
    """Confirm receipt of a (corrected) Recoupment Form to its submitter."""
    to = _to_provider(recoupment)
    if to:
        _send(template="receipt", to=to, recoupment=recoupment, resubmitted=resubmitted,
              now=now, subject=f"Recoupment {recoupment.reference} received")


def returned_email(*, recoupment: Recoupment, note: str, now: datetime.datetime) -> None:
    """Tell the provider which required fields are missing (seed 004 "may be returned")."""
    to = _to_provider(recoupment)
    if to:
        _send(template="returned", to=to, recoupment=recoupment, note=note, now=now,
              subject=f"Recoupment {recoupment.reference} returned: information missing")


def mce_instructions_email(*, recoupment: Recoupment, to: str, now: datetime.datetime) -> None:
    """Instruct the paying MCE or MBHP to reprocess the claims (seed 004 (a)–(c))."""
    # The enrollment adjustments made for the request (issue 17 §1), through the registry.
    adjustments = registry.adjustments_made_for(f"recoupment:{recoupment.pk}")
    _send(template="mce_instructions", to=[to], recoupment=recoupment, now=now,
          adjustments=adjustments,
          subject=f"Recoupment {recoupment.reference}: reprocess and pay the claims")


def approved_mce_email(*, recoupment: Recoupment, note: str, now: datetime.datetime) -> None:
    """Tell the provider who will reprocess and pay on (a)–(c) (seed 004 "feedback")."""
    to = _to_provider(recoupment)
    if to:
        _send(template="approved_mce", to=to, recoupment=recoupment, note=note, now=now,
              subject=(f"Recoupment {recoupment.reference} approved: "
                       f"{recoupment.paying_mce.name} reprocesses the claims"))


def claim_update_email(*, recoupment: Recoupment, update: ClaimUpdate,
                       now: datetime.datetime) -> None:
    """Give the provider the claim status the MCE reported (seed 004: "on each claim status")."""
    to = _to_provider(recoupment)
    if to:
        line = update.line
        payer = (line.paying_mce or recoupment.paying_mce).name
        status = update.get_status_display()
        _send(template="claim_update", to=to, recoupment=recoupment, line=line, payer=payer,
              status=status, note=update.note, now=now,
              subject=f"Recoupment {recoupment.reference}, line {line.number}: {status}")


def line_decision_email(*, recoupment: Recoupment, line: RecoupmentLine, note: str,
                        now: datetime.datetime) -> None:
    """Tell the provider how a denied line will be paid now, or that it is closed."""
    to = _to_provider(recoupment)
    if not to:
        return
    if line.closed_at is not None:
        subject = f"Recoupment {recoupment.reference}, line {line.number}: closed"
    else:
        subject = (f"Recoupment {recoupment.reference}, line {line.number}: approved again, "
                   f"{ApprovalPath(line.path).label}")
    _send(template="line_reapproved", to=to, recoupment=recoupment, line=line, note=note,
          now=now, subject=subject)


def line_mce_instructions_email(*, recoupment: Recoupment, line: RecoupmentLine, to: str,
                                instructions: str, now: datetime.datetime) -> None:
    """Instruct the MCE or MBHP a denied line was re-approved to (seed 004 (a)–(c))."""
    _send(template="line_mce_instructions", to=[to], recoupment=recoupment, line=line,
          instructions=instructions, now=now,
          subject=f"Recoupment {recoupment.reference}, line {line.number}: reprocess and pay")


def bill_masshealth_email(*, recoupment: Recoupment, now: datetime.datetime) -> None:
    """Tell the provider to bill MassHealth through 837 or DDE (seed 004 (d))."""
    to = _to_provider(recoupment)
    if to:
        _send(template="bill_masshealth", to=to, recoupment=recoupment, now=now,
              subject=f"Recoupment {recoupment.reference} approved: bill MassHealth")


def claims_support_email(*, recoupment: Recoupment, lines: list[RecoupmentLine],
                         now: datetime.datetime) -> None:
    """Send ClaimsSupport the denied claims' ICNs with the override approval (seed 004 (d)).

    The timely filing override is asked for only when a recorded denial carries a timely
    filing edit (seed 004: "in most cases", not always).
    """
    timely = any(edit.kind == EditCode.Kind.TIMELY_FILING
                 for line in lines for edit in line.denied_claim.edits.all())
    edits = "MCE coverage and timely filing edits" if timely else "MCE coverage edit"
    _send(template="claims_support", to=[settings.CLAIMS_SUPPORT_EMAIL], recoupment=recoupment,
          claim_lines=lines, timely_filing=timely, now=now,
          subject=f"Recoupment {recoupment.reference}: override approval for {edits}")


def payment_email(*, recoupment: Recoupment, now: datetime.datetime) -> None:
    """Confirm to the provider that the claims were paid (seed 004 "CONFIRM PAYMENT")."""
    to = _to_provider(recoupment)
    if to:
        _send(template="payment", to=to, recoupment=recoupment, now=now,
              subject=f"Recoupment {recoupment.reference}: payment confirmed")


def closed_email(*, recoupment: Recoupment, note: str, now: datetime.datetime) -> None:
    """Tell the provider the request is closed with no line reimbursed."""
    to = _to_provider(recoupment)
    if to:
        _send(template="closed", to=to, recoupment=recoupment, note=note, now=now,
              subject=f"Recoupment {recoupment.reference}: closed, no claim reimbursed")
