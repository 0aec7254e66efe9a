"""Small things a clerk meets (issue 13 point 15): SSNs, dates, words, report scope, exports."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm_tracker.models import Case, CaseType, SupervisorAssignment, TaxonomyNotAllowed
from crm_tracker.rules import IntakeRefused, ssn_refusal, with_article
from crm_tracker.services import case_intake, case_vet
from posc import clock
from tests.crm_tracker.helpers import TODAY, intake_kwargs, intake_post, intake_taxonomy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
INTAKE = reverse("crm_tracker:case_intake", args=["mct-span"])


# --- SSN ------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed,message", [
    ("000-00-0000", "000-00-0000 is not an SSN: area number 000 (the first three digits) is "
                    "never issued; group number 00 (the middle two digits) is never issued; "
                    "serial number 0000 (the last four digits) is never issued."),
    ("666-12-3456", "666-12-3456 is not an SSN: area number 666 (the first three digits) is "
                    "never issued."),
    ("900-00-3456", "group number 00 (the middle two digits) is never issued."),
    ("900-12-0000", "serial number 0000 (the last four digits) is never issued."),
    ("900-22-02", "Enter the SSN as 9 digits, e.g. 900-12-3456 (dashes or spaces between "
                  "groups)."),
])
def test_an_ssn_the_ssa_never_issues_is_refused_saying_why(csr, client_for, typed, message):
    response = client_for(csr).post(INTAKE, intake_post(CaseType.MCT_SPAN, ssn=typed))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["ssn"])
    assert not Case.objects.exists()


@pytest.mark.parametrize("typed", ["900 22 0203", "900-22-0203", "900220203", " 900 22 0203 ",
                                   "900\u00a022\u00a00203"])
def test_an_ssn_is_accepted_as_a_clerk_pastes_it(csr, client_for, typed):
    response = client_for(csr).post(INTAKE, intake_post(CaseType.MCT_SPAN, ssn=typed))
    assert response.status_code == 302
    assert Case.objects.get().ssn == "900220203"


def test_the_services_refuse_a_never_issued_ssn_too(csr):
    assert ssn_refusal("900220203") == ""  # 9xx stays accepted: the demo's invented SSNs
    with pytest.raises(Exception) as refused:
        case_intake(**intake_kwargs(actor=csr, ssn="000000000"))
    assert refused.value.code == "SSN_NEVER_ISSUED"


# --- Current MCO start date -----------------------------------------------------------------

def test_a_future_auto_assignment_date_gets_its_own_message(csr, client_for):
    with pytest.raises(IntakeRefused) as refused:
        case_intake(**intake_kwargs(actor=csr, current_mco_auto_assigned=True,
                                    current_mco_start=TODAY + datetime.timedelta(days=1)))
    assert refused.value.code == "START_DATE_FUTURE"
    assert "90" not in refused.value.message
    future = clock.today() + datetime.timedelta(days=3)
    response = client_for(csr).post(INTAKE, intake_post(
        CaseType.MCT_SPAN, current_mco_auto_assigned="yes",
        current_mco_start=future.strftime("%m/%d/%Y")))
    assert response.context["form"].errors["current_mco_start"] == [
        f"The Current MCO start date {future:%m/%d/%Y} is in the future: enter the date the "
        "auto-assigned MCO started (MM/DD/YYYY)."]
    assert not Case.objects.exists()


# --- a / an ---------------------------------------------------------------------------------

@pytest.mark.parametrize("label,said", [
    ("MCT Span", "an MCT Span"), ("Angela Melody", "an Angela Melody"),
    ("For Cause Reason", "a For Cause Reason"), ("Incorrect Selection", "an Incorrect Selection"),
])
def test_a_or_an_by_sound(label, said):
    assert with_article(label) == said


@pytest.mark.parametrize("case_type,disposition,message", [
    (CaseType.MCT_SPAN, "MCO Updated", "An MCT Span case uses Disposition Plan Selected in "
                                       "Error."),
    (CaseType.ANGELA_MELODY, "Plan Selected in Error", "An Angela Melody case uses "
                                                       "Sub-Category Angela Melody."),
])
def test_the_case_type_message_reads_right(csr, case_type, disposition, message):
    with pytest.raises(TaxonomyNotAllowed) as refused:
        case_intake(**intake_kwargs(actor=csr, case_type=case_type,
                                    taxonomy=intake_taxonomy(case_type, disposition)))
    assert refused.value.message == message


# --- MMIS Processing page -------------------------------------------------------------------

@pytest.fixture
def mmis_case(new_case, qc, supervisor):
    """A true case opened and vetted by the page's clock (its dates are checked against it)."""
    now = clock.now()
    case = new_case(now=now, today=clock.today())
    return case_vet(now=now, case=case, true_case=True, reason="ok", actor=qc)


@pytest.mark.parametrize("post,field,message", [
    ({"result": "processed", "reason": "Typed by mistake."}, "reason",
     "Leave the Reason not processed empty for a processed case, or choose Not Processed."),
    ({"result": "not_processed", "reason": "No span."}, "processed_on",
     "Leave the Date processed in MMIS empty for a case not processed, or choose Processed."),
])
def test_the_mmis_page_refuses_what_it_would_drop(mmis_case, monitor, client_for, post, field,
                                                   message):
    post = post | {"processed_on": clock.today().strftime("%m/%d/%Y")}
    response = client_for(monitor).post(
        reverse("crm_tracker:case_mmis", args=[mmis_case.number]), post)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    mmis_case.refresh_from_db()
    assert mmis_case.mmis_result == ""


def test_the_mmis_service_refuses_a_reason_with_processed(mmis_case, monitor):
    from crm_tracker.services import case_mmis_record

    with pytest.raises(Exception) as refused:
        case_mmis_record(case=mmis_case, processed=True, processed_on=clock.today(),
                         reason="dropped?", actor=monitor, today=clock.today(), now=clock.now())
    assert refused.value.code == "REASON_WITH_PROCESSED"


# --- Time in status -------------------------------------------------------------------------

def test_time_in_status_counts_only_the_supervisors_team(new_case, csr, qc, supervisor,
                                                          taxonomy, client_for):
    other_csr = UserFactory(username="csr.other")
    other_csr.groups.add(taxonomy["CSR"])
    other_supervisor = UserFactory(username="supervisor.other")
    other_supervisor.groups.add(taxonomy["Supervisor"])
    SupervisorAssignment.objects.create(csr=other_csr, supervisor=other_supervisor)
    new_case()
    for _ in range(2):
        case_intake(**intake_kwargs(actor=other_csr))
    html = client_for(supervisor).get(reverse("crm_tracker:reports")).content.decode()
    assert "<tr><td>Escalated</td><td>1</td>" in html  # the own team's one case, not three
    html = client_for(qc).get(reverse("crm_tracker:reports")).content.decode()
    assert "<tr><td>Escalated</td><td>3</td>" in html


# --- Exports --------------------------------------------------------------------------------

@pytest.mark.parametrize("name,csv_cell", [
    ("O'BRIEN, PAT", "O'BRIEN, PAT"), ("-SMITH, JO", "'-SMITH, JO"), ("=1+1", "'=1+1")])
def test_xlsx_text_cells_carry_no_apostrophe(new_case, qc, client_for, name, csv_cell):
    new_case(participant_names=name)
    client = client_for(qc)
    book = load_workbook(io.BytesIO(client.get(
        reverse("crm_tracker:qc_report_export", args=["xlsx"])).content))
    names = [row[3] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names == [name]
    text = client.get(reverse("crm_tracker:qc_report_export", args=["csv"])).content.decode(
        "utf-8-sig")
    assert [row[3] for row in list(csv.reader(io.StringIO(text)))[1:]] == [csv_cell]
