"""Enrollment Operations' corrections in the admin (issue 13 point 13).

A corrected name, MA, SSN or request recomposes the seed's Subject and CRM documentation;
the workflow's taxonomies (QC's "True", outreach) are set by their steps, never by a
correction; and the case list finds a case by its number as shown, leading zeros included.
"""

import pytest
from django.urls import reverse

from crm_tracker.models import CaseType, Disposition, SubCategory, TaxonomyNotAllowed
from crm_tracker.services import case_edit
from posc.members.models import Plan
from tests.crm_tracker.helpers import NOW

pytestmark = pytest.mark.django_db
CASES = reverse("admin:crm_tracker_case_changelist")


def _change_page_post(client, case, **changes) -> dict:
    """Return the admin change form of *case* as posted unchanged, plus *changes*."""
    form = client.get(reverse("admin:crm_tracker_case_change", args=[case.pk])).context[
        "adminform"].form
    post = {n: ("" if form[n].value() is None else form[n].value()) for n in form.fields}
    post = {k: v for k, v in post.items() if v is not False}
    return post | {"history-TOTAL_FORMS": "0", "history-INITIAL_FORMS": "0"} | changes


@pytest.mark.parametrize("changes,subject,crm", [
    ({"participant_names": "CORRECTED, NAME"}, "MCT Span",
     "CORRECTED, NAME/{ma}/***-**-{last4}/Tufts Health Together"),
    ({"corrected_ssn": "900 22 4321"}, "MCT Span",
     "{names}/{ma}/***-**-4321/Tufts Health Together"),
    ({"masshealth_id": "900000000999"}, "MCT Span",
     "{names}/900000000999/***-**-{last4}/Tufts Health Together"),
    ({"requested_plan": "130000002A"}, "MCT Span",
     "{names}/{ma}/***-**-{last4}/WellSense Essential MCO"),
])
def test_a_corrected_field_recomposes_the_crm_documentation(new_case, ops, client_for, changes,
                                                             subject, crm):
    case = new_case()
    old_documentation = case.crm_documentation
    client = client_for(ops)
    post = _change_page_post(client, case, change_reason="Corrected on the consumer's call",
                             **changes)
    assert client.post(reverse("admin:crm_tracker_case_change", args=[case.pk]),
                       post).status_code == 302
    names, ma, last4 = case.participant_names, case.masshealth_id, case.ssn[-4:]
    case.refresh_from_db()
    assert case.subject == subject
    assert case.crm_documentation == crm.format(names=names, ma=ma, last4=last4)
    row = case.history.get(field="crm_documentation", reason="Corrected on the consumer's call")
    assert (row.old_value, row.new_value, row.changed_by) == (
        old_documentation, case.crm_documentation, ops)


def test_a_typed_crm_documentation_is_kept(new_case, ops):
    """The admin may also type the line itself: a typed line is not overwritten."""
    case = new_case()
    case_edit(case=case, changes={"participant_names": "NEW, NAME",
                                  "crm_documentation": "Typed by ops"},
              actor=ops, reason="typed", now=NOW)
    case.refresh_from_db()
    assert case.crm_documentation == "Typed by ops"


def test_the_for_cause_subject_is_recomposed_with_its_reason(new_case, ops):
    case = new_case(CaseType.FOR_CAUSE)
    case_edit(case=case, changes={"requested_plan": Plan.objects.get(provider_id="130000002A")},
              actor=ops, reason="wrong MCO", now=NOW)
    case.refresh_from_db()
    assert case.subject == "For Cause Reason – Homeless Consumer"
    assert case.crm_documentation.endswith("/Homeless Consumer/"
                                           f"{case.masshealth_id}/***-**-{case.ssn[-4:]}/"
                                           "WellSense Essential MCO")


def _qc_true_post(client, case) -> dict:
    return _change_page_post(
        client, case, change_reason="Moving it on",
        sub_category=SubCategory.objects.get(name="Unable to Plan Shop").pk,
        disposition=Disposition.objects.get(name="Plan Selection Corrected").pk)


def test_ops_cannot_put_a_case_waiting_for_qc_into_qcs_true_taxonomy(new_case, ops, client_for):
    case = new_case()
    client = client_for(ops)
    response = client.post(reverse("admin:crm_tracker_case_change", args=[case.pk]),
                           _qc_true_post(client, case))
    assert response.status_code == 200
    html = response.content.decode()
    assert ("“Plan Selection Corrected” is set by the QC: “True” tracker case step, not by a "
            f"correction: case {case.number} is waiting in MCO Tracker QC.") in html
    case.refresh_from_db()
    assert case.disposition.name == "Plan Selected in Error"
    assert not case.history.filter(reason="Moving it on").exists()


def test_the_service_refuses_it_too(new_case, ops):
    case = new_case()
    with pytest.raises(TaxonomyNotAllowed) as refused:
        case_edit(case=case, actor=ops, reason="x", now=NOW, changes={
            "sub_category": SubCategory.objects.get(name="Unable to Plan Shop"),
            "disposition": Disposition.objects.get(name="Plan Selection Corrected")})
    assert refused.value.code == "TAXONOMY_STEP"


@pytest.mark.parametrize("typed", ["{n}", "{number}", " {number} "])
def test_the_admin_search_finds_a_case_by_its_number_as_shown(new_case, ops, client_for, typed):
    case = new_case()
    new_case()
    response = client_for(ops).get(CASES, {"q": typed.format(n=case.case_number,
                                                             number=case.number)})
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [case.pk]
    assert case.number.startswith("0")
