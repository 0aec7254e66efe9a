"""The e-mails of the recoupment process (seed 004), queued inside the caller's transaction.

posc.tasks: enqueueing inside the service's transaction makes the e-mail commit or roll
back with the move, so no e-mail is ever sent for a move that did not happen.
"""

from django.conf import settings
from django.template.loader import render_to_string

from posc.tasks import email_send
from recoupments.models import Recoupment


def unit_name() -> str:
    """Return the reviewing unit's name (domain.md E1: the seed and the public copy differ)."""
    return getattr(settings, "RECOUPMENT_UNIT_NAME", "Enrollment Operations")


def _send(*, template: str, subject: str, to: list[str], recoupment: Recoupment,
          **context) -> None:
    body = render_to_string(f"recoupments/email/{template}.txt", {
        "r": recoupment, "lines": list(recoupment.lines.order_by("number")),
        "unit": unit_name(), "unit_email": settings.ENROLLMENT_OPERATIONS_EMAIL, **context})
    email_send.enqueue(subject=subject, body=body, to=to,
                       reply_to=[settings.ENROLLMENT_OPERATIONS_EMAIL])


def _to_provider(recoupment: Recoupment) -> list[str]:
    return [recoupment.contact_email] if recoupment.contact_email else []


def receipt_email(*, recoupment: Recoupment, resubmitted: bool = False) -> None:
    """Confirm receipt of a (corrected) Recoupment Form to its submitter."""
    to = _to_provider(recoupment)
    if to:
        _send(template="receipt", to=to, recoupment=recoupment, resubmitted=resubmitted,
              subject=f"Recoupment {recoupment.reference} received")


def returned_email(*, recoupment: Recoupment, note: str) -> None:
    """Tell the provider which required fields are missing (seed 004 "may be returned")."""
    to = _to_provider(recoupment)
    if to:
        _send(template="returned", to=to, recoupment=recoupment, note=note,
              subject=f"Recoupment {recoupment.reference} returned: information missing")


def mce_instructions_email(*, recoupment: Recoupment, to: str) -> None:
    """Instruct the paying MCE or MBHP to reprocess the claims (seed 004 (a)–(c))."""
    _send(template="mce_instructions", to=[to], recoupment=recoupment,
          subject=f"Recoupment {recoupment.reference}: reprocess and pay the claims")


def bill_masshealth_email(*, recoupment: Recoupment) -> None:
    """Tell the provider to bill MassHealth through 837 or DDE (seed 004 (d))."""
    to = _to_provider(recoupment)
    if to:
        _send(template="bill_masshealth", to=to, recoupment=recoupment,
              subject=f"Recoupment {recoupment.reference} approved: bill MassHealth")


def claims_support_email(*, recoupment: Recoupment) -> None:
    """Send ClaimsSupport the denied claims' ICNs with the override approval (seed 004 (d))."""
    _send(template="claims_support", to=[settings.CLAIMS_SUPPORT_EMAIL], recoupment=recoupment,
          subject=(f"Recoupment {recoupment.reference}: override approval for MCE coverage "
                   f"and timely filing edits"))


def payment_email(*, recoupment: Recoupment) -> None:
    """Confirm to the provider that the claims were paid (seed 004 "CONFIRM PAYMENT")."""
    to = _to_provider(recoupment)
    if to:
        _send(template="payment", to=to, recoupment=recoupment,
              subject=f"Recoupment {recoupment.reference}: payment confirmed")
