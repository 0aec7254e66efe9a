"""Property: no input to the MCO Manual Tracker is a server error; a refusal writes nothing;
an accepted form writes its case or its step (seed 003, crm_tracker/forms.py, spreadsheets.py).
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from crm_tracker.models import (
    TAXONOMY_FIELDS,
    Case,
    CaseHistory,
    CaseType,
    ForCauseReason,
    ProviderTermination,
)
from crm_tracker.services import case_vet
from crm_tracker.spreadsheets import MONITOR_HEADERS
from crm_tracker.views import CASE_TYPE_SLUGS
from posc import clock
from tests.crm_tracker.fixtures import (  # noqa: F401  (the tracker's role fixtures)
    csr,
    monitor,
    new_case,
    qc,
    supervisor,
    taxonomy,
    true_case,
)
from tests.crm_tracker.helpers import NOW, intake_taxonomy
from tests.property.helpers import (
    assert_not_server_error,
    changed_tables,
    example_savepoint,
    logged_in,
    post_checked,
    table_snapshot,
)
from tests.property.strategies import any_text, edge_dates, form_value, us_date_text

pytestmark = pytest.mark.django_db


def _usually(valid: list[str]) -> st.SearchStrategy:
    """Return one of *valid* three times in four, else a hostile value."""
    return st.sampled_from([True, True, True, False]).flatmap(
        lambda ok: st.sampled_from(valid) if ok else form_value(valid=valid))


def _post_and_check(client, url: str, post: dict, *, written_table: str):
    """Post (see post_checked); a form not shown again redirects and writes *written_table*."""
    response, changed = post_checked(client, url, post)
    if response.status_code != 200:
        assert response.status_code == 302
        if changed:
            assert written_table in changed
    return response, changed


@pytest.mark.parametrize("slug", sorted(CASE_TYPE_SLUGS))
@given(data=st.data())
def test_tracker_intake_form(csr, client, slug, data):
    """Intake of each case type: one case with the typed values, or the form again."""
    case_type = CASE_TYPE_SLUGS[slug]
    taxonomy = intake_taxonomy(case_type)
    valid = {
        "participant_names": ["DOE-EXAMPLE, SAM"], "masshealth_id": ["900000000555"],
        "ssn": ["900-55-1234", "900551234"], "requested_plan": ["130000002A", ""],
        "current_mco_auto_assigned": ["no", "yes"], "consumer_issues_resolved": ["no", "yes"],
        "supervisor_requested": ["yes", "no"],
        "current_mco_start": ["01/01/2026", "11/01/2026"],
        "for_cause_reason": list(ForCauseReason.values),
        "provider_termination": [str(p) for p in ProviderTermination.objects.values_list(
            "pk", flat=True)],
        "requested_provider_name": ["Example Family Doctors"],
        **{f: [str(taxonomy[f].pk)] for f in TAXONOMY_FIELDS},
    }
    post = {name: values[0] for name, values in valid.items() if values}
    if case_type == CaseType.ANGELA_MELODY:
        post["requested_plan"] = ""
    # A case is written only when every field is right: break none (half the time) or two.
    broken = data.draw(st.sets(st.sampled_from(sorted(valid)), max_size=3), "broken") if (
        data.draw(st.booleans(), "break?")) else set()
    for name in broken:
        if data.draw(st.booleans(), f"drop {name}?"):
            post.pop(name, None)
        else:
            post[name] = data.draw(st.one_of(
                form_value(valid=valid[name]), us_date_text(), any_text()), name)
    for name in ("participant_names", "requested_provider_name"):
        if data.draw(st.integers(0, 3), f"hostile {name}?") == 0:
            # Hostile names that are still names: * ^ : ~ and non-ASCII around letters.
            post[name] = "A" + data.draw(any_text(max_size=30), f"hostile {name}").replace(
                "\x00", "")
    logged_in(client, csr)
    with example_savepoint():
        response, changed = _post_and_check(
            client, reverse("crm_tracker:case_intake", args=[slug]), post,
            written_table=Case._meta.db_table)
        if changed:
            case = Case.objects.get()
            assert case.case_type == case_type
            assert case.participant_names == post["participant_names"].strip()[:200]
            assert case.history.count() >= 1


@pytest.fixture
def qc_case(new_case, supervisor):
    """Return a case waiting for QC vetting (the CSR has a Supervisor for a false one)."""
    return new_case()


@given(result=_usually(["true", "false"]), reason=st.one_of(st.just("Checked MMIS."), any_text()))
def test_tracker_vet_form(qc_case, qc, client, result, reason):
    """QC vetting: the case moves on with the reason in its history, or nothing is written."""
    logged_in(client, qc)
    with example_savepoint():
        _post_and_check(client, reverse("crm_tracker:case_vet", args=[qc_case.number]),
                        {"result": result, "reason": reason},
                        written_table=CaseHistory._meta.db_table)


@given(result=_usually(["processed", "not_processed"]),
       processed_on=st.one_of(us_date_text(), st.just(
           clock.today().strftime("%m/%d/%Y"))),
       reason=st.one_of(st.just(""), st.just("Not in MMIS."), any_text()))
def test_tracker_mmis_result_form(true_case, monitor, client, result, processed_on, reason):
    """State Monitor's MMIS record: the result is stored, or nothing is written."""
    logged_in(client, monitor)
    with example_savepoint():
        _post_and_check(client, reverse("crm_tracker:case_mmis", args=[true_case.number]),
                        {"result": result, "processed_on": processed_on, "reason": reason},
                        written_table=CaseHistory._meta.db_table)


@pytest.fixture
def outreach_case(new_case, qc, supervisor):
    """Return a case vetted false: waiting for the CSR's Supervisor's outreach."""
    return case_vet(now=NOW, case=new_case(), true_case=False, reason="Not a tracker case.",
                    actor=qc)


@given(attempt=_usually(["1", "2"]), documentation=st.one_of(st.just("Called twice."),
                                                             any_text()),
       outcome=_usually(["NO_ANSWER", "REACHED"]), contact=_usually(["617-555-0100"]))
def test_tracker_outreach_form(outreach_case, supervisor, client, attempt, documentation,
                               outcome, contact):
    """Supervisor outreach: the attempt is recorded, or nothing is written."""
    logged_in(client, supervisor)
    with example_savepoint():
        _post_and_check(client, reverse("crm_tracker:case_outreach",
                                        args=[outreach_case.number]),
                        {"attempt": attempt, "documentation": documentation,
                         "outcome": outcome, "contact": contact},
                        written_table=CaseHistory._meta.db_table)


@given(query=st.dictionaries(st.sampled_from(["case_type", "date_from", "date_to", "csr"]),
                             st.one_of(us_date_text(), any_text(max_size=20)), max_size=4),
       fmt=st.sampled_from(["", "xlsx", "csv"]))
def test_tracker_qc_report_filter_form(qc_case, qc, client, query, fmt):
    """QC report filters (and its exports): any query string is a page, never a 500."""
    logged_in(client, qc)
    url = (reverse("crm_tracker:qc_report_export", args=[fmt]) if fmt
           else reverse("crm_tracker:qc_report"))
    with example_savepoint():
        before = table_snapshot()
        response = client.get(url, query)
        assert_not_server_error(response)
        assert response.status_code in (200, 403)
        assert changed_tables(before, table_snapshot()) == []


def _cell() -> st.SearchStrategy:
    return st.one_of(any_text(max_size=20).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t)),
                     st.integers(-10**12, 10**12), st.floats(allow_nan=False,
                                                             allow_infinity=False),
                     edge_dates(), st.sampled_from(["=1+1", "'=1+1", None, True, "Processed",
                                                    "Not Processed", "processed"]))


@st.composite
def monitor_sheets(draw, case_number: int) -> bytes:
    """Return an updated State Monitor sheet: the exported headings and hostile rows."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    book = Workbook()
    sheet = book.active
    headers = list(MONITOR_HEADERS)
    if draw(st.integers(0, 9)) == 0:
        headers[draw(st.integers(0, len(headers) - 1))] = draw(_cell())
    sheet.append(headers)
    for _ in range(draw(st.integers(0, 3))):
        row = [""] * len(MONITOR_HEADERS)
        row[0] = draw(st.one_of(st.just(f"{case_number:08d}"), st.just(case_number), _cell()))
        row[-3] = draw(st.one_of(st.sampled_from(["Processed", "Not Processed", ""]), _cell()))
        row[-2] = draw(st.one_of(st.just(clock.today().strftime("%m/%d/%Y")),
                                 st.just(""), _cell()))
        row[-1] = draw(st.one_of(st.just(""), st.just("Not found in MMIS."), _cell()))
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@given(data=st.data())
def test_tracker_monitor_sheet_import(true_case, monitor, client, data):
    """The State Monitor's sheet: all rows recorded, or none with every problem named."""
    content = data.draw(monitor_sheets(true_case.case_number), "sheet")
    logged_in(client, monitor)
    upload = SimpleUploadedFile("sheet.xlsx", content)
    with example_savepoint():
        response, changed = _post_and_check(
            client, reverse("crm_tracker:monitor_import"), {"sheet": upload},
            written_table=CaseHistory._meta.db_table)
        if changed:
            true_case.refresh_from_db()
            assert true_case.mmis_result
