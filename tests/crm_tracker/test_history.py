"""History: a row for every field any service changes; the reports derived from it."""

import datetime

import pytest
from django.urls import reverse

from crm_tracker.models import Case, CaseHistory, CaseType
from crm_tracker.selectors import relabel_rates, time_in_status
from crm_tracker.services import (
    case_edit,
    case_intake,
    case_mmis_record,
    case_outreach,
    case_vet,
    display_value,
)
from tests.crm_tracker.helpers import NOW, TODAY, intake_kwargs

pytestmark = pytest.mark.django_db
UNTRACKED = {"updated_at"}


def _snapshot(case: Case) -> dict:
    case = Case.objects.get(pk=case.pk)
    return {f.name: getattr(case, f.name) for f in Case._meta.concrete_fields
            if f.name not in UNTRACKED}


def _assert_history_covers(case: Case, before: dict, since: int) -> None:
    after = _snapshot(case)
    changed = {name for name in after if after[name] != before[name]}
    rows = {r.field: r for r in CaseHistory.objects.filter(case=case, pk__gt=since)}
    assert changed, "the step changed nothing: the check would prove nothing"
    assert set(rows) == changed
    for name in changed:
        assert rows[name].old_value == display_value(name, before[name])[:255]
        assert rows[name].new_value == display_value(name, after[name])[:255]


def _mark(case: Case) -> int:
    return CaseHistory.objects.filter(case=case).order_by("-pk").values_list(
        "pk", flat=True).first()


def test_every_service_writes_a_row_per_changed_field(new_case, qc, monitor, supervisor, ops):
    case = new_case(CaseType.FOR_CAUSE)
    steps = [
        lambda c: case_vet(now=NOW, case=c, true_case=True, reason="true", actor=qc),
        lambda c: case_mmis_record(now=NOW, case=c, processed=False, processed_on=None,
                                   reason="not in MMIS", actor=monitor, today=TODAY),
        lambda c: case_vet(now=NOW, case=c, true_case=False, reason="relabel", actor=qc),
        lambda c: case_outreach(now=NOW, case=c, documentation="first", actor=supervisor),
        lambda c: case_edit(now=NOW, case=c, changes={"requested_provider_name": "Dr. Example",
                                                      "supervisor_requested": True},
                            actor=ops, reason="correction"),
        lambda c: case_outreach(now=NOW, case=c, documentation="second", actor=supervisor),
        # A corrected name recomposes the CRM line (issue 13 point 13): both rows written.
        lambda c: case_edit(now=NOW, case=c, changes={"participant_names": "CORRECTED, NAME"},
                            actor=ops, reason="typo"),
    ]
    for step in steps:
        before, since = _snapshot(case), _mark(case)
        step(case)
        _assert_history_covers(case, before, since)


def test_intake_history_holds_every_field_set(csr):
    case = case_intake(**intake_kwargs(actor=csr, case_type=CaseType.ANGELA_MELODY,
                                       requested_provider_name="Example Clinic"))
    rows = {r.field: r.new_value for r in case.history.all()}
    snapshot = _snapshot(case)
    for name, value in snapshot.items():
        shown = display_value(name, value)
        if name in ("id", "case_number", "created_by", "created_at", "csr_disposition"):
            continue
        if shown not in ("", "No", "0"):  # defaults are not "set" at intake
            assert rows.get(name) == shown[:255], name
    assert rows["created"] == case.number


def test_relabel_rates_by_case_type_and_csr(new_case, csr, qc, supervisor, taxonomy):
    from tests.factories import UserFactory

    other = UserFactory(username="csr.b")
    other.groups.add(taxonomy["CSR"])
    from crm_tracker.models import SupervisorAssignment

    SupervisorAssignment.objects.create(csr=other, supervisor=supervisor)
    mct = [new_case(CaseType.MCT_SPAN) for _ in range(3)]
    theirs = case_intake(**intake_kwargs(actor=other, case_type=CaseType.FOR_CAUSE))
    new_case(CaseType.INCORRECT_SELECTION)  # not vetted: not counted
    case_vet(now=NOW, case=mct[0], true_case=True, reason="t", actor=qc)
    case_vet(now=NOW, case=mct[1], true_case=False, reason="f", actor=qc)
    case_vet(now=NOW, case=mct[2], true_case=False, reason="f", actor=qc)
    case_vet(now=NOW, case=theirs, true_case=True, reason="t", actor=qc)
    by_type, by_csr = relabel_rates()
    table = {r.group: (r.vetted, r.relabelled, r.rate) for r in by_type}
    assert table["MCT Span"] == (3, 2, "67%")
    assert table["For Cause Reason"] == (1, 0, "0%")
    assert table["Incorrect Selection"] == (0, 0, "–")
    assert {r.group: (r.vetted, r.relabelled) for r in by_csr} == {"csr": (3, 2),
                                                                  "csr.b": (1, 0)}


def test_a_true_case_not_processed_and_relabelled_counts_as_relabelled(true_case, qc, monitor):
    case_mmis_record(now=NOW, case=true_case, processed=False, processed_on=None,
                     reason="no span", actor=monitor, today=TODAY)
    case_vet(now=NOW, case=true_case, true_case=False, reason="to outreach", actor=qc)
    by_type, _ = relabel_rates()
    assert {r.group: (r.vetted, r.relabelled) for r in by_type}["MCT Span"] == (1, 1)


def test_time_in_status_from_the_status_rows(new_case, qc, supervisor):
    case = new_case()
    start = NOW - datetime.timedelta(days=10)
    from django.db import connection

    # Back-date the rows in SQL: the model refuses updates, as it should.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE crm_tracker_casehistory SET changed_at = %s WHERE case_id = %s",
                       [start, case.pk])
    case_vet(now=NOW, case=case, true_case=False, reason="f", actor=qc)  # Escalated -> Closed now
    with connection.cursor() as cursor:
        cursor.execute("UPDATE crm_tracker_casehistory SET changed_at = %s WHERE case_id = %s "
                       "AND changed_at > %s", [start + datetime.timedelta(days=4), case.pk,
                                                start])
    now = start + datetime.timedelta(days=6)
    times = {t.status: t for t in time_in_status(now=now)}
    assert times["Escalated"].periods == 1 and times["Escalated"].total_days == "4.0"
    assert times["Closed"].periods == 1 and times["Closed"].average_days == "2.0"


def test_reports_page(new_case, qc, supervisor, client_for):
    case_vet(now=NOW, case=new_case(), true_case=False, reason="f", actor=qc)
    html = client_for(supervisor).get(reverse("crm_tracker:reports")).content.decode()
    assert "<h1>Tracker Reports</h1>" in html
    assert "<tr><td>MCT Span</td><td>1</td><td>1</td><td>100%</td></tr>" in html
    assert "<tr><td>csr</td><td>1</td><td>1</td><td>100%</td></tr>" in html
    assert "Escalated" in html and "Closed (closed)" in html
