"""Property: no input to the enrollment panels is a server error; a refusal writes nothing.

Each panel is posted through the test client as cca.sco, the whole path (middleware, form,
view, selectors, MMIS stub, service). The earlier panels are passed once per test; every
example then runs in a savepoint rolled back afterwards, so that each starts from there.
"""

import datetime
import uuid

import pytest
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from enrollment.models import BatchEntry, DisenrollmentReason, EnrollmentTransaction
from posc.members.demo import CCA_SCO
from posc.members.models import EnrollmentSpan, Plan
from tests.enrollment.helpers import reach_certification, reach_disenrollment
from tests.factories import MemberFactory, SpanFactory
from tests.property.helpers import (
    assert_not_server_error,
    changed_tables,
    example_savepoint,
    post_checked,
    table_snapshot,
)
from tests.property.strategies import any_text, form_value

pytestmark = pytest.mark.django_db

MEMBER = dict(member_id="900000000777", last_name="O'EXAMPLE-SMITH", first_name="ROSE")


def url(name: str) -> str:
    return reverse(f"enrollment:{name}", kwargs={"program": "sco"})


def _mixed(valid: str) -> st.SearchStrategy:
    """Return the right value, it with hostile text around it, or any hostile value."""
    return st.one_of(st.just(valid), st.builds(lambda a, b: a + valid + b,
                                               any_text(max_size=3), any_text(max_size=3)),
                     form_value())


@pytest.fixture
def sco_client(client_for, cca_sco):
    MemberFactory(**MEMBER)
    return client_for(cca_sco)


@given(provider_id=_mixed(CCA_SCO), member_id=_mixed(MEMBER["member_id"]),
       last_name=_mixed(MEMBER["last_name"]), first_name=_mixed(MEMBER["first_name"]),
       drop=st.sets(st.sampled_from(["provider_id", "member_id", "last_name", "first_name"])))
def test_member_search_form(sco_client, provider_id, member_id, last_name, first_name, drop):
    """Member Search: any typed values give the panel again or the next panel; no write."""
    data = {"provider_id": provider_id, "member_id": member_id, "last_name": last_name,
            "first_name": first_name}
    for name in drop:
        del data[name]
    with example_savepoint():
        before = table_snapshot()
        response = sco_client.post(url("search"), data)
        assert_not_server_error(response)
        assert response.status_code in (200, 302)
        event(f"status {response.status_code}")
        if response.status_code == 302:
            assert response["Location"].endswith("/verification/")
        assert changed_tables(before, table_snapshot()) == []


def last(value):
    """Return what the form reads of a posted value: the last of a list."""
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def _token_values(good: str) -> st.SearchStrategy:
    return st.one_of(st.just(good), st.uuids().map(str), form_value(valid=[good.upper()]))


@pytest.fixture
def at_certification(sco_client):
    """Search and Confirm once; return the client and the Certification panel."""
    member = MemberFactory.build(**MEMBER)
    return sco_client, reach_certification(sco_client, "sco", member, CCA_SCO)


@given(data=st.data())
def test_certification_form(at_certification, data):
    """Certification: accepted exactly once with the panel's token and the box ticked."""
    client, panel = at_certification
    posted = {"seal": panel.seal, "token": data.draw(_token_values(panel.token), "token"),
              "certify": data.draw(st.one_of(st.just("on"), form_value(valid=["on", "true"])),
                                   "certify")}
    posted = {k: v for k, v in posted.items() if not data.draw(st.booleans(), f"drop {k}")}
    with example_savepoint():
        response, changed = post_checked(client, panel.url, posted)
        if response.status_code == 302 and "confirmation" in response["Location"]:
            assert last(posted.get("certify"))
            # The token is the re-post key: any UUID is a new request.
            txn = EnrollmentTransaction.objects.get(token=uuid.UUID(last(posted["token"])))
            assert txn.accepted and txn.kind == "ENROLL"
            assert BatchEntry.objects.filter(transaction=txn).count() == 1
            assert EnrollmentSpan.objects.filter(member_id=MEMBER["member_id"]).count() == 1
            assert sorted(changed) == sorted({
                EnrollmentTransaction._meta.db_table, BatchEntry._meta.db_table,
                EnrollmentSpan._meta.db_table})
        else:
            # A refused form (or a token that is not the panel's) wrote nothing.
            assert response.status_code == 200 or response["Location"] == url("search")
            assert changed == []


@pytest.fixture
def at_disenrollment(sco_client):
    """Search a member of cca.sco's plan once; return the client and the panel."""
    SpanFactory(member_id=MEMBER["member_id"], plan=Plan.objects.get(provider_id=CCA_SCO),
                start_date=datetime.date(2024, 1, 1))
    return sco_client, reach_disenrollment(sco_client, "sco", MemberFactory.build(**MEMBER),
                                           CCA_SCO)


@given(data=st.data())
def test_disenrollment_form(at_disenrollment, data):
    """Disenrollment: accepted once with the panel's token and a reason of the list."""
    client, panel = at_disenrollment
    reasons = list(DisenrollmentReason.values)
    posted = {"seal": panel.seal, "token": data.draw(_token_values(panel.token), "token"),
              "reason": data.draw(st.one_of(st.sampled_from(reasons), form_value(valid=reasons)),
                                  "reason")}
    posted = {k: v for k, v in posted.items() if not data.draw(st.booleans(), f"drop {k}")}
    with example_savepoint():
        response, changed = post_checked(client, panel.url, posted)
        if response.status_code == 302 and "confirmation" in response["Location"]:
            reason = last(posted.get("reason"))
            assert reason in reasons
            txn = EnrollmentTransaction.objects.get(token=uuid.UUID(last(posted["token"])))
            assert txn.accepted and txn.kind == "DISENROLL" and txn.reason == reason
            assert sorted(changed) == sorted({
                EnrollmentTransaction._meta.db_table, BatchEntry._meta.db_table,
                EnrollmentSpan._meta.db_table})
        else:
            assert response.status_code == 200 or response["Location"] == url("search")
            assert changed == []
