"""CSR intake: the four case types, the composed Subject and CRM line, and the seed's rules."""

import datetime

import pytest
from django.urls import reverse

from crm_tracker.models import TAXONOMY_FIELDS, Case, CaseType, ProviderTermination
from crm_tracker.rules import IntakeRefused
from crm_tracker.services import case_intake
from posc import clock
from posc.members.models import Plan
from tests.crm_tracker.helpers import (
    TODAY,
    current_termination,
    intake_kwargs,
    intake_post,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug,case_type,extra,subject,crm", [
    ("mct-span", CaseType.MCT_SPAN, {}, "MCT Span",
     "DOE-EXAMPLE, SAM; DOE-EXAMPLE, KIT/900000000555/***-**-1234/WellSense Essential MCO"),
    ("for-cause-reason", CaseType.FOR_CAUSE, {"for_cause_reason": "FAMILY_UNIFICATION"},
     "For Cause Reason – Family Unification",
     "DOE-EXAMPLE, SAM; DOE-EXAMPLE, KIT/Family Unification/900000000555/***-**-1234/"
     "WellSense Essential MCO"),
    ("incorrect-selection", CaseType.INCORRECT_SELECTION, {}, "Incorrect Selection",
     "DOE-EXAMPLE, SAM; DOE-EXAMPLE, KIT/900000000555/***-**-1234/WellSense Essential MCO"),
    ("angela-melody", CaseType.ANGELA_MELODY,
     {"requested_plan": "", "requested_provider_name": "Example Family Doctors"},
     "Angela Melody",
     "DOE-EXAMPLE, SAM; DOE-EXAMPLE, KIT/900000000555/***-**-1234/Example Family Doctors"),
])
def test_intake_composes_subject_and_crm_documentation(csr, client_for, slug, case_type, extra,
                                                      subject, crm):
    if case_type == CaseType.ANGELA_MELODY:
        # The page checks the choice period against its own today (the clock): a period
        # around the clock's today is open whatever the real date.
        today = clock.today()
        termination = ProviderTermination.objects.create(
            plan=current_termination().plan, provider_name="Example Family Doctors",
            choice_period_start=today - datetime.timedelta(days=30),
            choice_period_end=today + datetime.timedelta(days=30))
        extra = extra | {"provider_termination": termination.pk}
    client = client_for(csr)
    page = client.get(reverse("crm_tracker:case_intake", args=[slug]))
    assert f"<h1>New Case: {CaseType(case_type).label}</h1>" in page.content.decode()
    response = client.post(reverse("crm_tracker:case_intake", args=[slug]),
                           intake_post(case_type, **extra))
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert (case.subject, case.crm_documentation) == (subject, crm)
    assert case.ssn == "900551234" and case.supervisor_requested
    assert case.case_type == case_type and case.created_by == csr
    assert len(case.number) == 8 and case.number.isdigit()
    page = client.get(case.get_absolute_url()).content.decode()
    assert "900-55-1234" in page  # the CSR may see the full SSN on the case page


def test_case_numbers_are_sequential_and_not_editable(new_case):
    first, second = new_case(), new_case()
    assert second.case_number == first.case_number + 1
    assert not Case._meta.get_field("case_number").editable


def test_angela_melody_outside_the_choice_period_points_to_for_cause(csr):
    ended = ProviderTermination.objects.get(choice_period_end__lt=TODAY)
    with pytest.raises(IntakeRefused) as refused:
        case_intake(**intake_kwargs(actor=csr, case_type=CaseType.ANGELA_MELODY,
                                    provider_termination=ended))
    assert refused.value.code == "ANGELA_MELODY_PERIOD"
    assert "For Cause Reason" in refused.value.message
    assert not Case.objects.exists()


@pytest.mark.parametrize("day,accepted", [
    (datetime.date(2026, 7, 1), True),  # first day of the period
    (datetime.date(2029, 12, 31), True),  # last day
    (datetime.date(2026, 6, 30), False),
    (datetime.date(2030, 1, 1), False),
])
def test_angela_melody_period_bounds(csr, day, accepted):
    kwargs = intake_kwargs(actor=csr, case_type=CaseType.ANGELA_MELODY, today=day)
    if accepted:
        assert case_intake(**kwargs).pk
    else:
        with pytest.raises(IntakeRefused) as refused:
            case_intake(**kwargs)
        assert refused.value.code == "ANGELA_MELODY_PERIOD"


@pytest.mark.parametrize("case_type", list(CaseType))
@pytest.mark.parametrize("days_since_start,code", [
    (0, "RIGHT_TO_CHANGE"), (89, "RIGHT_TO_CHANGE"), (90, None)])
def test_auto_assignment_inside_90_days_is_refused(csr, case_type, days_since_start, code):
    start = TODAY - datetime.timedelta(days=days_since_start)
    kwargs = intake_kwargs(actor=csr, case_type=case_type, current_mco_auto_assigned=True,
                           current_mco_start=start)
    if code is None and case_type == CaseType.INCORRECT_SELECTION:
        code = "AUTO_ASSIGNED"  # seed: Incorrect Selection "do not include auto-assignments"
    if code is None:
        assert case_intake(**kwargs).current_mco_start == start
        return
    with pytest.raises(IntakeRefused) as refused:
        case_intake(**kwargs)
    assert refused.value.code == code
    if code == "RIGHT_TO_CHANGE":
        assert "130 CMR 508.003(C)" in refused.value.message
        assert "90 Day Right to Change" in refused.value.message


def test_refusal_is_shown_on_the_form_and_nothing_is_saved(csr, client_for):
    # 10 days before the page's today (the clock): inside the 90 days, whatever the date.
    start = (clock.today() - datetime.timedelta(days=10)).strftime("%m/%d/%Y")
    response = client_for(csr).post(
        reverse("crm_tracker:case_intake", args=["mct-span"]),
        intake_post(CaseType.MCT_SPAN, current_mco_auto_assigned="yes", current_mco_start=start))
    assert response.status_code == 200
    assert "90 Day Right to Change Rule" in response.content.decode()
    # Beside the field it is about, as well as in the summary.
    assert "90 Day Right to Change Rule" in " ".join(
        response.context["form"].errors["current_mco_start"])
    assert not Case.objects.exists()


@pytest.mark.parametrize("field,value,message", [
    ("masshealth_id", "12345", "Enter a 12-digit Member ID."),
    ("ssn", "90055123", "Enter the SSN as 9 digits"),
    ("participant_names", "", "Enter the Participant Name(s)."),
    ("requested_plan", "", "Choose the Requested MCO."),
    ("current_mco_auto_assigned", "", "Answer Was the current MCO auto-assigned?"),
    ("current_mco_start", "2026-13-45", "Enter the Current MCO start date as MM/DD/YYYY."),
])
def test_bad_input_is_refused_with_a_message(csr, client_for, field, value, message):
    response = client_for(csr).post(reverse("crm_tracker:case_intake", args=["mct-span"]),
                                    intake_post(CaseType.MCT_SPAN, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_escalated_case_cannot_be_resolved(csr):
    with pytest.raises(Exception) as refused:
        case_intake(**intake_kwargs(actor=csr, consumer_issues_resolved=True))
    assert refused.value.code == "RESOLVED_ESCALATION"


def test_only_mco_plans_are_offered(csr, client_for):
    form = client_for(csr).get(reverse("crm_tracker:case_intake", args=["mct-span"])).context[
        "form"]
    assert {p.program for p in form.fields["requested_plan"].queryset} == {"MCO"}
    assert Plan.objects.exclude(program="MCO").exists()


def test_intake_history_records_every_field(new_case):
    case = new_case(case_type=CaseType.FOR_CAUSE)
    fields = set(case.history.values_list("field", flat=True))
    assert {"created", "status", "owner_queue", "work_queue", "subject", "crm_documentation",
            "ssn", "masshealth_id", "for_cause_reason", *TAXONOMY_FIELDS} <= fields
    assert case.history.get(field="ssn").new_value == case.ssn_masked


def test_the_same_intake_page_posted_twice_opens_one_case(csr, client_for):
    client = client_for(csr)
    url = reverse("crm_tracker:case_intake", args=["mct-span"])
    page = client.get(url)
    assert 'type="hidden" name="submission_token"' in page.content.decode()
    token = page.context["form"]["submission_token"].value()
    first = client.post(url, intake_post(CaseType.MCT_SPAN, submission_token=token))
    second = client.post(url, intake_post(CaseType.MCT_SPAN, submission_token=token))
    case = Case.objects.get()
    assert first.url == second.url == case.get_absolute_url()
    # A new page is a new case.
    token = client.get(url).context["form"]["submission_token"].value()
    client.post(url, intake_post(CaseType.MCT_SPAN, submission_token=token))
    assert Case.objects.count() == 2
