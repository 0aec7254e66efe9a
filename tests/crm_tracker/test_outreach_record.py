"""Supervisor outreach as a Supervisor works it (issue 13 point 14).

Each attempt records its outcome and the contact used; the consumers who asked for a
Supervisor are listed; a step page whose step is done shows what was done, not a form;
a third attempt is refused in words.
"""

import pytest
from django.urls import reverse

from crm_tracker.models import Case, CaseHistory, CaseType, SupervisorAssignment
from crm_tracker.services import case_intake, case_mmis_record, case_outreach, case_vet
from posc import clock
from posc.exceptions import DomainError
from tests.crm_tracker.helpers import intake_kwargs
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def false_case(new_case, qc, supervisor):
    """A case vetted false, waiting for its Supervisor's outreach (on the pages' clock)."""
    now = clock.now()
    return case_vet(case=new_case(now=now, today=clock.today()), true_case=False,
                    reason="Not a tracker case.", actor=qc, now=now)


def _outreach(client, case, attempt: int, **fields):
    post = {"attempt": attempt, "outcome": "NO_ANSWER", "contact": "(617) 555-0142",
            "documentation": f"Attempt {attempt}: called."} | fields
    return client.post(reverse("crm_tracker:case_outreach", args=[case.number]), post)


def test_each_attempt_records_its_outcome_and_the_contact_used(false_case, supervisor,
                                                                client_for):
    client = client_for(supervisor)
    assert _outreach(client, false_case, 1).status_code == 302
    assert _outreach(client, false_case, 2, outcome="LEFT_MESSAGE",
                     contact="consumer's e-mail on file").status_code == 302
    false_case.refresh_from_db()
    assert (false_case.outreach_first_outcome, false_case.outreach_first_contact) == (
        "NO_ANSWER", "(617) 555-0142")
    assert (false_case.outreach_second_outcome, false_case.outreach_second_contact) == (
        "LEFT_MESSAGE", "consumer's e-mail on file")
    rows = {r.field: r.new_value for r in false_case.history.filter(changed_by=supervisor)}
    assert rows["outreach_first_outcome"] == "No answer"
    assert rows["outreach_second_outcome"] == "Left a message"
    assert rows["outreach_first_contact"] == "(617) 555-0142"
    html = client.get(false_case.get_absolute_url()).content.decode()
    assert ("<dt>Outreach 1st Attempt outcome</dt><dd>No answer, contact used: (617) 555-0142"
            "</dd>") in html


@pytest.mark.parametrize("fields,message", [
    ({"outcome": ""}, "Choose the Outcome of the call."),
    ({"outcome": "HUNG_UP"}, "Choose the Outcome of the call from the list."),
    ({"contact": ""}, "Enter the Contact used: the phone number called, or how the consumer "
                      "was contacted."),
])
def test_an_attempt_without_its_outcome_or_contact_is_refused(false_case, supervisor,
                                                              client_for, fields, message):
    response = _outreach(client_for(supervisor), false_case, 1, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    false_case.refresh_from_db()
    assert false_case.outreach_attempts == 0


def test_the_page_offers_the_outcomes_a_supervisor_expects(false_case, supervisor, client_for):
    form = client_for(supervisor).get(
        reverse("crm_tracker:case_outreach", args=[false_case.number])).context["form"]
    assert [label for _, label in form.fields["outcome"].choices] == [
        "Select", "Reached the consumer", "Left a message", "No answer", "Wrong number",
        "Number not in service", "Other (see the documentation)"]
    assert form.fields["contact"].label == "Contact used (phone number or other)"


def test_a_third_attempt_is_refused_in_words(false_case, supervisor, client_for):
    client = client_for(supervisor)
    assert _outreach(client, false_case, 1).status_code == 302
    html = _outreach(client, false_case, 3).content.decode()
    assert "A case gets two outreach attempts (seed 003): there is no third attempt to record." \
        in html
    assert "Ensure this value" not in html
    _outreach(client, false_case, 2)
    with pytest.raises(DomainError) as refused:
        case_outreach(case=false_case, documentation="Again", actor=supervisor, now=clock.now())
    assert refused.value.code == "MAX_ATTEMPTS"
    assert refused.value.message.startswith(
        f"Both outreach attempts are already recorded on case {false_case.number}")


def test_cases_whose_consumer_asked_for_a_supervisor_are_listed(new_case, csr, supervisor,
                                                                taxonomy, client_for):
    asked = new_case(supervisor_requested=True)
    new_case(supervisor_requested=False)
    other_csr = UserFactory(username="csr.other")
    other_csr.groups.add(taxonomy["CSR"])
    other_supervisor = UserFactory(username="supervisor.other")
    other_supervisor.groups.add(taxonomy["Supervisor"])
    SupervisorAssignment.objects.create(csr=other_csr, supervisor=other_supervisor)
    case_intake(**intake_kwargs(actor=other_csr, supervisor_requested=True))
    client = client_for(supervisor)
    home = client.get(reverse("crm_tracker:home")).content.decode()
    assert "Supervisor Requested" in home
    response = client.get(reverse("crm_tracker:supervisor_requested"))
    html = response.content.decode()
    assert "<h1>Supervisor Requested</h1>" in html
    # Not the team's case whose consumer said No, nor another team's.
    assert [c.pk for c in response.context["cases"]] == [asked.pk]


def _has_form(html: str) -> bool:
    return '<form method="post" class="panel"' in html


def test_a_done_step_page_says_what_was_done_and_offers_no_form(false_case, qc, supervisor,
                                                                  client_for):
    client = client_for(qc)
    html = client.get(reverse("crm_tracker:case_vet", args=[false_case.number])).content.decode()
    assert not _has_form(html)
    assert f"QC Vetting is done for case {false_case.number}" in html
    assert "QC vetting: False tracker case, recorded by qc on" in html
    assert "The case is now waiting in Supervisor Outreach." in html
    # A post to the done step changes nothing either.
    before = CaseHistory.objects.count()
    response = client.post(reverse("crm_tracker:case_vet", args=[false_case.number]),
                           {"result": "true", "reason": "again"})
    assert response.status_code == 200 and not _has_form(response.content.decode())
    assert CaseHistory.objects.count() == before

    client = client_for(supervisor)
    url = reverse("crm_tracker:case_outreach", args=[false_case.number])
    assert _has_form(client.get(url).content.decode())  # 1st attempt open
    _outreach(client, false_case, 1)
    assert _has_form(client.get(url).content.decode())  # 2nd attempt open
    _outreach(client, false_case, 2)
    html = client.get(url).content.decode()
    assert not _has_form(html)
    assert "Outreach attempts: 2, recorded by supervisor on" in html
    assert "The case is not waiting in any queue." in html


def test_the_mmis_page_after_the_result_shows_no_form(new_case, qc, monitor, supervisor,
                                                      client_for):
    now = clock.now()
    case = case_vet(case=new_case(CaseType.MCT_SPAN, now=now, today=clock.today()),
                    true_case=True, reason="ok", actor=qc, now=now)
    case_mmis_record(case=case, processed=True, processed_on=clock.today(), reason="",
                     actor=monitor, today=clock.today(), now=now)
    html = client_for(monitor).get(
        reverse("crm_tracker:case_mmis", args=[case.number])).content.decode()
    assert not _has_form(html)
    assert "MMIS result: Processed, recorded by monitor on" in html
    assert Case.objects.get(pk=case.pk).mmis_result == "PROCESSED"
