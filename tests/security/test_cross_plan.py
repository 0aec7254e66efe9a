"""Provider staff reach only their own plans' and providers' data, whatever ID they send.

Issue 6 acceptance: ``fallon.sco`` (110000003A) cannot see, enroll, disenroll or download
anything of ``cca.sco``'s plan (110000001A) by any URL or form value; ``hospital`` cannot
see another provider's recoupments; a One Care user cannot use the SCO panels and the
reverse. HIPAA 45 CFR 164.312(a)(1); OWASP ASVS 4.0.3 4.2.1 (no access to another
party's records by changing an identifier). Every refusal must also write nothing.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.urls import reverse

from enrollment.models import Batch834, EnrollmentTransaction
from enrollment.panel import PanelFlows, page_seal
from posc.members.demo import CCA_ONE_CARE, CCA_SCO, FALLON_SCO
from posc.members.models import County, EnrollmentSpan
from recoupments.models import DeniedClaim, Recoupment, RecoupmentEvent
from tests.enrollment.helpers import reach_certification
from tests.factories import MemberFactory
from tests.recoupments.helpers import form_post
from tests.security.world import World, world  # noqa: F401  (world is a fixture)

pytestmark = pytest.mark.django_db

WATCHED = (EnrollmentTransaction, EnrollmentSpan, Batch834, Recoupment, RecoupmentEvent,
           DeniedClaim)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WATCHED}


@contextmanager
def writes_nothing() -> Iterator[None]:
    """Fail if the block adds or removes a transaction, span, batch or recoupment row."""
    before = counts()
    yield
    assert counts() == before


def search_data(member, provider_id: str) -> dict:
    return {"provider_id": provider_id, "member_id": member.member_id,
            "last_name": member.last_name, "first_name": member.first_name}


def sco_url(name: str, **kwargs) -> str:
    return reverse(f"enrollment:{name}", kwargs={"program": "sco", **kwargs})


# -- fallon.sco against cca.sco's plan


@pytest.mark.parametrize("target", ["member", "eligible"])
def test_search_with_another_plans_provider_id_is_refused(world: World, target):
    """Member Search with CCA's Provider ID: a form error, no panel state, nothing written."""
    client = world.client("fallon.sco")
    member = getattr(world, target)
    with writes_nothing():
        response = client.post(sco_url("search"), search_data(member, CCA_SCO))
    html = response.content.decode()
    assert response.status_code == 200 and "PROVIDER" in html
    # Nothing of the member beyond what the user typed (ui.md).
    assert member.date_of_birth.strftime("%m/%d/%Y") not in html
    assert member.address_line1 not in html
    assert "panel-flows:SCO" not in client.session
    # The next panels send the user back to Member Search.
    for panel in ("verification", "certification", "disenrollment"):
        assert client.get(sco_url(panel, flow="none"))["Location"] == sco_url("search")


def test_fallon_cannot_disenroll_a_member_enrolled_with_cca(world: World):
    """Searching with Fallon's own ID does not open CCA's member's Disenrollment panel."""
    client = world.client("fallon.sco")
    with writes_nothing():
        response = client.post(sco_url("search"), search_data(world.member, FALLON_SCO))
        assert response.status_code == 200  # Member Search again, with the MMIS reason
        assert "panel-flows:SCO" not in client.session
        posted = client.post(sco_url("disenrollment", flow="none"),
                             {"token": str(uuid.uuid4()), "reason": "MBR_REQ"})
    assert posted["Location"] == sco_url("search")


def test_ccas_token_in_fallons_own_flow_is_refused(world: World):
    """Fallon reaches Certification for a member of its own area, then posts CCA's token.

    Before the fix the service answered any re-posted token with the stored transaction,
    whoever had sent it: Fallon was redirected to CCA's confirmation, its reference in the
    address.
    """
    client = world.client("fallon.sco")
    member = MemberFactory(county=County.WORCESTER)
    panel = reach_certification(client, "sco", member, FALLON_SCO)
    with writes_nothing():
        response = client.post(panel.url, {"token": str(world.transaction.token),
                                           "seal": panel.seal, "certify": "on"})
    assert response.status_code == 200
    assert world.transaction.reference not in response.content.decode()
    assert "Start again" in response.content.decode()


def test_extra_form_fields_do_not_choose_the_plan_or_member(world: World):
    """Provider ID and Member ID added to the Certification POST are ignored."""
    client = world.client("fallon.sco")
    member = MemberFactory(county=County.WORCESTER)
    panel = reach_certification(client, "sco", member, FALLON_SCO)
    token = panel.token
    response = client.post(panel.url, {
        "token": token, "seal": panel.seal, "certify": "on", "provider_id": CCA_SCO,
        "member_id": world.eligible.member_id, "last_name": world.eligible.last_name,
        "first_name": world.eligible.first_name})
    txn = EnrollmentTransaction.objects.get(token=token)
    assert (txn.plan.provider_id, txn.member_id) == (FALLON_SCO, member.member_id)
    assert response["Location"] == sco_url("confirmation", reference=txn.reference)
    assert not EnrollmentTransaction.objects.filter(member=world.eligible).exists()


def test_forged_panel_state_naming_cca_is_refused_by_mmis(world: World):
    """Defence in depth: were the session to name CCA's plan, MMIS still refuses (PROVIDER).

    The panel state lives on the server (the browser holds only the session key); this
    writes it directly, as only a bug could.
    """
    client = world.client("fallon.sco")
    session = client.session
    for action, member, panel in (("ENROLL", world.eligible, "certification"),
                                  ("DISENROLL", world.member, "disenrollment")):
        flow = PanelFlows(session, "SCO").start(
            **search_data(member, CCA_SCO), action=action, confirmed=True,
            span_start=world.transaction.effective_date.isoformat())
        session.save()
        token = flow.get("token")
        spans = EnrollmentSpan.objects.count()
        response = client.post(sco_url(panel, flow=flow.id), {
            "token": token, "certify": "on", "reason": "MBR_REQ",
            "seal": page_seal(user_pk=world.users["fallon.sco"].pk, flow=flow)})
        assert response.status_code == 200
        txn = EnrollmentTransaction.objects.get(token=token)
        assert txn.status == EnrollmentTransaction.Status.REJECTED
        assert "PROVIDER" in txn.codes
        assert EnrollmentSpan.objects.count() == spans


def test_fallon_cannot_open_ccas_confirmation(world: World):
    url = sco_url("confirmation", reference=world.transaction.reference)
    assert world.client("cca.sco").get(url).status_code == 200
    assert world.client("fallon.sco").get(url).status_code == 404


def test_fallon_sees_no_cca_834_file_and_cannot_download_it(world: World):
    client = world.client("fallon.sco")
    listing = client.get(reverse("enrollment:files"))
    assert listing.status_code == 200
    assert world.batch.filename not in listing.content.decode()
    url = reverse("enrollment:file_download", args=[world.batch.pk])
    assert client.get(url).status_code == 404
    assert world.client("cca.sco").get(url).status_code == 200


def test_fallon_cannot_load_ccas_999_nor_open_ccas_batch_page(world: World, tmp_path):
    """Issue 17: a 999 belongs to the plan that sent it (ISA06); the batch page is the plan's."""
    from django.core.management import call_command

    from enrollment.models import Acknowledgment
    out = tmp_path / "cca.999"
    call_command("make_999", "--provider-id", CCA_SCO, "--batch", str(world.batch.number),
                 "--output", str(out))
    client = world.client("fallon.sco")
    with out.open("rb") as upload:
        response = client.post(reverse("enrollment:files"), {"file": upload})
    assert response.status_code == 200
    assert "belongs to another plan" in response.content.decode()
    assert not Acknowledgment.objects.exists()
    detail = reverse("enrollment:file_detail", args=[world.batch.pk])
    assert client.get(detail).status_code == 404
    assert world.client("cca.onecare").get(detail).status_code == 404
    with out.open("rb") as upload:
        assert world.client("hospital").post(reverse("enrollment:files"),
                                             {"file": upload}).status_code == 403
    assert not Acknowledgment.objects.exists()


def test_multi_plan_choice_refuses_a_provider_id_not_offered(world: World):
    """A user linked to two SCO plans picks among them; a third plan's ID is refused."""
    from posc.members.models import ProviderLink
    fallon = world.users["fallon.sco"]
    ProviderLink.objects.create(user=fallon, provider_id="110000004A")
    client = world.client("fallon.sco")
    with writes_nothing():
        response = client.post(sco_url("search"), search_data(world.member, CCA_SCO))
    assert "Choose one of your health plans" in response.content.decode()


# -- One Care against SCO, and the reverse


@pytest.mark.parametrize("role, slug", [("cca.onecare", "sco"), ("cca.sco", "one-care"),
                                        ("fallon.sco", "one-care")])
@pytest.mark.parametrize("panel", ["search", "verification", "certification", "disenrollment"])
def test_a_program_s_panels_refuse_the_other_program_s_staff(world: World, role, slug, panel):
    client = world.client(role)
    flow = {} if panel == "search" else {"flow": "any-flow"}
    url = reverse(f"enrollment:{panel}", kwargs={"program": slug, **flow})
    with writes_nothing():
        assert client.get(url).status_code == 403
        assert client.post(url, search_data(world.member, CCA_ONE_CARE)).status_code == 403


def test_one_care_staff_cannot_open_an_sco_confirmation_or_file(world: World):
    client = world.client("cca.onecare")
    assert client.get(sco_url("confirmation",
                              reference=world.transaction.reference)).status_code == 403
    confirmation = reverse("enrollment:confirmation",
                           kwargs={"program": "one-care", "reference": world.transaction.reference})
    assert client.get(confirmation).status_code == 404
    assert client.get(reverse("enrollment:file_download",
                              args=[world.batch.pk])).status_code == 404


# -- hospital against another provider's recoupments


@pytest.mark.parametrize("name", ["detail", "resubmit", "denied_claim"])
def test_hospital_cannot_reach_another_providers_recoupment(world: World, name):
    client = world.client("hospital")
    url = reverse(f"recoupments:{name}", args=[world.other_recoupment.reference])
    with writes_nothing():
        assert client.get(url).status_code == 404
        if name != "detail":
            posted = form_post() if name == "resubmit" else {"line": "1", "icn": "2025123456789",
                                                            "edits": ["2017"]}
            assert client.post(url, posted).status_code == 404
    assert world.client("homehealth").get(
        reverse("recoupments:detail", args=[world.other_recoupment.reference])).status_code == 200


def test_hospitals_list_does_not_show_another_providers_request(world: World):
    html = world.client("hospital").get(reverse("recoupments:list")).content.decode()
    assert world.recoupment.reference in html
    assert world.other_recoupment.reference not in html and "OTHERS" not in html


def test_hospital_cannot_submit_for_another_provider(world: World):
    """The Recoupment Form's Provider ID must be one of the user's providers."""
    client = world.client("hospital")
    with writes_nothing():
        response = client.post(reverse("recoupments:submit"), form_post(
            provider_id="100000102A", provider_name="Example Home Health Agency",
            provider_npi="1558598797"))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["cca.sco", "fallon.sco", "cca.onecare"])
def test_plan_staff_cannot_reach_recoupments(world: World, role):
    client = world.client(role)
    with writes_nothing():
        for url in (reverse("recoupments:list"), reverse("recoupments:submit"),
                    reverse("recoupments:detail", args=[world.recoupment.reference])):
            assert client.get(url).status_code == 403
        assert client.post(reverse("recoupments:submit"), form_post()).status_code == 403
