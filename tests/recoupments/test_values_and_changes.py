"""Issue 13 points 4, 5 (ClaimsSupport wording), 6 (provider side), 7 and 8.

Amounts and dates have sensible bounds with clear messages; money shows thousands
separators; providers read only confirmed edit-code wording; a wrong ICN is corrected,
with its history, until ClaimsSupport is e-mailed; the override e-mail asks for a
timely-filing override only when a timely-filing edit was recorded; a paused clock looks
paused to the provider; a resubmission records what the provider changed.
"""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from posc import clock
from posc.exceptions import DomainError
from recoupments import claim_services, services
from recoupments.inputs import LineInput
from recoupments.models import DeniedClaim, RecoupmentLine, Status
from recoupments.xlsx import parse_amount
from tests.recoupments.factories import RecoupmentFactory
from tests.recoupments.helpers import LINES, NOW, form_input, form_post, only_recoupment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("amount, message", [
    ("1e5", "Enter the Amount Recouped in dollars and cents, e.g. 125.00."),
    ("99,999,999.99", "The Amount Recouped cannot be more than $1,000,000.00 for one line."),
    ("1,0,0", "Enter the Amount Recouped in dollars and cents, e.g. 125.00."),
])
def test_amounts_out_of_bounds_are_refused(hospital, client_for, amount, message):
    lines = (("03/04/2025", "99213 Office visit", amount),)
    html = client_for(hospital).post(reverse("recoupments:submit"),
                                     form_post(lines=lines)).content.decode()
    assert message in html
    assert not RecoupmentLine.objects.exists()


def test_text_amounts_take_no_exponent():
    with pytest.raises(ValueError):
        parse_amount("1e5")
    assert parse_amount("$1,038.00") == Decimal("1038.00")
    assert parse_amount(100000.0) == Decimal("100000.00")  # a number cell of a sheet


def test_a_date_of_service_more_than_ten_years_back_is_refused(hospital, client_for):
    lines = (("01/01/1900", "99213 Office visit", "145.00"),)
    html = client_for(hospital).post(reverse("recoupments:submit"),
                                     form_post(lines=lines)).content.decode()
    assert "The Date(s) of Service Recouped cannot be more than 10 years ago." in html
    assert not RecoupmentLine.objects.exists()


def test_the_service_refuses_an_amount_over_the_bound(hospital):
    with pytest.raises(DomainError) as refused:
        services.recoupment_submit(actor=hospital, now=NOW, data=form_input(lines=(
            LineInput(datetime.date(2025, 3, 4), "99213", Decimal("99999999.99")),)))
    assert refused.value.code == "AMOUNT_MAX"


def test_money_shows_thousands_separators(hospital, ops, client_for):
    lines = (("03/04/2025", "99213 Office visit", "1038"),)
    client = client_for(hospital)
    client.post(reverse("recoupments:submit"), form_post(lines=lines))
    recoupment = only_recoupment()
    detail = client.get(reverse("recoupments:detail", args=[recoupment.reference])).content
    assert "$1,038.00" in detail.decode()
    assert "$1,038.00" in mail.outbox[-1].body
    admin = client_for(ops).get(reverse("admin:recoupments_recoupment_move",
                                        args=[recoupment.pk, "return_incomplete"]))
    assert "$1,038.00" in admin.content.decode()


@pytest.fixture
def billing(hospital):
    return RecoupmentFactory(submitted_by=hospital, status=Status.MASSHEALTH_BILLING,
                             approval_path="D", lines=2, contact_email=hospital.email)


def test_providers_see_only_confirmed_edit_wording(billing, hospital, ops, client_for):
    url = reverse("recoupments:denied_claim", args=[billing.reference])
    page = client_for(hospital).get(url).content.decode()
    assert "2017 MCE coverage" in page
    assert "Meaning not confirmed" not in page and "Edit this description" not in page
    assert "0850 Billing Deadline Exceeded" in page  # confirmed wording is shown
    admin = client_for(ops).get(reverse("admin:recoupments_recoupment_move",
                                        args=[billing.pk, "record_denied_claim"]))
    assert "Meaning not confirmed" in admin.content.decode()  # ops keep the codes


def test_provider_corrects_a_wrong_icn_until_claims_support(billing, hospital, ops, client_for):
    client = client_for(hospital)
    url = reverse("recoupments:denied_claim", args=[billing.reference])
    for line, icn in ((1, "2226327000301"), (2, "2226327000302")):
        assert client.post(url, {"line": line, "icn": icn,
                                 "edits": ["2017", "0850"]}).status_code == 302
    response = client.post(url, {"line": 1, "icn": "2226327000399", "edits": ["2017"]},
                           follow=True)
    assert "Denied claim 2226327000399 corrected for line 1." in response.content.decode()
    claim = DeniedClaim.objects.get(line__number=1)
    assert claim.icn == "2226327000399"
    event = billing.events.latest("pk")
    assert event.move == "correct_denied_claim"
    assert event.note == "Line 1: ICN 2226327000301 → 2226327000399; edits 0850, 2017 → 2017."
    # Only the ClaimsSupport-bound edits of line 1 changed: the override no longer asks for
    # timely filing on it, but line 2 still carries 0850.
    claim_services.recoupment_claims_support_send(recoupment=billing, actor=ops, now=NOW)
    assert "2226327000399" in mail.outbox[-1].body
    # Once ClaimsSupport has the ICNs, they are no longer corrected here.
    html = client.post(url, {"line": 1, "icn": "2226327000398", "edits": ["2017"]},
                       follow=True).content.decode()
    assert "Correct denied claim is not allowed" in html
    with pytest.raises(DomainError) as refused:
        claim_services.recoupment_denied_claim_correct(
            recoupment=billing, actor=ops, line_number=1, icn="2226327000398",
            edit_codes=["2017"], now=NOW)
    assert refused.value.code == "INVALID_TRANSITION"
    assert DeniedClaim.objects.get(line__number=1).icn == "2226327000399"


def test_ops_correct_an_icn_in_the_admin(billing, ops, client_for):
    claim_services.recoupment_denied_claim_record(recoupment=billing, actor=ops, line_number=1,
                                            icn="2226327000401", edit_codes=["2017"], now=NOW)
    client = client_for(ops)
    url = reverse("admin:recoupments_recoupment_move", args=[billing.pk, "correct_denied_claim"])
    change = client.get(reverse("admin:recoupments_recoupment_change", args=[billing.pk]))
    assert url in change.content.decode()
    response = client.post(url, {"line": 1, "icn": "2226327000402", "edits": ["2017"]})
    assert response.status_code == 302
    assert DeniedClaim.objects.get().icn == "2226327000402"
    assert billing.events.latest("pk").note == "Line 1: ICN 2226327000401 → 2226327000402."


def test_claims_support_asks_timely_filing_only_when_recorded(billing, ops):
    for line, icn in ((1, "2226327000501"), (2, "2226327000502")):
        claim_services.recoupment_denied_claim_record(recoupment=billing, actor=ops,
                                                line_number=line, icn=icn, edit_codes=["2017"],
                                                now=NOW)
    claim_services.recoupment_claims_support_send(recoupment=billing, actor=ops, now=NOW)
    email = mail.outbox[-1]
    assert "timely filing" not in email.subject.lower() + email.body.lower()
    assert email.subject == (f"Recoupment {billing.reference}: override approval for MCE "
                             f"coverage edit")
    assert "approves overriding the MCE coverage edit (2017) on the denied claim(s)" in email.body


def test_a_paused_clock_looks_paused_to_the_provider(hospital, client_for):
    recoupment = RecoupmentFactory(submitted_by=hospital, status=Status.RETURNED,
                                   missing_fields=["member_ids"],
                                   payment_due=clock.today() - datetime.timedelta(days=3))
    client = client_for(hospital)
    detail = client.get(reverse("recoupments:detail", args=[recoupment.reference])).content
    assert ("Paused: returned to you. The 15 business days start again when you resubmit."
            in detail.decode())
    assert f"{recoupment.payment_due:%m/%d/%Y}" not in detail.decode()
    listing = client.get(reverse("recoupments:list")).content.decode()
    assert "Paused: returned to you" in listing


def test_a_resubmission_records_what_changed(hospital, ops, client_for):
    client = client_for(hospital)
    client.post(reverse("recoupments:submit"), form_post(member_last_name="EXMPLE"))
    recoupment = only_recoupment()
    services.recoupment_return(recoupment=recoupment, actor=ops,
                               missing_fields=["member_last_name"], now=NOW)
    lines = (LINES[0], ("03/18/2025", "99214 Office visit", "215.00"))
    response = client.post(reverse("recoupments:resubmit", args=[recoupment.reference]),
                           form_post(lines=lines, member_last_name="EXAMPLE"))
    assert response.status_code == 302
    event = recoupment.events.latest("pk")
    assert event.move == "resubmit"
    assert event.note == ("Changed: Member Last Name: EXMPLE → EXAMPLE; line 2 Amount "
                          "Recouped: $1,210.50 → $215.00; line 3 removed: 04/02/2025 93000 "
                          "Electrocardiogram $62.25.")
    detail = client.get(reverse("recoupments:detail", args=[recoupment.reference])).content
    assert "Member Last Name: EXMPLE → EXAMPLE" in detail.decode()
