"""The seed's taxonomy matrix as data: each combination's Status and Owner, and refusals."""

import pytest
from django.urls import reverse

from crm_tracker.models import (
    TAXONOMY_FIELDS,
    Case,
    CaseHistory,
    CaseType,
    Disposition,
    Step,
    SubCategory,
    TaxonomyCombination,
    TaxonomyNotAllowed,
)
from crm_tracker.services import case_intake, case_outreach, case_vet
from posc import clock
from tests.crm_tracker.helpers import NOW, intake_kwargs, intake_taxonomy

pytestmark = pytest.mark.django_db

# Seed 003, word for word: (Sub-Category, Disposition) -> (Status, Owner CRM Escalations).
# Case Record Type Medicaid, Category MCO Plan Shopping, Child Disposition NA throughout.
SEED_MATRIX = {
    ("NA", "Plan Selected in Error"): ("Escalated", "MHBE CRM Escalations"),
    ("Angela Melody", "Question Answered"): ("Closed", "MHBE CRM Escalations"),
    ("Angela Melody", "MCO Updated"): ("Closed", "MHBE CRM Escalations"),
    ("Unable to Plan Shop", "Plan Selection Corrected"): ("Closed", "MHBE CRM Unassigned"),
    ("Unable to Plan Shop", "Outreach Required"): ("Closed", "MHBE CRM Unassigned"),
    ("Unable to Plan Shop", "Outreach 1st Attempt"): ("Escalated", "MHBE CRM Unassigned"),
    ("Unable to Plan Shop", "Outreach Max Attempts"): ("Closed", "MHBE CRM Unassigned"),
}


def _seed_key(case_or_row) -> tuple[str, str]:
    return (case_or_row.sub_category.name, case_or_row.disposition.name)


def test_the_fixture_holds_exactly_the_seed_matrix(taxonomy):
    rows = TaxonomyCombination.objects.select_related(*TAXONOMY_FIELDS, "status", "owner_queue")
    found = {}
    for row in rows:
        assert (row.record_type.name, row.category.name, row.child_disposition.name) == (
            "Medicaid", "MCO Plan Shopping", "NA")
        found[_seed_key(row)] = (row.status.name, row.owner_queue.name)
    assert found == SEED_MATRIX


def test_every_combination_walked_sets_its_status_and_owner(csr, qc, supervisor):
    """Reach each of the seed's combinations through the services; check Status and Owner."""
    reached = {}

    def seen(case: Case) -> Case:
        case.refresh_from_db()
        reached[_seed_key(case)] = (case.status.name, str(case.owner))
        assert case.status.is_closed == (case.status.name == "Closed")
        assert (case.closed_at is not None) == case.status.is_closed
        return case

    seen(case_intake(**intake_kwargs(actor=csr, case_type=CaseType.MCT_SPAN)))
    for disposition in ("Question Answered", "MCO Updated"):
        seen(case_intake(**intake_kwargs(
            actor=csr, case_type=CaseType.ANGELA_MELODY,
            taxonomy=intake_taxonomy(CaseType.ANGELA_MELODY, disposition))))
    seen(case_vet(now=NOW, case=case_intake(**intake_kwargs(actor=csr)), true_case=True,
                  reason="ok", actor=qc))
    false = seen(case_vet(now=NOW, case=case_intake(**intake_kwargs(actor=csr)), true_case=False,
                          reason="auto-assigned", actor=qc))
    first = seen(case_outreach(now=NOW, case=false, documentation="Called, voicemail.",
                               actor=supervisor))
    seen(case_outreach(now=NOW, case=first, documentation="Called again, no answer.",
                       actor=supervisor))
    assert reached == SEED_MATRIX


def _other_subcategory(name: str) -> SubCategory:
    return SubCategory.objects.get(name=name)


def test_service_refuses_a_combination_outside_the_matrix(csr):
    taxonomy = intake_taxonomy(CaseType.MCT_SPAN) | {"sub_category": _other_subcategory(
        "Angela Melody")}  # Angela Melody + Plan Selected in Error is not in the matrix
    with pytest.raises(TaxonomyNotAllowed) as refused:
        case_intake(**intake_kwargs(actor=csr, taxonomy=taxonomy))
    assert refused.value.code == "TAXONOMY"
    # The code does not say which level broke the matrix; the message names it.
    assert "Disposition “Plan Selected in Error” is not allowed" in refused.value.message
    assert not Case.objects.exists() and not CaseHistory.objects.exists()


def test_service_refuses_a_matrix_combination_of_another_step(csr):
    """QC's "True" combination is in the matrix, but a CSR cannot set it at intake."""
    row = TaxonomyCombination.objects.get(step=Step.QC_TRUE)
    taxonomy = {f: getattr(row, f) for f in TAXONOMY_FIELDS}
    with pytest.raises(TaxonomyNotAllowed) as refused:
        case_intake(**intake_kwargs(actor=csr, taxonomy=taxonomy))
    assert refused.value.code == "TAXONOMY_STEP"
    assert not Case.objects.exists()


@pytest.mark.parametrize("case_type,disposition", [
    (CaseType.MCT_SPAN, "MCO Updated"),  # the Angela Melody combination on an MCT Span case
    (CaseType.ANGELA_MELODY, "Plan Selected in Error"),  # "all manual reasons except AM"
])
def test_service_refuses_the_other_case_types_combination(csr, case_type, disposition):
    with pytest.raises(TaxonomyNotAllowed) as refused:
        case_intake(**intake_kwargs(actor=csr, case_type=case_type,
                                    taxonomy=intake_taxonomy(case_type, disposition)))
    assert refused.value.code == "TAXONOMY_CASE_TYPE"


def test_form_refuses_a_combination_outside_the_matrix(csr, client_for):
    client = client_for(csr)
    taxonomy = intake_taxonomy(CaseType.MCT_SPAN)
    post = {"participant_names": "FORMTEST, LEE", "masshealth_id": "900000000777",
            "ssn": "900-77-7777", "requested_plan": "130000001A",
            "current_mco_auto_assigned": "no", "consumer_issues_resolved": "no",
            "supervisor_requested": "no"}
    post |= {f: taxonomy[f].pk for f in TAXONOMY_FIELDS}
    post["disposition"] = Disposition.objects.get(name="Outreach 1st Attempt").pk
    response = client.post(reverse("crm_tracker:case_intake", args=["mct-span"]), post)
    assert response.status_code == 200
    # A Supervisor's value is not even offered to the CSR (issue 13, point 10).
    assert ("Choose one of the Disposition values offered for MCT Span cases: the one sent is "
            "not a CSR&#x27;s to set.") in response.content.decode()
    assert not Case.objects.exists()


def test_admin_refuses_a_combination_outside_the_matrix(new_case, ops, client_for):
    case = new_case()
    url = reverse("admin:crm_tracker_case_change", args=[case.pk])
    client = client_for(ops)
    form = client.get(url).context["adminform"].form
    post = {name: form[name].value() for name in form.fields}
    post = {k: ("" if v is None else v) for k, v in post.items()}
    post |= {"sub_category": SubCategory.objects.get(name="Unable to Plan Shop").pk,
             "change_reason": "Relabel test", "history-TOTAL_FORMS": "0",
             "history-INITIAL_FORMS": "0"}
    post = {k: v for k, v in post.items() if v is not False}
    response = client.post(url, post)
    assert response.status_code == 200
    assert "is not allowed with Sub-Category" in response.content.decode()
    case.refresh_from_db()
    assert case.sub_category.name == "NA"
    assert not case.history.filter(field="sub_category").exclude(old_value="").exists()
    # A matrix combination of the case's own step is accepted, and status/owner follow it
    # (another step's combination is that step's to set: test_admin_corrections.py).
    case = new_case(CaseType.ANGELA_MELODY)
    url = reverse("admin:crm_tracker_case_change", args=[case.pk])
    form = client.get(url).context["adminform"].form
    post = {name: form[name].value() for name in form.fields}
    post = {k: ("" if v is None else v) for k, v in post.items()}
    post |= {"disposition": Disposition.objects.get(name="Question Answered").pk,
             "change_reason": "Relabel test", "history-TOTAL_FORMS": "0",
             "history-INITIAL_FORMS": "0"}
    post = {k: v for k, v in post.items() if v is not False}
    response = client.post(url, post)
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert (case.disposition.name, case.status.name, case.owner_queue.name) == (
        "Question Answered", "Closed", "MHBE CRM Escalations")
    rows = {r.field: r for r in case.history.filter(reason="Relabel test")}
    assert rows["disposition"].old_value == "MCO Updated"
    assert rows["disposition"].changed_by == ops
    assert rows["disposition"].changed_at <= clock.now()
