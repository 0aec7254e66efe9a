"""Issue 13 point 2: a claim the MCE denies no longer leaves the request stuck.

Seed 004's fallback: a denied line is approved again on another path, (d) MassHealth
included, with its own target date; or it is closed with a reason the provider reads. A
request whose every line is closed is closed in turn. The moves are rows of the table.
"""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from posc.exceptions import DomainError
from recoupments import claim_services, services
from recoupments.business_days import add_business_days, receipt_day
from recoupments.clocks import clock_text
from recoupments.models import (
    TRANSITIONS,
    ClaimUpdate,
    Move,
    RecoupmentEmail,
    Status,
)
from tests.recoupments.helpers import NOW, TUFTS_TOGETHER, WELLSENSE_MCO, form_input

pytestmark = pytest.mark.django_db
LATER = NOW + datetime.timedelta(days=14)  # the MCE's answer comes two weeks on
PAID, DENIED = ClaimUpdate.ClaimStatus.PAID, ClaimUpdate.ClaimStatus.DENIED


def move_url(recoupment, page: str) -> str:
    return reverse("admin:recoupments_recoupment_move", args=[recoupment.pk, page])


def update(recoupment, user, line: int, status: str, now=LATER) -> None:
    claim_services.recoupment_mce_update_record(recoupment=recoupment, actor=user,
                                          line_number=line, status=status, now=now)


@pytest.fixture
def denied(hospital, ops):
    """Approved on (a) to Tufts: lines 1 and 3 paid, line 2 denied."""
    recoupment = services.recoupment_submit(actor=hospital, data=form_input(), now=NOW)
    services.recoupment_confirm_complete(recoupment=recoupment, actor=ops, now=NOW)
    services.recoupment_research_record(recoupment=recoupment, actor=ops, now=NOW,
                                        enrollments_documented="Tufts on every date.")
    services.recoupment_approve(recoupment=recoupment, actor=ops, path="A", now=NOW)
    for line, status in ((1, PAID), (2, DENIED), (3, PAID)):
        update(recoupment, ops, line, status)
    recoupment.refresh_from_db()
    mail.outbox.clear()
    return recoupment


def test_the_message_says_denied_not_unpaid(denied, ops):
    with pytest.raises(DomainError) as refused:
        claim_services.recoupment_payment_confirm(recoupment=denied, actor=ops, now=LATER)
    assert refused.value.code == "DENIED"


def test_the_fallback_moves_are_rows_of_the_table():
    after_approval = {Status.MCE_REPROCESSING, Status.MASSHEALTH_BILLING,
                      Status.OVERRIDE_REQUESTED}
    for move in (Move.REAPPROVE_MCE, Move.REAPPROVE_MASSHEALTH, Move.CLOSE_LINE,
                 Move.CLOSE_REQUEST):
        assert TRANSITIONS[move].sources == after_approval
    assert TRANSITIONS[Move.REAPPROVE_MASSHEALTH].target == Status.MASSHEALTH_BILLING
    assert TRANSITIONS[Move.CLOSE_REQUEST].target == Status.CLOSED


def test_denied_line_reapproved_on_masshealth_to_payment(denied, ops, hospital):
    admin = Client()
    admin.force_login(ops)
    change = admin.get(reverse("admin:recoupments_recoupment_change",
                               args=[denied.pk])).content.decode()
    assert move_url(denied, "reapprove_line") in change
    assert move_url(denied, "close_line") in change
    form = admin.get(move_url(denied, "reapprove_line")).content.decode()
    # Only the denied line is offered.
    assert '<option value="2">' in form and '<option value="1">' not in form
    response = admin.post(move_url(denied, "reapprove_line"), {
        "line_number": 2, "path": "D", "note": "Bill MassHealth for this line."})
    assert response.status_code == 302
    denied.refresh_from_db()
    line = denied.lines.get(number=2)
    assert denied.status == Status.MASSHEALTH_BILLING
    assert line.path == "D" and line.reapproved_at is not None
    # Its own clock: 15 business days from the re-approval's day; the request waits for it.
    day0 = receipt_day(line.reapproved_at)
    assert line.due_on == add_business_days(day0, 15)
    assert denied.payment_due >= line.due_on
    told = mail.outbox[-1]
    assert told.to == [hospital.email]
    assert told.subject == (f"Recoupment {denied.reference}, line 2: approved again, "
                            f"(d) MassHealth processes and pays")
    assert "837 batch transaction" in told.body and "Bill MassHealth for this line." in told.body

    # The provider records the ICN of line 2 only: lines 1 and 3 were paid by Tufts.
    provider = Client()
    provider.force_login(hospital)
    url = reverse("recoupments:denied_claim", args=[denied.reference])
    page = provider.get(url).content.decode()
    assert '<option value="2">' in page and '<option value="1">' not in page
    assert provider.post(url, {"line": "2", "icn": "2226327000201",
                               "edits": ["2017"]}).status_code == 302
    claim_services.recoupment_claims_support_send(recoupment=denied, actor=ops, now=LATER)
    email = mail.outbox[-1]
    assert email.to == [settings.CLAIMS_SUPPORT_EMAIL]
    assert "2226327000201" in email.body and "99213" not in email.body.split("ICN")[1]
    claim_services.recoupment_payment_confirm(recoupment=denied, actor=ops, now=LATER)
    denied.refresh_from_db()
    assert denied.status == Status.PAID
    assert "line 2: MassHealth" in mail.outbox[-1].body


def test_denied_line_reapproved_to_another_mce(denied, ops):
    line = claim_services.recoupment_line_reapprove(
        recoupment=denied, actor=ops, line_number=2, path="B", paying_mce=WELLSENSE_MCO,
        instructions="Reprocess line 2.", now=LATER)
    denied.refresh_from_db()
    assert denied.status == Status.MCE_REPROCESSING
    assert line.due_on == add_business_days(receipt_day(LATER), 10)
    assert denied.mce_update_due == line.due_on  # the MCE clock restarts for that line
    instructions, told = mail.outbox
    assert instructions.to == ["recoupments@wellsense-mco.example"]
    assert "Reprocess line 2." in instructions.body
    assert f"by {line.due_on:%m/%d/%Y}" in instructions.body
    # Tufts' denial no longer counts: WellSense's report does.
    with pytest.raises(DomainError) as refused:
        claim_services.recoupment_payment_confirm(recoupment=denied, actor=ops, now=LATER)
    assert refused.value.code == "NOT_PAID"
    update(denied, ops, 2, PAID, now=LATER + datetime.timedelta(hours=1))
    assert "WellSense Essential MCO reported" in mail.outbox[-1].body
    claim_services.recoupment_payment_confirm(recoupment=denied, actor=ops, now=LATER)
    denied.refresh_from_db()
    assert denied.status == Status.PAID


def test_reapproval_refusals(denied, ops):
    with pytest.raises(DomainError) as refused:
        claim_services.recoupment_line_reapprove(recoupment=denied, actor=ops, line_number=1,
                                           path="D", now=LATER)
    assert refused.value.code == "NOT_DENIED"
    with pytest.raises(DomainError) as refused:
        claim_services.recoupment_line_reapprove(recoupment=denied, actor=ops, line_number=2,
                                           path="B", paying_mce=TUFTS_TOGETHER, now=LATER)
    assert refused.value.code == "PAYING_MCE"  # Tufts is named on the form: not (b)
    with pytest.raises(DomainError) as refused:
        claim_services.recoupment_line_close(recoupment=denied, actor=ops, line_number=2,
                                       reason="  ", now=LATER)
    assert refused.value.code == "REASON"
    denied.refresh_from_db()
    assert denied.lines.get(number=2).path == "" and not mail.outbox


def test_denied_lines_closed_with_a_reason(denied, ops, hospital):
    claim_services.recoupment_line_close(recoupment=denied, actor=ops, line_number=2,
                                   reason="Service not covered on that date.", now=LATER,
                                   internal_note="INTERNAL: checked with the MCE.")
    told = mail.outbox[-1]
    assert told.subject == f"Recoupment {denied.reference}, line 2: closed"
    assert "Service not covered on that date." in told.body and "INTERNAL" not in told.body
    claim_services.recoupment_payment_confirm(recoupment=denied, actor=ops, now=LATER)
    denied.refresh_from_db()
    assert denied.status == Status.PAID
    provider = Client()
    provider.force_login(hospital)
    detail = provider.get(reverse("recoupments:detail", args=[denied.reference])).content.decode()
    assert "Closed 12/07/2026: Service not covered on that date." in detail


def test_every_line_closed_closes_the_request(hospital, ops):
    recoupment = services.recoupment_submit(actor=hospital, data=form_input(), now=NOW)
    services.recoupment_confirm_complete(recoupment=recoupment, actor=ops, now=NOW)
    services.recoupment_research_record(recoupment=recoupment, actor=ops, now=NOW,
                                        enrollments_documented="Tufts on every date.")
    services.recoupment_approve(recoupment=recoupment, actor=ops, path="A", now=NOW)
    for line in (1, 2, 3):
        update(recoupment, ops, line, DENIED)
    with pytest.raises(DomainError) as refused:
        claim_services.recoupment_close(recoupment=recoupment, actor=ops, now=LATER)
    assert refused.value.code == "LINES_OPEN"
    for line in (1, 2, 3):
        claim_services.recoupment_line_close(recoupment=recoupment, actor=ops, line_number=line,
                                       reason="Member not eligible.", now=LATER)
    with pytest.raises(DomainError) as refused:
        claim_services.recoupment_payment_confirm(recoupment=recoupment, actor=ops, now=LATER)
    assert refused.value.code == "ALL_CLOSED"
    claim_services.recoupment_close(recoupment=recoupment, actor=ops, now=LATER)
    recoupment.refresh_from_db()
    assert recoupment.status == Status.CLOSED
    # The clocks stop: nothing shows overdue any more.
    assert clock_text(recoupment, "payment", recoupment.payment_due + datetime.timedelta(60)) \
        == "closed"
    assert RecoupmentEmail.objects.filter(
        recoupment=recoupment, subject__endswith="closed, no claim reimbursed").exists()
