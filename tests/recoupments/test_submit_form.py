"""Submit Recoupment Form as provider staff: the whole form, and each field refused on its own."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from recoupments.models import Recoupment, RecoupmentEvent, Status
from tests.helpers import provider_user
from tests.recoupments.helpers import (
    HOME_HEALTH,
    HOSPITAL,
    LINES,
    MBHP,
    TUFTS_TOGETHER,
    form_post,
    only_recoupment,
)

pytestmark = pytest.mark.django_db
SUBMIT = reverse("recoupments:submit")


def test_menu_list_and_form_are_reached_by_their_names(hospital, client_for):
    client = client_for(hospital)
    home = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("recoupments:list")}">Recoupments</a>' in home
    listing = client.get(reverse("recoupments:list")).content.decode()
    assert "<h1>Recoupments</h1>" in listing
    assert f'href="{SUBMIT}">Submit Recoupment Form</a>' in listing
    page = client.get(SUBMIT).content.decode()
    assert "<h1>Submit Recoupment Form</h1>" in page
    for label in ("Provider Name", "Provider NPI", "MassHealth Provider ID", "MCE Name(s)",
                  "Member First Name", "Member Last Name", "Member MassHealth ID(s)",
                  "Date(s) of Service Recouped", "Service Code or Name", "Amount Recouped"):
        assert label in page
    for field in ("provider_name", "provider_npi", "provider_id", "member_first_name",
                  "member_last_name", "member_ids", "lines-0-date_of_service",
                  "lines-0-service", "lines-0-amount", "lines_file"):
        assert f'<label for="id_{field}">' in page


def test_provider_fields_default_from_the_users_link(hospital, client_for):
    page = client_for(hospital).get(SUBMIT).content.decode()
    assert 'value="Example Community Hospital"' in page
    assert 'value="1234567893"' in page
    assert f'value="{HOSPITAL}"' in page


def test_two_member_ids_and_three_lines_are_submitted(hospital, client_for):
    client = client_for(hospital)
    response = client.post(SUBMIT, form_post())
    recoupment = only_recoupment()
    assert response.status_code == 302
    assert response["Location"] == reverse("recoupments:detail", args=[recoupment.reference])
    assert re.fullmatch(r"RCP-\d{8}-\d{6}", recoupment.reference)
    assert recoupment.status == Status.SUBMITTED
    assert recoupment.member_ids == ["100000000001", "100000000091"]
    assert [(line.service, line.amount) for line in recoupment.lines.all()] == [
        ("99213 Office visit", Decimal("145.00")), ("99214 Office visit", Decimal("1210.50")),
        ("93000 Electrocardiogram", Decimal("62.25"))]
    assert list(recoupment.mces.values_list("provider_id", flat=True)) == [TUFTS_TOGETHER]
    assert recoupment.submitted_by == hospital and recoupment.provider_npi == "1234567893"
    (event,) = RecoupmentEvent.objects.filter(recoupment=recoupment)
    assert (event.move, event.from_status, event.to_status, event.actor) == (
        "submit", "", Status.SUBMITTED, hospital)
    # The e-mail confirming receipt, to the submitter.
    (email,) = mail.outbox
    assert email.to == [hospital.email]
    assert email.subject == f"Recoupment {recoupment.reference} received"
    for text in (recoupment.reference, "Example Community Hospital", HOSPITAL, "1234567893",
                 "Tufts Health Together", "ROSE EXAMPLE", "100000000001, 100000000091",
                 "03/18/2025  99214 Office visit  $1,210.50", "Received: completeness review"):
        assert text in email.body
    # The request in the provider's own list, with its status and history.
    detail = client.get(response["Location"]).content.decode()
    assert f"Recoupment {recoupment.reference}" in detail
    assert "Received: completeness review" in detail and "History" in detail
    listing = client.get(reverse("recoupments:list")).content.decode()
    assert recoupment.reference in listing and "Received: completeness review" in listing


def test_member_ids_may_be_separated_by_commas(hospital, client_for):
    client_for(hospital).post(SUBMIT, form_post(member_ids="100000000001, 100000000091"))
    assert only_recoupment().member_ids == ["100000000001", "100000000091"]


def test_several_mces_can_be_named(hospital, client_for):
    client_for(hospital).post(SUBMIT, form_post(mces=[TUFTS_TOGETHER, MBHP]))
    assert only_recoupment().mces.count() == 2


def test_npi_is_optional(hospital, client_for):
    client_for(hospital).post(SUBMIT, form_post(provider_npi=""))
    assert only_recoupment().provider_npi == ""


BLANK = ("", "", "")


@pytest.mark.parametrize("overrides, error_id, message", [
    ({"provider_name": ""}, "id_provider_name", "Enter the Provider Name."),
    ({"provider_npi": "12345"}, "id_provider_npi", "Enter the Provider NPI as 10 digits."),
    ({"provider_npi": "1234567898"}, "id_provider_npi",
     "This Provider NPI is not valid: check the digits."),
    ({"provider_id": ""}, "id_provider_id", "Enter the MassHealth Provider ID."),
    ({"provider_id": HOME_HEALTH}, "id_provider_id",
     "Choose one of your own MassHealth Provider IDs."),
    ({"mces": []}, "id_mces", "Choose at least one MCE Name."),
    ({"mces": ["999999999Z"]}, "id_mces", "Choose the MCE Name(s) from the list."),
    ({"member_first_name": " "}, "id_member_first_name", "Enter the Member First Name."),
    ({"member_last_name": ""}, "id_member_last_name", "Enter the Member Last Name."),
    ({"member_ids": ""}, "id_member_ids", "Enter at least one Member MassHealth ID."),
    ({"member_ids": "100000000001\n10000000009"}, "id_member_ids",
     "Each Member MassHealth ID is 12 digits; check 10000000009."),
    ({"member_ids": "100000000001\n10000000009A"}, "id_member_ids",
     "Each Member MassHealth ID is 12 digits; check 10000000009A."),
    ({"member_ids": "100000000001\n100000000001"}, "id_member_ids",
     "Enter each Member MassHealth ID once."),
    ({"lines-0-date_of_service": ""}, "id_lines-0-date_of_service",
     "Enter the Date(s) of Service Recouped."),
    ({"lines-0-date_of_service": "13/45/2025"}, "id_lines-0-date_of_service",
     "Enter the Date(s) of Service Recouped as MM/DD/YYYY."),
    ({"lines-0-date_of_service": "01/01/2099"}, "id_lines-0-date_of_service",
     "The Date(s) of Service Recouped cannot be in the future."),
    ({"lines-1-service": ""}, "id_lines-1-service", "Enter the Service Code or Name."),
    ({"lines-1-service": "=HYPERLINK(\"x\")"}, "id_lines-1-service",
     "Do not start with =, +, -, @ or a tab."),
    ({"lines-2-amount": ""}, "id_lines-2-amount", "Enter the Amount Recouped."),
    ({"lines-2-amount": "0.00"}, "id_lines-2-amount",
     "The Amount Recouped must be more than $0.00."),
    ({"lines-2-amount": "-5"}, "id_lines-2-amount",
     "The Amount Recouped must be more than $0.00."),
    ({"lines-2-amount": "12.345"}, "id_lines-2-amount",
     "Enter the Amount Recouped in dollars and cents, e.g. 125.00."),
    ({"lines-2-amount": "twelve"}, "id_lines-2-amount",
     "Enter the Amount Recouped in dollars and cents, e.g. 125.00."),
])
def test_each_missing_or_malformed_field_is_refused_next_to_it(hospital, client_for, overrides,
                                                                error_id, message):
    response = client_for(hospital).post(SUBMIT, form_post(**overrides))
    html = response.content.decode()
    assert response.status_code == 200
    # The error beside its field (tied to it by aria-describedby) and in the summary.
    assert re.search(rf'id="{re.escape(error_id)}-error">.*?{re.escape(message)}', html, re.S)
    assert f'href="#{error_id}' in html
    assert not Recoupment.objects.exists() and not mail.outbox


def test_no_line_at_all_is_refused_on_line_one(hospital, client_for):
    response = client_for(hospital).post(SUBMIT, form_post(lines=[BLANK, BLANK, BLANK]))
    html = response.content.decode()
    for field, message in (("date_of_service", "Enter the Date(s) of Service Recouped."),
                           ("service", "Enter the Service Code or Name."),
                           ("amount", "Enter the Amount Recouped.")):
        assert re.search(rf'id="id_lines-0-{field}-error">.*?{re.escape(message)}', html, re.S)
    assert not Recoupment.objects.exists()


def test_blank_extra_lines_are_ignored(hospital, client_for):
    client_for(hospital).post(SUBMIT, form_post(lines=LINES[:1] + (BLANK, BLANK)))
    assert only_recoupment().lines.count() == 1


def test_add_another_line_shows_one_more_row_and_saves_nothing(hospital, client_for):
    data = form_post()
    del data["submit"]
    data["add_line"] = "1"
    response = client_for(hospital).post(SUBMIT, data)
    html = response.content.decode()
    assert 'name="lines-TOTAL_FORMS" value="4"' in html
    assert '<label for="id_lines-3-date_of_service">' in html
    assert 'value="99214 Office visit"' in html and 'value="100000000001\n' not in html
    assert "100000000091" in html
    assert "There is a problem" not in html
    assert not Recoupment.objects.exists()


def test_a_user_with_several_providers_picks_one(recoupment_data, client_for):
    user = provider_user("both", HOSPITAL, HOME_HEALTH)
    client = client_for(user)
    page = client.get(SUBMIT).content.decode()
    assert f'<option value="{HOME_HEALTH}">' in page
    client.post(SUBMIT, form_post(provider_id=HOME_HEALTH))
    assert only_recoupment().provider_id == HOME_HEALTH
    html = client.post(SUBMIT, form_post(provider_id="100000103A")).content.decode()
    assert "Choose one of your own MassHealth Provider IDs." in html
    assert Recoupment.objects.count() == 1


def test_plan_staff_and_ops_do_not_see_recoupments(cca_sco, ops, client_for):
    for user in (cca_sco, ops):
        client = client_for(user)
        assert ">Recoupments</a>" not in client.get(reverse("home")).content.decode()
        assert client.get(reverse("recoupments:list")).status_code == 403
        assert client.get(SUBMIT).status_code == 403


def test_anonymous_users_are_sent_to_login(client, recoupment_data):
    response = client.get(SUBMIT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
