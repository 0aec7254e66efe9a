"""A provider sees only their own providers' requests; path (d) claims entered in the portal."""

import pytest
from django.urls import reverse

from recoupments.models import DeniedClaim, Status
from recoupments.services import recoupment_submit
from tests.recoupments.factories import RecoupmentFactory
from tests.recoupments.helpers import HOME_HEALTH, NOW, form_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(home_health):
    """A request of the other provider (Example Home Health Agency)."""
    return recoupment_submit(actor=home_health, data=form_input(
        provider_id=HOME_HEALTH, provider_name="Example Home Health Agency",
        provider_npi="1558598797", member_first_name="OTHERS"), now=NOW)


@pytest.fixture
def ours(hospital):
    return recoupment_submit(actor=hospital, data=form_input(member_first_name="OURS"), now=NOW)


def test_the_list_shows_only_the_providers_own_requests(hospital, ours, theirs, client_for):
    html = client_for(hospital).get(reverse("recoupments:list")).content.decode()
    assert ours.reference in html and "OURS EXAMPLE" in html
    assert theirs.reference not in html and "OTHERS" not in html


@pytest.mark.parametrize("name", ["detail", "resubmit", "denied_claim"])
def test_another_providers_request_is_not_found(hospital, ours, theirs, client_for, name):
    client = client_for(hospital)
    assert client.get(reverse(f"recoupments:{name}", args=[theirs.reference])).status_code == 404
    if name != "detail":
        assert client.post(reverse(f"recoupments:{name}", args=[theirs.reference]),
                           {}).status_code == 404
    assert client.get(reverse("recoupments:detail", args=[ours.reference])).status_code == 200


def test_the_other_provider_sees_theirs_and_not_ours(home_health, ours, theirs, client_for):
    client = client_for(home_health)
    assert client.get(reverse("recoupments:detail", args=[theirs.reference])).status_code == 200
    assert client.get(reverse("recoupments:detail", args=[ours.reference])).status_code == 404


def test_history_names_ops_by_unit_and_shows_each_move(hospital, ours, ops, client_for):
    from recoupments.services import recoupment_return
    recoupment_return(recoupment=ours, actor=ops, missing_fields=["provider_npi"],
                      note="Please add the NPI.", now=NOW)
    html = client_for(hospital).get(reverse("recoupments:detail",
                                            args=[ours.reference])).content.decode()
    assert "Return to provider: Returned to provider for completion" in html
    assert "Enrollment Operations" in html and ">ops<" not in html
    assert "Missing: Provider NPI. Please add the NPI." in html
    assert "Correct and resubmit" in html


def test_provider_records_a_denied_claim_only_while_billing_masshealth(hospital, client_for):
    recoupment = RecoupmentFactory(submitted_by=hospital, status=Status.MASSHEALTH_BILLING,
                                   approval_path="D", lines=2)
    client = client_for(hospital)
    url = reverse("recoupments:denied_claim", args=[recoupment.reference])
    page = client.get(url).content.decode()
    assert "<h1>Record denied claim</h1>" in page
    assert '<label for="id_icn">' in page and '<label for="id_line">' in page
    html = client.post(url, {"line": "1", "icn": "22263270001",
                             "edits": ["0850"]}).content.decode()
    assert "Enter the ICN: 13 digits." in html
    assert "The denial must include the MCE coverage edit 2017." in html
    assert not DeniedClaim.objects.exists()
    response = client.post(url, {"line": "1", "icn": "2226327000111", "edits": ["2017", "0850"]})
    assert response.status_code == 302
    claim = DeniedClaim.objects.get()
    assert (claim.line.number, claim.icn, claim.recorded_by) == (1, "2226327000111", hospital)
    detail = client.get(reverse("recoupments:detail", args=[recoupment.reference])).content.decode()
    assert "Denied claim ICN 2226327000111, edits 0850, 2017" in detail
    # The same ICN cannot be used twice; a recorded line is offered for correction.
    html = client.post(url, {"line": "2", "icn": "2226327000111",
                             "edits": ["2017"]}).content.decode()
    assert "ICN 2226327000111 is already recorded." in html
    assert '<option value="1">Line 1: 03/01/2025 99211 Office visit $100.00 (recorded: ICN ' \
           '2226327000111)</option>' in html
    # Outside path (d) billing the page sends the provider back.
    recoupment.status = Status.OVERRIDE_REQUESTED
    recoupment.save()
    assert client.get(url).status_code == 302
    html = client.post(url, {"line": "2", "icn": "2226327000112",
                             "edits": ["2017"]}).content.decode()
    assert "Record denied claim is not allowed" in html
    assert DeniedClaim.objects.count() == 1
