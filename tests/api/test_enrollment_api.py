"""The plans' API answers as the panels do (issue 18 §1): Member Search, enroll,
disenroll, a transaction, 834 batches and 999s, scoped to the token user's plans."""


import pytest
from django.urls import reverse

from audit.models import AuditEvent
from enrollment.models import Acknowledgment, EnrollmentTransaction
from enrollment.services import batch_cut
from posc.members.demo import CCA_SCO, FALLON_SCO
from posc.members.models import County, Plan
from posc.mmis.validator import NO_MATCH_MESSAGE
from tests.api.helpers import auth, person, post, token_for
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
SEARCH = reverse("enrollment-api:search")
ENROLL = reverse("enrollment-api:enroll")
DISENROLL = reverse("enrollment-api:disenroll")
PROBLEM = "application/problem+json"


def test_search_answers_as_the_panel(client, cca_sco):
    secret = token_for(cca_sco)
    member = MemberFactory()
    found = client.post(SEARCH, person(member, CCA_SCO), content_type="application/json",
                        **auth(secret))
    assert found.status_code == 200, found.content
    assert found.json()["action"] == "ENROLL"
    assert found.json()["rate_cell"]["code"]
    assert AuditEvent.objects.filter(action="SEARCH", member_id=member.member_id,
                                     user=cca_sco).exists()


def test_no_match_names_no_field(client, cca_sco):
    secret = token_for(cca_sco)
    member = MemberFactory()
    wrong = client.post(SEARCH, person(member, CCA_SCO, last_name="Nobody"),
                        content_type="application/json", **auth(secret))
    assert wrong.status_code == 422
    assert wrong["Content-Type"] == PROBLEM
    body = wrong.json()
    assert body["code"] == "NO_MATCH" and body["codes"] == ["NO_MATCH"]
    assert body["detail"] == NO_MATCH_MESSAGE
    for other in (person(member, CCA_SCO, first_name="Nobody"),
                  person(member, CCA_SCO, member_id="999999999999")):
        again = client.post(SEARCH, other, content_type="application/json", **auth(secret))
        assert again.json() == body  # the same answer whichever field is wrong


def test_bad_input_is_400_with_the_panels_message(client, cca_sco):
    secret = token_for(cca_sco)
    bad = client.post(SEARCH, person(MemberFactory(), CCA_SCO, member_id="12ab"),
                      content_type="application/json", **auth(secret))
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID"
    assert bad.json()["errors"] == [{"field": "member_id", "message": "Enter a 12-digit "
                                                                      "Member ID."}]
    garbage = client.post(SEARCH, "{not json", content_type="application/json", **auth(secret))
    assert garbage.status_code == 400 and garbage["Content-Type"] == PROBLEM


def test_enroll_needs_the_certification(client, cca_sco):
    secret = token_for(cca_sco)
    member = MemberFactory()
    missing = post(client, ENROLL, secret, person(member, CCA_SCO))
    assert missing.status_code == 400
    assert [e["field"] for e in missing.json()["errors"]] == ["certify"]
    unticked = post(client, ENROLL, secret, person(member, CCA_SCO, certify=False))
    assert unticked.status_code == 400
    assert unticked.json()["errors"][0]["message"] == ("Select the Certification checkbox to "
                                                       "certify the member.")
    assert not EnrollmentTransaction.objects.exists()


def test_enroll_then_fetch_then_disenroll(client, cca_sco):
    secret = token_for(cca_sco)
    member = MemberFactory()
    enrolled = post(client, ENROLL, secret, person(member, CCA_SCO, certify=True))
    assert enrolled.status_code == 201, enrolled.content
    reference = enrolled.json()["reference"]
    assert enrolled.json()["status"] == "ACCEPTED"
    again = post(client, ENROLL, secret, person(member, CCA_SCO, certify=True))
    assert again.status_code == 422 and again.json()["code"] in {"DUPLICATE", "ALREADY_ENROLLED"}
    fetched = client.get(reverse("enrollment-api:transaction", args=[reference]), **auth(secret))
    assert fetched.status_code == 200 and fetched.json()["member_id"] == member.member_id
    found = client.post(SEARCH, person(member, CCA_SCO), content_type="application/json",
                        **auth(secret))
    assert found.json()["action"] == "DISENROLL"
    left = post(client, DISENROLL, secret, person(member, CCA_SCO, reason="MBR_REQ"))
    assert left.status_code == 201 and left.json()["kind"] == "DISENROLL"


def test_another_plans_provider_id_is_refused_and_nothing_stored(client, cca_sco):
    secret = token_for(cca_sco)
    member = MemberFactory()
    other = post(client, ENROLL, secret, person(member, FALLON_SCO, certify=True))
    assert other.status_code == 422 and other.json()["code"] == "PROVIDER"
    assert not EnrollmentTransaction.objects.exists()


def test_another_plans_transaction_and_batch_are_not_found(client, cca_sco, fallon_sco):
    member = MemberFactory(county=County.WORCESTER)  # in both plans' service areas
    fallon = token_for(fallon_sco)
    reference = post(client, ENROLL, fallon, person(member, FALLON_SCO, certify=True)
                     ).json()["reference"]
    batch = batch_cut(plan=Plan.objects.get(provider_id=FALLON_SCO))
    secret = token_for(cca_sco)
    txn = client.get(reverse("enrollment-api:transaction", args=[reference]), **auth(secret))
    assert txn.status_code == 404 and txn["Content-Type"] == PROBLEM
    download = client.get(reverse("enrollment-api:batch_download", args=[batch.pk]),
                          **auth(secret))
    assert download.status_code == 404
    assert client.get(reverse("enrollment-api:batches"), **auth(secret)).json() == []
    mine = client.get(reverse("enrollment-api:batch_download", args=[batch.pk]), **auth(fallon))
    assert mine.status_code == 200
    assert b"".join(mine.streaming_content).startswith(b"ISA*")


def test_another_plans_999_is_refused(client, cca_sco, fallon_sco, tmp_path):
    from django.core.management import call_command

    member = MemberFactory(county=County.WORCESTER)
    fallon = token_for(fallon_sco)
    post(client, ENROLL, fallon, person(member, FALLON_SCO, certify=True))
    batch_cut(plan=Plan.objects.get(provider_id=FALLON_SCO))
    out = tmp_path / "ack.999"
    call_command("make_999", "--provider-id", FALLON_SCO, "--batch", "1", "--output", str(out))
    url = reverse("enrollment-api:acknowledgments")
    with out.open("rb") as upload:
        refused = client.post(url, {"file": upload},
                              **auth(token_for(cca_sco), **{"Idempotency-Key": "k1"}))
    assert refused.status_code == 422 and refused.json()["code"] == "ACK_OTHER_PLAN"
    with out.open("rb") as upload:
        loaded = client.post(url, {"file": upload}, **auth(fallon, **{"Idempotency-Key": "k1"}))
    assert loaded.status_code == 201, loaded.content
    assert Acknowledgment.objects.get().batch.plan.provider_id == FALLON_SCO


def test_a_user_without_a_plan_is_refused(client, ops_user):
    forbidden = client.post(SEARCH, person(MemberFactory(), CCA_SCO),
                            content_type="application/json", **auth(token_for(ops_user)))
    assert forbidden.status_code == 403 and forbidden["Content-Type"] == PROBLEM


def test_the_other_program_is_refused(client, cca_sco):
    other = client.post(SEARCH, person(MemberFactory(), CCA_SCO, program="one-care"),
                        content_type="application/json", **auth(token_for(cca_sco)))
    assert other.status_code == 403


def test_the_token_users_calls_are_audited_under_their_name(client, cca_sco):
    secret = token_for(cca_sco)
    member = MemberFactory()
    post(client, ENROLL, secret, person(member, CCA_SCO, certify=True))
    rows = AuditEvent.objects.filter(member_id=member.member_id)
    assert {r.action for r in rows} >= {"SEARCH", "CREATE"}
    assert {r.user_id for r in rows} == {cca_sco.pk}
    assert all(r.path == ENROLL for r in rows)


def test_a_body_over_the_limit_is_a_problem_413(client, cca_sco, settings):
    settings.POSC_MAX_REQUEST_BYTES = 1000
    big = client.post(SEARCH, person(MemberFactory(), CCA_SCO, last_name="x" * 2000),
                      content_type="application/json", **auth(token_for(cca_sco)))
    assert big.status_code == 413 and big["Content-Type"] == PROBLEM
    assert big.json()["code"] == "TOO_LARGE"


def test_another_plans_member_cannot_be_disenrolled(client, cca_sco):
    """A member enrolled with Fallon: CCA's token gets MMIS's answer, Fallon's span stays."""
    import datetime

    from posc.members.models import EnrollmentSpan
    from tests.enrollment.helpers import span_open

    fallon = Plan.objects.get(provider_id=FALLON_SCO)
    span = span_open(fallon, start=datetime.date(2024, 3, 1),
                     member=MemberFactory(county=County.WORCESTER))
    refused = post(client, DISENROLL, token_for(cca_sco),
                   person(span.member, CCA_SCO, reason="MBR_REQ"))
    assert refused.status_code == 422 and refused.json()["code"] == "NOT_ENROLLED"
    span = EnrollmentSpan.objects.get(pk=span.pk)
    assert span.end_date is None and not span.cancelled
    assert not EnrollmentTransaction.objects.filter(plan=fallon).exists()
