"""Property: no input to the recoupment pages is a server error; a refusal writes nothing;
an accepted form stores what was typed (seed 004, recoupments/forms.py, xlsx.py, admin_forms.py).
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from recoupments.models import (
    FORM_FIELDS,
    ApprovalPath,
    ClaimUpdate,
    DeniedClaim,
    Recoupment,
    RecoupmentEvent,
)
from recoupments.moves import MOVE_PAGES
from recoupments.services import (
    recoupment_approve,
    recoupment_confirm_complete,
    recoupment_research_record,
    recoupment_submit,
)
from recoupments.xlsx import HEADERS, MAX_LINES
from tests.property.helpers import example_savepoint, logged_in, post_checked
from tests.property.strategies import (
    any_text,
    edge_dates,
    form_value,
    number_text,
    us_date_text,
)
from tests.recoupments.fixtures import hospital, ops, recoupment_data  # noqa: F401  (fixtures)
from tests.recoupments.helpers import CCA_SCO, LINES, NOW, TUFTS_TOGETHER, form_input, form_post

pytestmark = pytest.mark.django_db

SUBMIT = reverse("recoupments:submit")
MAIN_FIELDS = ("provider_name", "provider_npi", "provider_id", "member_first_name",
               "member_last_name", "member_ids")
VALID_CHOICES = {"provider_id": ["100000101A"], "provider_npi": ["1234567893", ""],
                 "member_ids": ["100000000001", "100000000001\n100000000091"],
                 "mces": [TUFTS_TOGETHER, CCA_SCO]}


@pytest.fixture
def provider_client(client_for, hospital):
    return client_for(hospital)


@given(data=st.data())
def test_recoupment_form(provider_client, data):
    """Submit Recoupment Form with hostile main fields and lines: stored as typed, or nothing."""
    post = form_post()
    for name in data.draw(st.sets(st.sampled_from(MAIN_FIELDS + ("mces",))), "broken fields"):
        post[name] = data.draw(form_value(valid=VALID_CHOICES.get(name, ())), name)
    for i in range(len(LINES)):
        for name, values in (("date_of_service", us_date_text()), ("service", any_text()),
                             ("amount", number_text())):
            if data.draw(st.integers(0, 9), f"line {i} {name}?") == 0:
                post[f"lines-{i}-{name}"] = data.draw(values, f"line {i} {name}")
    if data.draw(st.integers(0, 9), "management form?") == 0:
        post["lines-TOTAL_FORMS"] = data.draw(form_value(valid=["0", "1", "201", "-1"]))
    with example_savepoint():
        response, changed = post_checked(provider_client, SUBMIT, post)
        if response.status_code == 302:
            recoupment = Recoupment.objects.get()
            assert response["Location"] == reverse("recoupments:detail",
                                                   args=[recoupment.reference])
            assert recoupment.member_last_name == _last(post["member_last_name"]).strip()
            assert recoupment.provider_name == _last(post["provider_name"]).strip()
            assert "\x00" not in recoupment.member_first_name
            assert recoupment.lines.count() >= 1
        else:
            assert not changed


def _last(value):
    return value[-1] if isinstance(value, list) else value


# ---------------------------------------------------------------------------- the .xlsx upload

def _cell_values() -> st.SearchStrategy:
    """Return what a spreadsheet cell may hold: text, numbers, dates, formulas, booleans."""
    return st.one_of(
        any_text().map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t)),
        st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
        st.decimals(min_value=-10**9, max_value=10**9, places=3).map(Decimal),
        edge_dates(), edge_dates().map(lambda d: datetime.datetime(d.year, d.month, d.day, 13)),
        st.sampled_from(["=1+1", "=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "-2", True,
                         False, None, "", "$125.00", "03/04/2025", "1e400"]))


@st.composite
def workbooks(draw) -> bytes:
    """Return the bytes of an upload: a sheet of hostile cells, a huge one, or not an xlsx."""
    kind = draw(st.sampled_from(["sheet", "sheet", "sheet", "huge", "empty", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    book = Workbook()
    sheet = book.active
    if kind != "empty":
        header = list(HEADERS) if draw(st.integers(0, 4)) else draw(
            st.lists(_cell_values(), max_size=4))
        sheet.append(header)
    if kind == "sheet":
        good = ["03/04/2025", "99213 Office visit", "145.00"]
        for _ in range(draw(st.integers(0, 4))):
            row = [draw(_cell_values()) if draw(st.booleans()) else value for value in good]
            if draw(st.integers(0, 5)) == 0:
                row.append(draw(_cell_values()))
            sheet.append(row)
    elif kind == "huge":
        for _ in range(MAX_LINES + 1):
            sheet.append(["03/04/2025", "99213 Office visit", "145.00"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@given(content=workbooks())
def test_recoupment_lines_xlsx_upload(provider_client, content):
    """The lines sheet: every line stored, or the form again naming the problems; no 500."""
    post = form_post(lines=(), total=1)
    post["lines_file"] = SimpleUploadedFile(
        "lines.xlsx", content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    with example_savepoint():
        response, changed = post_checked(provider_client, SUBMIT, post)
        if response.status_code == 302:
            recoupment = Recoupment.objects.get()
            assert 1 <= recoupment.lines.count() <= MAX_LINES
            assert all(not line.service.startswith(("=", "+", "-", "@"))
                       for line in recoupment.lines.all())


# ---------------------------------------------------------------------------- later steps

@pytest.fixture
def by_status(hospital, ops):
    """Return a request of the hospital in each status a move page starts from."""
    def submitted():
        return recoupment_submit(actor=hospital, data=form_input(mce_provider_ids=(CCA_SCO,)),
                                 now=NOW)

    def approval():
        r = recoupment_confirm_complete(recoupment=submitted(), actor=ops, now=NOW)
        return recoupment_research_record(recoupment=r, actor=ops, now=NOW,
                                          enrollments_documented="Checked the spans.")

    research = recoupment_confirm_complete(recoupment=submitted(), actor=ops, now=NOW)
    return {
        "submitted": submitted(), "research": research, "approval": approval(),
        "mce": recoupment_approve(recoupment=approval(), actor=ops, path="A", now=NOW),
        "billing": recoupment_approve(recoupment=approval(), actor=ops, path="D", now=NOW),
    }


PAGE_STATUS = {"confirm_complete": "submitted", "return_incomplete": "submitted",
               "record_research": "research", "approve": "approval",
               "record_mce_update": "mce", "confirm_payment": "mce",
               "record_denied_claim": "billing", "send_claims_support": "billing",
               "reapprove_line": "mce", "close_line": "mce", "close_request": "mce",
               "correct_denied_claim": "billing"}
MOVE_FIELDS = {
    "note": [""], "internal_note": [""], "reason": ["Not covered on that date."],
    "missing_fields": [name for name, _ in FORM_FIELDS],
    "enrollments_documented": ["Checked."],
    "path": list(ApprovalPath.values), "paying_mce": ["", CCA_SCO, "130000002A"],
    "capitation_note": [""], "instructions": [""],
    "line_number": ["1", "2", "3"], "status": list(ClaimUpdate.ClaimStatus.values),
    "line": ["1", "2", "3"], "icn": ["2226327000101"], "edits": ["2017", "0850"],
}


def _usually_valid(valid: list[str]) -> st.SearchStrategy:
    """Return one of *valid* three times in four, else a hostile value."""
    return st.sampled_from([True, True, True, False]).flatmap(
        lambda ok: st.sampled_from(valid) if ok else form_value(valid=valid))


def test_every_move_page_is_covered():
    assert set(PAGE_STATUS) == set(MOVE_PAGES)


@given(data=st.data())
def test_recoupment_admin_move_forms(by_status, client, ops, data):
    """Every admin move form (recoupments/admin_forms.py): a move and its history row, or the
    form again with nothing written."""
    page = data.draw(st.sampled_from(sorted(MOVE_PAGES)), "page")
    recoupment = by_status[PAGE_STATUS[page]]
    post = {name: data.draw(_usually_valid(valid), name)
            for name, valid in MOVE_FIELDS.items() if data.draw(st.booleans(), f"{name}?")}
    url = reverse("admin:recoupments_recoupment_move", args=[recoupment.pk, page])
    logged_in(client, ops)
    with example_savepoint():
        events = RecoupmentEvent.objects.filter(recoupment=recoupment).count()
        response, changed = post_checked(client, url, post)
        if changed:
            assert response.status_code == 302
            # Every move writes its history row in the same transaction.
            assert RecoupmentEvent.objects.filter(recoupment=recoupment).count() > events or (
                page == "record_mce_update")


@given(data=st.data())
def test_recoupment_denied_claim_form(by_status, provider_client, data):
    """The provider's denied claim (path (d)): one DeniedClaim with the ICN, or nothing."""
    recoupment = by_status["billing"]
    post = {name: data.draw(_usually_valid(MOVE_FIELDS[name]), name)
            for name in ("line", "icn", "edits") if data.draw(st.integers(0, 5), name)}
    if data.draw(st.booleans(), "the MCE coverage edit?"):
        post["edits"] = ["2017"]
    url = reverse("recoupments:denied_claim", args=[recoupment.reference])
    with example_savepoint():
        response, changed = post_checked(provider_client, url, post)
        if changed:
            claim = DeniedClaim.objects.get(line__recoupment=recoupment)
            assert claim.icn == _last(post["icn"]).strip()
