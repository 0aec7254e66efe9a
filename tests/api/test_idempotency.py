"""Safe retries (issue 18 §1): the same Idempotency-Key and body gets the stored answer, the
same key with another body is refused, and however many clients submit at once one member
gets one accepted transaction."""

import uuid

import pytest
from django.urls import reverse

from enrollment.models import EnrollmentTransaction
from posc.api.models import IdempotentRequest
from posc.members.demo import CCA_SCO
from tests.api.helpers import person, post, token_for
from tests.factories import MemberFactory
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db
ENROLL = reverse("enrollment-api:enroll")


def test_same_key_and_body_gets_the_stored_answer(client, cca_sco):
    secret = token_for(cca_sco)
    body = person(MemberFactory(), CCA_SCO, certify=True)
    first = post(client, ENROLL, secret, body, key="retry-1")
    again = post(client, ENROLL, secret, body, key="retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert EnrollmentTransaction.objects.count() == 1


def test_same_key_with_another_body_is_refused(client, cca_sco):
    secret = token_for(cca_sco)
    post(client, ENROLL, secret, person(MemberFactory(), CCA_SCO, certify=True), key="k")
    other = post(client, ENROLL, secret, person(MemberFactory(), CCA_SCO, certify=True), key="k")
    assert other.status_code == 422 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert EnrollmentTransaction.objects.count() == 1


def test_a_refusal_is_stored_too(client, cca_sco):
    secret = token_for(cca_sco)
    body = person(MemberFactory(), CCA_SCO, certify=True, last_name="Nobody")
    first = post(client, ENROLL, secret, body, key="no-match")
    again = post(client, ENROLL, secret, body, key="no-match")
    assert first.status_code == again.status_code == 422
    assert again["Content-Type"] == "application/problem+json"
    assert again.json() == first.json() and again.json()["code"] == "NO_MATCH"


def test_keys_are_per_user(client, cca_sco):
    from tests.helpers import provider_user

    other_user = provider_user("cca.sco.2", CCA_SCO)
    first = post(client, ENROLL, token_for(cca_sco),
                 person(MemberFactory(), CCA_SCO, certify=True), key="shared")
    second = post(client, ENROLL, token_for(other_user),
                  person(MemberFactory(), CCA_SCO, certify=True), key="shared")
    assert first.status_code == second.status_code == 201
    assert first.json()["reference"] != second.json()["reference"]


def test_a_key_claimed_by_a_killed_write_runs_once_on_retry(client, cca_sco):
    """The write committed, the answer was never stored (the process died): the retry
    returns that transaction, not a second one."""
    secret = token_for(cca_sco)
    body = person(MemberFactory(), CCA_SCO, certify=True)
    first = post(client, ENROLL, secret, body, key="killed")
    IdempotentRequest.objects.filter(key="killed").update(status=0, body=None)
    again = post(client, ENROLL, secret, body, key="killed")
    assert again.status_code == 201 and again.json() == first.json()
    assert EnrollmentTransaction.objects.count() == 1


@pytest.mark.parametrize("headers", [{}, {"HTTP_IDEMPOTENCY_KEY": "has space"},
                                     {"HTTP_IDEMPOTENCY_KEY": "x" * 256}])
def test_a_write_without_a_usable_key_is_refused(client, cca_sco, headers):
    secret = token_for(cca_sco)
    refused = client.post(ENROLL, person(MemberFactory(), CCA_SCO, certify=True),
                          content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {secret}", **headers)
    assert refused.status_code == 400
    assert refused.json()["code"].startswith("IDEMPOTENCY_KEY_")
    assert not EnrollmentTransaction.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_many_clients_one_accepted_transaction(cca_sco):
    """Six clients, each its own token and key, enroll one member at once: one accepted."""
    from django.test import Client

    member = MemberFactory()
    secrets_ = [token_for(cca_sco) for _ in range(6)]

    def call(i):
        return post(Client(), ENROLL, secrets_[i], person(member, CCA_SCO, certify=True),
                    key=str(uuid.uuid4())).status_code

    codes = run_in_threads(6, call)
    assert sorted(codes) == [201] + [422] * 5
    assert EnrollmentTransaction.objects.filter(member=member, status="ACCEPTED").count() == 1


def test_a_refused_input_does_not_take_the_key(client, cca_sco):
    """Bad input is refused before the key is claimed: the corrected request may reuse it."""
    secret = token_for(cca_sco)
    member = MemberFactory()
    bad = post(client, ENROLL, secret, person(member, CCA_SCO, certify=True, member_id="1"),
               key="fix-me")
    assert bad.status_code == 400
    fixed = post(client, ENROLL, secret, person(member, CCA_SCO, certify=True), key="fix-me")
    assert fixed.status_code == 201
