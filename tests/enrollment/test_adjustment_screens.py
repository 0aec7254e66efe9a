"""Enrollment adjustments in the admin (issue 17 §1): from a recoupment under review and from
the member's page, each move's form, refusals on the form, and the capitation export."""

import csv
import datetime
import io
import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from enrollment.adjustments import adjustment_retro_disenroll
from enrollment.models import CapitationAdjustment, EnrollmentAdjustment
from posc import clock
from posc.members.demo import CCA_SCO, FALLON_SCO, SWH_SCO
from posc.members.models import EnrollmentSpan, Plan
from posc.roles import ENROLLMENT_OPERATIONS, roles_sync
from recoupments.services import (
    recoupment_approve,
    recoupment_confirm_complete,
    recoupment_research_record,
    recoupment_submit,
)
from tests.factories import MemberFactory, SpanFactory, UserFactory
from tests.helpers import provider_user
from tests.recoupments.helpers import HOSPITAL, change_url, form_input

pytestmark = pytest.mark.django_db

FEB_END, MAR_1 = datetime.date(2025, 2, 28), datetime.date(2025, 3, 1)


@pytest.fixture
def ops(reference_data):
    roles_sync()
    user = UserFactory(username="ops.screens", is_staff=True)
    user.groups.add(Group.objects.get(name=ENROLLMENT_OPERATIONS))
    return user


@pytest.fixture
def recoupment(reference_data):
    """A hospital's request for ROSE EXAMPLE, enrolled with CCA SCO since 10/01/2024."""
    member = MemberFactory(member_id="100000000001", first_name="ROSE", last_name="EXAMPLE")
    SpanFactory(member=member, plan=Plan.objects.get(provider_id=CCA_SCO),
                start_date=datetime.date(2024, 10, 1))
    hospital = provider_user("hospital", HOSPITAL)
    return recoupment_submit(actor=hospital, data=form_input(mce_provider_ids=(CCA_SCO,)),
                             now=clock.now())


def href(page: str, text: str) -> str:
    """Return the address of the link whose text is *text* (unescaped)."""
    match = re.search(r'<a href="([^"]+)"[^>]*>' + re.escape(text) + "</a>", page)
    assert match, f"no link {text!r}"
    return match.group(1).replace("&amp;", "&")


def test_from_a_recoupment_retro_disenroll_and_retro_enroll(client, ops, recoupment):
    client.force_login(ops)
    page = client.get(change_url(recoupment)).content.decode()
    start = href(page, "Make an enrollment adjustment")
    assert "member=100000000001" in start and f"reference=recoupment%3A{recoupment.pk}" in start
    assert "date=2025-03-04" in start
    page = client.get(start).content.decode()
    assert "Reference: <strong>recoupment:" in page
    # Retro-disenroll, pre-filled: the month end before the first date of service.
    form_url = href(page, "Retro-disenroll")
    response = client.get(form_url)
    form = response.context["form"]
    assert form.initial["end_date"] == FEB_END
    assert form.initial["reference"] == f"recoupment:{recoupment.pk}"
    span = EnrollmentSpan.objects.get(member_id="100000000001")
    response = client.post(form_url, {
        "span": span.pk, "end_date": "02/28/2025", "reason": "Moved to SWH in March 2025.",
        "reference": form.initial["reference"],
        "submission_token": form.initial["submission_token"]})
    assert response.status_code == 302, response.content.decode()[-2000:]
    first = EnrollmentAdjustment.objects.get()
    assert response["Location"] == reverse("admin:enrollment_enrollmentadjustment_change",
                                           args=[first.pk])
    span.refresh_from_db()
    assert span.end_date == FEB_END
    # Retro-enroll with Senior Whole Health from 03/01/2025.
    form_url = href(client.get(start).content.decode(), "Retro-enroll ROSE EXAMPLE")
    form = client.get(form_url).context["form"]
    assert form.initial["start_date"] == MAR_1
    response = client.post(form_url, {
        "plan": Plan.objects.get(provider_id=SWH_SCO).pk, "start_date": "03/01/2025",
        "end_date": "", "reason": "Moved to SWH in March 2025.",
        "reference": form.initial["reference"],
        "submission_token": form.initial["submission_token"]})
    assert response.status_code == 302, response.content.decode()[-2000:]
    # The recoupment lists both adjustments, not free text.
    page = client.get(change_url(recoupment)).content.decode()
    for adjustment in EnrollmentAdjustment.objects.all():
        assert adjustment.number in page
    assert "Retro-disenroll" in page and "Retro-enroll" in page
    # Each adjustment's page shows its 834 loops and capitation lines.
    page = client.get(reverse("admin:enrollment_enrollmentadjustment_change",
                              args=[first.pk])).content.decode()
    assert "pending (next batch)" in page and "03/2025" in page
    assert "110000001A 10/01/2024–open" in page and "110000001A 10/01/2024–02/28/2025" in page


def test_a_refusal_names_every_rule_and_changes_nothing(client, ops, recoupment):
    client.force_login(ops)
    member = MemberFactory(esrd=True, deductible_period=True)
    url = reverse("admin:enrollment_enrollmentadjustment_make",
                  args=["retro-enroll", member.pk])
    form = client.get(url).context["form"]
    response = client.post(url, {
        "plan": Plan.objects.get(provider_id=FALLON_SCO).pk, "start_date": "03/01/2025",
        "reason": "Test.", "reference": "A call from the plan.",
        "submission_token": form.initial["submission_token"]})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any("end-stage renal disease" in e for e in errors)
    assert any("deductible" in e for e in errors)
    assert not EnrollmentAdjustment.objects.exists()
    assert not EnrollmentSpan.objects.filter(member=member).exists()


def test_reason_and_reference_are_required_on_the_form(client, ops, recoupment):
    client.force_login(ops)
    url = reverse("admin:enrollment_enrollmentadjustment_make",
                  args=["retro-enroll", "100000000001"])
    response = client.post(url, {"plan": Plan.objects.get(provider_id=SWH_SCO).pk,
                                 "start_date": "03/01/2025"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"reason", "reference"}
    assert not EnrollmentAdjustment.objects.exists()


def test_the_members_page_offers_the_adjustments(client, ops, recoupment):
    client.force_login(ops)
    page = client.get(reverse("admin:members_member_change",
                              args=["100000000001"])).content.decode()
    start = href(page, "Make an enrollment adjustment")
    page = client.get(start).content.decode()
    assert "Move a past period to another plan" in page and "Retro-disenroll" in page


def test_the_capitation_export_per_plan_and_month(client, ops, recoupment):
    span = EnrollmentSpan.objects.get(member_id="100000000001")
    adjustment_retro_disenroll(span=span, end_date=FEB_END, reason="Moved.",
                               reference=f"recoupment:{recoupment.pk}",
                               token=uuid.uuid4(), actor=ops,
                               today=datetime.date(2025, 4, 15))
    client.force_login(ops)
    url = reverse("admin:enrollment_capitationadjustment_export")
    page = client.get(url).content.decode()
    assert "03/2025" in page and "04/2025" in page
    response = client.get(url, {"plan": CCA_SCO, "month": "2025-03", "format": "csv"})
    assert response["Content-Disposition"] == \
        f'attachment; filename="capitation_{CCA_SCO}_202503.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:8] == ["Provider ID", "Plan", "Member ID", "Last Name", "First Name",
                           "Month", "Rate Cell", "Months"]
    assert rows[1][2:8] == ["100000000001", "EXAMPLE", "ROSE", "03/2025", "SCO-CW-GB", "-1"]
    assert len(rows) == 2
    response = client.get(url, {"plan": CCA_SCO, "month": "2025-04", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][2] == "100000000001" and values[1][5] == "04/2025" and values[1][7] == -1
    assert CapitationAdjustment.objects.count() == 2
    # A bad month is a message, not a file.
    response = client.get(url, {"plan": CCA_SCO, "month": "March", "format": "csv"})
    assert response.status_code == 200 and "Enter the month as MM/YYYY." in \
        response.content.decode()


def test_the_mce_email_lists_the_adjustments(client, ops, recoupment):
    span = EnrollmentSpan.objects.get(member_id="100000000001")
    adjustment = adjustment_retro_disenroll(
        span=span, end_date=FEB_END, reason="Moved.", reference=f"recoupment:{recoupment.pk}",
        token=uuid.uuid4(), actor=ops, today=clock.today())
    call_command("loaddata", "recoupment_mce_contacts", verbosity=0)
    recoupment_confirm_complete(recoupment=recoupment, actor=ops, now=clock.now())
    recoupment_research_record(recoupment=recoupment, actor=ops, now=clock.now(),
                               enrollments_documented="Checked.")
    mail.outbox.clear()
    recoupment_approve(recoupment=recoupment, actor=ops, now=clock.now(), path="B",
                       paying_mce=SWH_SCO)
    body = "\n".join(m.body for m in mail.outbox)
    assert f"{adjustment.number} Retro-disenroll, Member ID 100000000001" in body


def test_staff_without_the_permission_get_403(client, recoupment):
    client.force_login(UserFactory(username="staff.only", is_staff=True))
    for url in (reverse("admin:enrollment_enrollmentadjustment_start"),
                reverse("admin:enrollment_enrollmentadjustment_make",
                        args=["move", "100000000001"]),
                reverse("admin:enrollment_capitationadjustment_export")):
        assert client.get(url).status_code == 403


def test_an_adjustment_loop_has_no_confirmation_panel(client, ops, recoupment):
    """Plan staff see the loop in their 834 file, never a panel of Enrollment Operations."""
    span = EnrollmentSpan.objects.get(member_id="100000000001")
    adjustment = adjustment_retro_disenroll(
        span=span, end_date=FEB_END, reason="Moved.", reference="A call.", token=uuid.uuid4(),
        actor=ops, today=clock.today())
    (txn,) = adjustment.transactions.all()
    client.force_login(provider_user("cca.staff", CCA_SCO))
    url = reverse("enrollment:confirmation", kwargs={"program": "sco",
                                                     "reference": txn.reference})
    assert client.get(url).status_code == 404
