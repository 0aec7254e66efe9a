"""Issue 12 §2: IDs as clerks type or paste them, one message per field, and the words shown.

Each test posts the Member Search panel as a browser would send it after the clerk typed or
pasted the value (the form's maxlength is checked separately: a browser applies it before
posting).
"""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from enrollment.models import EnrollmentTransaction
from posc.members.demo import CCA_ONE_CARE, CCA_SCO, SWH_SCO
from posc.members.models import County, Plan
from recoupments.models import RecoupmentEvent
from tests.enrollment.helpers import enroll, reach_certification, search
from tests.factories import MemberFactory, SpanFactory
from tests.helpers import provider_user

pytestmark = pytest.mark.django_db

MEMBER_ID_MESSAGE = "Enter a 12-digit Member ID."
PROVIDER_ID_MESSAGE = "Enter a 10-character Provider ID: 9 digits and a letter."


def url(name: str, slug: str = "sco") -> str:
    return reverse(f"enrollment:{name}", kwargs={"program": slug})


def field_errors(response, name: str) -> list[str]:
    return list(response.context["form"].errors.get(name, []))


def opened_a_panel(response) -> bool:
    return response.status_code == 302 and "/flow/" in response["Location"]


@pytest.fixture
def sco(client_for, cca_sco):
    return client_for(cca_sco)


@pytest.mark.parametrize("typed", ["110000001a", " 110000001a ", "110000001-A", "110000001 A"])
def test_provider_id_in_lower_case_or_with_spaces_is_accepted(sco, typed):
    member = MemberFactory()
    assert opened_a_panel(search(sco, "sco", member, typed))


def test_provider_id_is_normalised_for_a_user_of_several_plans(client_for, reference_data):
    """A user linked to two plans picks from a list; a typed lower-case choice is the same."""
    client = client_for(provider_user("two.plans", CCA_SCO, SWH_SCO))
    assert opened_a_panel(search(client, "sco", MemberFactory(), CCA_SCO.lower()))


@pytest.mark.parametrize("typed", ["11000000A", "1100000001AB", "110000001!", "A10000001A",
                                   "１１0000001A", "110000001Ａ", "11000000١A"])
def test_a_wrong_provider_id_gets_one_message(sco, typed):
    """One message, the field's own (Django's "Ensure this value has at most…" was a second)."""
    response = search(sco, "sco", MemberFactory(), typed)
    assert field_errors(response, "provider_id") == [PROVIDER_ID_MESSAGE]
    html = response.content.decode()
    assert "Ensure this value" not in html
    assert html.count(PROVIDER_ID_MESSAGE) == 2  # in the summary and beside the field


@pytest.mark.parametrize("paste", [" {id}", "{id} ", "\t{id}\n", "{id}\u00a0", "{a}-{b}-{c}",
                                   "{a} {b} {c}"])
def test_a_pasted_member_id_with_spaces_or_dashes_finds_the_member(sco, paste):
    member = MemberFactory()
    mid = member.member_id
    typed = paste.format(id=mid, a=mid[:4], b=mid[4:8], c=mid[8:])
    response = search(sco, "sco", member, CCA_SCO, member_id=typed)
    assert opened_a_panel(response)


@pytest.mark.parametrize("typed", ["1000000001211", "10000000012", "1000000001a1",
                                   "１００００００００１２１", "١٠٠٠٠٠٠٠٠١٢١", "10000000012\u0661"])
def test_a_wrong_member_id_gets_the_fields_message_never_no_match(sco, typed):
    """13 digits are not cut to 12, and Unicode digits are not digits of an ID."""
    MemberFactory(member_id="100000000121")
    response = search(sco, "sco", MemberFactory.build(member_id="100000000121"), CCA_SCO,
                      member_id=typed)
    assert response.status_code == 200
    assert field_errors(response, "member_id") == [MEMBER_ID_MESSAGE]
    html = response.content.decode()
    assert "NO_MATCH" not in html and "Ensure this value" not in html
    assert html.count(MEMBER_ID_MESSAGE) == 2


def test_id_fields_have_no_maxlength_that_cuts_a_paste(sco):
    """A browser cuts a value at maxlength without a word: " 100000000121" lost a digit."""
    html = sco.get(url("search")).content.decode()
    for name in ("provider_id", "member_id"):
        tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', html)[0]
        limit = re.search(r'maxlength="(\d+)"', tag)
        assert limit is None, tag


def test_one_care_certification_note_reads_a_one_care_applicant(client_for, cca_onecare):
    client = client_for(cca_onecare)
    member = MemberFactory(date_of_birth=datetime.date(1985, 3, 9), rating_category="C2A",
                           coverage_type="COMMONHEALTH", county=County.WORCESTER)
    html = client.get(reach_certification(client, "one-care", member, CCA_ONE_CARE).url)
    text = html.content.decode()
    assert "requirements for a One Care applicant" in text
    assert "an One Care" not in text


def test_sco_certification_note_reads_an_sco_applicant(sco):
    html = sco.get(reach_certification(sco, "sco", MemberFactory(), CCA_SCO).url)
    assert "requirements for an SCO applicant" in html.content.decode()


def test_spans_are_shown_mm_dd_yyyy_in_the_admin(client_for, reference_data, admin_user):
    """The admin names a span by its dates: 01/01/2024–12/31/2026, never 2024-01-01–…"""
    span = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO),
                       start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2026, 12, 31))
    assert str(span) == f"{span.member_id} {CCA_SCO} 01/01/2024–12/31/2026"
    client = client_for(admin_user)
    listing = client.get(reverse("admin:members_enrollmentspan_changelist")).content.decode()
    assert "01/01/2024" in listing and "12/31/2026" in listing and "2024-01-01" not in listing
    page = client.get(reverse("admin:members_enrollmentspan_change", args=[span.pk]))
    html = page.content.decode()
    assert "01/01/2024–12/31/2026" in html and "2024-01-01" not in html


def test_history_and_audit_rows_are_named_mm_dd_yyyy_eastern():
    """The admin names a recoupment history row and an audit row by when: MM/DD/YYYY."""
    at = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)  # 01/01 22:04 Eastern
    event = RecoupmentEvent(recoupment_id=7, move="submit", at=at)
    assert str(event) == "7 submit 01/01/2026 22:04"
    row = AuditEvent(at=at, username="ops", action="VIEW", object_type="member")
    assert str(row) == "01/01/2026 22:04:05 ops VIEW member"


@pytest.mark.parametrize("members, words", [(1, "(1 member)"), (2, "(2 members)")])
def test_export_834_counts_members_in_words(client_for, cca_sco, tmp_path, members, words):
    client = client_for(cca_sco)
    for _ in range(members):
        enroll(client, "sco", MemberFactory(), CCA_SCO)
    out = StringIO()
    call_command("export_834", "--provider-id", CCA_SCO, "--output", str(tmp_path / "out.x12"),
                 stdout=out)
    assert words in out.getvalue()
    assert EnrollmentTransaction.objects.count() == members
