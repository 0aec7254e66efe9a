"""As ops in the admin: walk each approval path (a)–(d) to Payment confirmed, with its e-mails."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from posc import clock
from posc.members.models import Plan
from recoupments.business_days import add_business_days, receipt_day
from recoupments.models import ClaimUpdate, Recoupment, RecoupmentEvent, Status
from recoupments.services import recoupment_submit
from tests.factories import MemberFactory, SpanFactory
from tests.recoupments.helpers import (
    CCA_SCO,
    TUFTS_TOGETHER,
    WELLSENSE_MCO,
    do,
    form_input,
    form_post,
    move_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(hospital):
    """A request of the hospital with a member known to the portal, enrolled with CCA SCO.

    Submitted now, by the clock the admin pages read (they take no date from a test): the
    request's clocks and the admin's moves run on one clock, whatever the real date.
    """
    member = MemberFactory(member_id="100000000001", first_name="ROSE", last_name="EXAMPLE")
    SpanFactory(member=member, plan=Plan.objects.get(provider_id=CCA_SCO),
                start_date=datetime.date(2024, 10, 1), end_date=datetime.date(2025, 3, 31))
    recoupment = recoupment_submit(actor=hospital, data=form_input(
        mce_provider_ids=(CCA_SCO,)), now=clock.now())
    mail.outbox.clear()
    return recoupment


def through_research(client, recoupment: Recoupment) -> Recoupment:
    recoupment = do(client, recoupment, "confirm_complete", {"note": "All fields present."})
    assert recoupment.status == Status.RESEARCH
    page = client.get(move_url(recoupment, "record_research")).content.decode()
    # The spans covering each date of service, for each member ID (from the shared model).
    assert "Member ID 100000000001 (ROSE EXAMPLE)" in page
    assert ("Commonwealth Care Alliance SCO (110000001A, Senior Care Options) "
            "10/01/2024–03/31/2025") in page
    assert "Member ID 100000000091: no member record with this ID" in page
    assert "No managed-care enrollment" in page  # 04/02/2025 is after the span
    recoupment = do(client, recoupment, "record_research", {
        "enrollments_documented": "100000000001: CCA SCO 10/01/2024-03/31/2025."})
    assert recoupment.status == Status.APPROVAL
    return recoupment


def mce_to_payment(client, recoupment: Recoupment, hospital) -> None:
    for line in (1, 2, 3):
        do(client, recoupment, "record_mce_update",
           {"line_number": line, "status": "IN_PROCESS", "note": ""})
        do(client, recoupment, "record_mce_update",
           {"line_number": line, "status": "PAID", "note": f"Paid on check {line}00"})
    # Shown to the provider, per claim.
    detail = client_for_provider(hospital).get(
        reverse("recoupments:detail", args=[recoupment.reference])).content.decode()
    assert "Reprocessed and paid (Paid on check 200)" in detail
    assert "Reprocessing in progress" in detail
    recoupment = do(client, recoupment, "confirm_payment", {"note": "MCE confirmed payment."})
    assert recoupment.status == Status.PAID


def client_for_provider(user) -> Client:
    """Return a second test client, logged in as the provider (ops keeps the first)."""
    client = Client()
    client.force_login(user)
    return client


def assert_payment_email(recoupment: Recoupment, hospital, paid_by: str) -> None:
    email = mail.outbox[-1]
    assert email.to == [hospital.email]
    assert email.subject == f"Recoupment {recoupment.reference}: payment confirmed"
    assert f"Paid by: {paid_by}" in email.body
    assert "04/02/2025  93000 Electrocardiogram  $62.25" in email.body


@pytest.mark.parametrize("path, paying, paying_name, contact", [
    ("A", "", "Commonwealth Care Alliance SCO", "recoupments@cca-sco.example"),
    ("B", WELLSENSE_MCO, "WellSense Essential MCO", "recoupments@wellsense-mco.example"),
    ("C", "", "Massachusetts Behavioral Health Partnership", "recoupments@mbhp.example"),
])
def test_mce_paths_walk_to_payment_confirmed(ops, hospital, submitted, client_for, path, paying,
                                             paying_name, contact):
    client = client_for(ops)
    recoupment = through_research(client, submitted)
    # The admin approves now: day 0 of the 10-business-day MCE window is today's receipt day.
    recoupment = do(client, recoupment, "approve", {
        "path": path, "paying_mce": paying, "instructions": "Reprocess the three claims.",
        "note": ""})
    assert recoupment.status == Status.MCE_REPROCESSING
    assert recoupment.paying_mce.name == paying_name
    # The e-mail to the MCE or MBHP with the instructions and the 10-business-day window,
    # and the provider's: who reprocesses the claims (seed 004: feedback to providers).
    email, told = mail.outbox
    assert email.to == [contact]
    assert told.to == [hospital.email]
    assert told.subject == (f"Recoupment {recoupment.reference} approved: {paying_name} "
                            f"reprocesses the claims")
    assert email.subject == f"Recoupment {recoupment.reference}: reprocess and pay the claims"
    # The enrollment adjustments are those made for the request (none here; issue 17 §1).
    for text in (paying_name, "Reprocess the three claims.", "Enrollment adjustments made: none",
                 "within 10", "100000000001, 100000000091",
                 f"by {recoupment.mce_update_due:%m/%d/%Y}", "03/04/2025  99213 Office visit"):
        assert text in email.body
    # 10 business days from the approval's day (the admin approves today).
    assert recoupment.mce_update_due == add_business_days(recoupment.approved_on, 10)
    assert recoupment.approved_on == receipt_day(recoupment.events.get(move="approve_mce").at)
    mce_to_payment(client, recoupment, hospital)
    assert_payment_email(recoupment, hospital, paying_name)
    # Each of the six claim statuses recorded reached the provider.
    updates = [m for m in mail.outbox if ", line " in m.subject]
    assert len(updates) == 6 and all(m.to == [hospital.email] for m in updates)
    assert updates[-1].subject == f"Recoupment {recoupment.reference}, line 3: Reprocessed and paid"
    assert "Paid on check 300" in updates[-1].body
    assert len(mail.outbox) == 9
    moves = list(RecoupmentEvent.objects.filter(recoupment=recoupment).order_by("pk")
             .values_list("move", "actor"))
    assert moves[0] == ("submit", hospital.pk)
    assert [m for m, _ in moves[1:4]] == ["confirm_complete", "record_research", "approve_mce"]
    assert moves[-1] == ("confirm_payment", ops.pk)


def test_masshealth_path_walks_to_payment_confirmed(ops, hospital, submitted, client_for):
    client = client_for(ops)
    recoupment = through_research(client, submitted)
    recoupment = do(client, recoupment, "approve", {"path": "D", "note": ""})
    assert recoupment.status == Status.MASSHEALTH_BILLING
    (email,) = mail.outbox
    assert email.to == [hospital.email]
    assert email.subject == f"Recoupment {recoupment.reference} approved: bill MassHealth"
    for text in ("837 batch transaction", "Direct Data Entry (DDE)", "edit 2017",
                 "timely filing edit", "Record denied claim"):
        assert text in email.body
    # The provider records two ICNs in the portal, ops the third in the admin.
    provider = client_for_provider(hospital)
    for line, icn in ((1, "2226327000101"), (2, "2226327000102")):
        response = provider.post(reverse("recoupments:denied_claim", args=[recoupment.reference]),
                                 {"line": line, "icn": icn, "edits": ["2017", "0850"]})
        assert response.status_code == 302
    # ClaimsSupport cannot be asked before every line has its ICN.
    response = client.post(move_url(recoupment, "send_claims_support"), {"note": ""})
    assert "Record the denied claim&#x27;s ICN of line(s) 3 first." in response.content.decode()
    recoupment.refresh_from_db()
    assert recoupment.status == Status.MASSHEALTH_BILLING
    do(client, recoupment, "record_denied_claim",
       {"line": 3, "icn": "2226327000103", "edits": ["2017"]})
    recoupment = do(client, recoupment, "send_claims_support", {"note": "Override approved."})
    assert recoupment.status == Status.OVERRIDE_REQUESTED
    email = mail.outbox[-1]
    assert email.to == [settings.CLAIMS_SUPPORT_EMAIL]
    assert "override" in email.subject.lower()
    for text in ("approves overriding the MCE coverage edit (2017) and the timely filing",
                 "2226327000101  03/04/2025  99213 Office visit  $145.00  0850, 2017",
                 "2226327000102",
                 "2226327000103  04/02/2025  93000 Electrocardiogram  $62.25  2017",
                 "Example Community Hospital (100000101A, NPI 1234567893)"):
        assert text in email.body
    recoupment = do(client, recoupment, "confirm_payment", {
        "note": "", "capitation_note": "Capitation reconciliation sent to MMIS."})
    assert recoupment.status == Status.PAID
    assert recoupment.capitation_reconciliation_note == "Capitation reconciliation sent to MMIS."
    assert_payment_email(recoupment, hospital, "MassHealth")
    assert len(mail.outbox) == 3


def test_return_and_resubmit(ops, hospital, submitted, client_for):
    client = client_for(ops)
    recoupment = do(client, submitted, "return_incomplete",
                    {"missing_fields": ["member_ids", "services"], "note": "Add the second ID."})
    assert recoupment.status == Status.RETURNED
    (email,) = mail.outbox
    assert email.to == [hospital.email]
    assert "returned" in email.subject
    for text in ("- Member MassHealth ID(s)", "- Service Code or Name", "Add the second ID.",
                 "Correct and resubmit"):
        assert text in email.body
    # The provider sees what is missing and resubmits the corrected form.
    provider = client_for_provider(hospital)
    detail = provider.get(reverse("recoupments:detail", args=[recoupment.reference]))
    assert "Returned for completion" in detail.content.decode()
    correct = reverse("recoupments:resubmit", args=[recoupment.reference])
    page = provider.get(correct).content.decode()
    assert "<h1>Correct Recoupment Form</h1>" in page and 'value="99214 Office visit"' in page
    response = provider.post(correct, form_post(member_ids="100000000001\n100000000092"))
    assert response.status_code == 302
    recoupment.refresh_from_db()
    assert recoupment.status == Status.SUBMITTED and recoupment.missing_fields == []
    assert recoupment.member_ids == ["100000000001", "100000000092"]
    assert mail.outbox[-1].subject == f"Recoupment {recoupment.reference} received"
    assert "corrected Recoupment Form" in mail.outbox[-1].body
    # A request that is not returned cannot be corrected.
    assert provider.get(correct).status_code == 302


def test_a_move_not_allowed_is_refused_with_a_message(ops, submitted, client_for):
    client = client_for(ops)
    response = client.post(move_url(submitted, "confirm_payment"), {"note": ""}, follow=True)
    assert "Confirm payment is not allowed for" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert RecoupmentEvent.objects.filter(recoupment=submitted).count() == 1


@pytest.mark.parametrize("path, paying, message", [
    ("A", WELLSENSE_MCO, "is not an MCE named on the form"),
    ("B", CCA_SCO, "is named on the form: approval (b) is a different MCE."),
    ("B", "", "Choose the MCE that will process and pay the claims."),
    ("C", TUFTS_TOGETHER, "Choose the MBHP as the paying entity for approval (c)."),
])
def test_approval_refuses_the_wrong_paying_entity(ops, submitted, client_for, path, paying,
                                                  message):
    client = client_for(ops)
    recoupment = through_research(client, submitted)
    response = client.post(move_url(recoupment, "approve"), {"path": path, "paying_mce": paying})
    assert message in response.content.decode().replace("&#x27;", "'")
    recoupment.refresh_from_db()
    assert recoupment.status == Status.APPROVAL and recoupment.approval_path == ""
    assert not mail.outbox


def test_payment_waits_for_every_claim_paid_by_the_mce(ops, submitted, client_for):
    client = client_for(ops)
    recoupment = through_research(client, submitted)
    do(client, recoupment, "approve", {"path": "A"})
    do(client, recoupment, "record_mce_update", {"line_number": 1, "status": "PAID"})
    response = client.post(move_url(recoupment, "confirm_payment"), {"note": ""})
    assert "The MCE has not reported line(s) 2, 3 as paid." in response.content.decode()
    recoupment.refresh_from_db()
    assert recoupment.status == Status.MCE_REPROCESSING
    assert ClaimUpdate.objects.count() == 1


def test_denied_claim_needs_edit_2017_and_13_digits(ops, submitted, client_for):
    client = client_for(ops)
    recoupment = through_research(client, submitted)
    do(client, recoupment, "approve", {"path": "D"})
    html = client.post(move_url(recoupment, "record_denied_claim"),
                       {"line": 1, "icn": "12345", "edits": ["0850"]}).content.decode()
    assert "Enter the ICN: 13 digits." in html
    assert "The denial must include the MCE coverage edit 2017." in html
    assert not re.search(r"\d{13}", recoupment.events.last().note)


def test_the_same_claim_update_posted_twice_is_recorded_once(ops, submitted, client_for):
    client = client_for(ops)
    recoupment = through_research(client, submitted)
    do(client, recoupment, "approve", {"path": "A"})
    update = {"line_number": 1, "status": "IN_PROCESS", "note": "Batch 7"}
    do(client, recoupment, "record_mce_update", update)
    do(client, recoupment, "record_mce_update", update)
    assert ClaimUpdate.objects.count() == 1
    do(client, recoupment, "record_mce_update", update | {"status": "PAID"})
    assert ClaimUpdate.objects.count() == 2
