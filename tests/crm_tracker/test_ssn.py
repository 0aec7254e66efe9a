"""The full SSN appears only on the case page, to roles allowed to see it."""

import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from crm_tracker.models import Case, CaseHistory, CaseType
from crm_tracker.services import case_outreach, case_vet
from posc import clock
from tests.crm_tracker.helpers import intake_post

pytestmark = pytest.mark.django_db

FULL = ("900551234", "900-55-1234", "900 55 1234")


def _has_full_ssn(text: str) -> bool:
    return any(full in text for full in FULL)


def _xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)


@pytest.fixture
def walked(csr, qc, monitor, supervisor, client_for, caplog):
    """Walk cases through every step with the pages, capturing every log record."""
    caplog.set_level(logging.DEBUG)
    client = client_for(csr)
    for _ in range(3):
        response = client.post(reverse("crm_tracker:case_intake", args=["mct-span"]),
                               intake_post(CaseType.MCT_SPAN))
        assert response.status_code == 302
    # A refused intake echoes nothing of the SSN into the log either.
    client.post(reverse("crm_tracker:case_intake", args=["mct-span"]),
                intake_post(CaseType.MCT_SPAN, current_mco_auto_assigned="yes",
                      current_mco_start=clock.today().strftime("%m/%d/%Y")))
    true_case, false_case, kept = Case.objects.order_by("case_number")
    # The pages opened the cases by the clock: the steps follow on the same clock.
    case_vet(now=clock.now(), case=true_case, true_case=True, reason="ok", actor=qc)
    case_vet(now=clock.now(), case=false_case, true_case=False, reason="no", actor=qc)
    case_outreach(now=clock.now(), case=false_case, documentation="Called.", actor=supervisor)
    monitor_client = client_for(monitor)
    book = load_workbook(io.BytesIO(monitor_client.get(
        reverse("crm_tracker:monitor_export", args=["xlsx"])).content))
    book.active.cell(2, 10, "Processed")
    book.active.cell(2, 11, clock.today().strftime("%m/%d/%Y"))
    out = io.BytesIO()
    book.save(out)
    monitor_client.post(reverse("crm_tracker:monitor_import"),
                        {"sheet": SimpleUploadedFile("s.xlsx", out.getvalue())})
    return {"true": true_case, "false": false_case, "kept": kept}


def test_no_full_ssn_in_lists_reports_exports_history_or_logs(walked, csr, qc, monitor,
                                                               supervisor, ops, admin_user,
                                                               client_for, caplog):
    # (page, lists a case with SSN ending 1234 after the walk)
    pages = {
        csr: [("crm_tracker:case_list", True), ("crm_tracker:home", False)],
        qc: [("crm_tracker:case_list", True), ("crm_tracker:qc_queue", True),
             ("crm_tracker:qc_report", True), ("crm_tracker:reports", False)],
        monitor: [("crm_tracker:case_list", True), ("crm_tracker:monitor_queue", False)],
        supervisor: [("crm_tracker:case_list", True), ("crm_tracker:outreach_queue", True),
                     ("crm_tracker:team_cases", True), ("crm_tracker:reports", False)],
    }
    checked = 0
    for user, names in pages.items():
        client = client_for(user)
        for name, lists_cases in names:
            html = client.get(reverse(name)).content.decode()
            assert ("***-**-1234" in html) == lists_cases, (user, name)
            assert not _has_full_ssn(html), (user, name)
            checked += 1
    client = client_for(qc)
    for fmt in ("xlsx", "csv"):
        content = client.get(reverse("crm_tracker:qc_report_export", args=[fmt])).content
        text = _xlsx_text(content) if fmt == "xlsx" else content.decode("utf-8-sig")
        assert "***-**-1234" in text and not _has_full_ssn(text)
    client = client_for(monitor)
    walked_back = walked["true"]
    for fmt in ("xlsx", "csv"):
        content = client.get(reverse("crm_tracker:monitor_export", args=[fmt])).content
        text = _xlsx_text(content) if fmt == "xlsx" else content.decode("utf-8-sig")
        assert not _has_full_ssn(text)
    for admin_client in (client_for(ops), client_for(admin_user)):
        for url in (reverse("admin:crm_tracker_case_changelist"),
                    reverse("admin:crm_tracker_casehistory_changelist"),
                    reverse("admin:crm_tracker_case_change", args=[walked_back.pk])):
            html = admin_client.get(url).content.decode()
            assert "***-**-1234" in html and not _has_full_ssn(html), url
    assert not CaseHistory.objects.filter(new_value__contains="900551234").exists()
    assert not CaseHistory.objects.filter(old_value__contains="900551234").exists()
    assert not any(_has_full_ssn(str(c)) for c in Case.objects.all())
    assert caplog.records, "the walk logged nothing: the log check would prove nothing"
    assert not [r for r in caplog.records if _has_full_ssn(r.getMessage())]
    assert checked == 12


@pytest.mark.parametrize("role,full", [("csr", True), ("qc", True), ("monitor", True),
                                       ("supervisor", False)])
def test_case_page_shows_the_full_ssn_only_with_permission(walked, request, client_for, role,
                                                           full):
    user = request.getfixturevalue(role)
    case = walked["true"] if role == "monitor" else walked["false"]
    html = client_for(user).get(case.get_absolute_url()).content.decode()
    assert ("900-55-1234" in html) == full
    assert "***-**-1234" in html  # the CRM documentation always carries the masked one


def test_an_ssn_correction_in_the_admin_keeps_history_masked(new_case, ops, client_for, caplog):
    caplog.set_level(logging.DEBUG)
    case = new_case(ssn="900551234")
    client = client_for(ops)
    url = reverse("admin:crm_tracker_case_change", args=[case.pk])
    form = client.get(url).context["adminform"].form
    post = {n: ("" if form[n].value() is None else form[n].value()) for n in form.fields}
    post = {k: v for k, v in post.items() if v is not False}
    post |= {"corrected_ssn": "900-66-5678", "change_reason": "SSN typo",
             "history-TOTAL_FORMS": "0", "history-INITIAL_FORMS": "0"}
    assert client.post(url, post).status_code == 302
    case.refresh_from_db()
    assert case.ssn == "900665678"
    row = case.history.get(field="ssn", reason="SSN typo")
    assert (row.old_value, row.new_value) == ("***-**-1234", "***-**-5678")
    html = client.get(url).content.decode()
    assert "***-**-5678" in html and "900665678" not in html and "900-66-5678" not in html
    assert not [r for r in caplog.records if "900665678" in r.getMessage()
                or "900-66-5678" in r.getMessage()]
    post["corrected_ssn"] = "12345"
    assert "Enter the SSN as 9 digits" in client.post(url, post).content.decode()
