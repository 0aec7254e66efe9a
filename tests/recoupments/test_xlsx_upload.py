"""Service lines uploaded as an .xlsx sheet: checked cell by cell, all lines or none."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from recoupments.models import Recoupment
from recoupments.xlsx import HEADERS, SheetRejected, read_lines
from tests.recoupments.helpers import form_post, only_recoupment

pytestmark = pytest.mark.django_db
SUBMIT = reverse("recoupments:submit")
TODAY = datetime.date(2026, 11, 23)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet(*rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "lines.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


GOOD = sheet((datetime.datetime(2025, 3, 4), "99213 Office visit", 145),
             ("03/18/2025", "99214 Office visit", "$1,210.50"),
             (None, None, None),
             (datetime.date(2025, 4, 2), "93000 Electrocardiogram", 62.25))


def test_a_good_sheet_gives_its_lines():
    lines = read_lines(BytesIO(GOOD), today=TODAY)
    assert [(x.date_of_service, x.service, x.amount) for x in lines] == [
        (datetime.date(2025, 3, 4), "99213 Office visit", Decimal("145.00")),
        (datetime.date(2025, 3, 18), "99214 Office visit", Decimal("1210.50")),
        (datetime.date(2025, 4, 2), "93000 Electrocardiogram", Decimal("62.25"))]


def test_every_bad_cell_is_named_by_row_and_column():
    content = sheet(("03/04/2025", "99213", 10),
                    ("2025-03-04", "=HYPERLINK(\"http://x\")", 0),
                    ("01/01/2099", "", "12.345"),
                    (None, "@SUM(A1)", -3))
    with pytest.raises(SheetRejected) as rejected:
        read_lines(BytesIO(content), today=TODAY)
    assert rejected.value.problems == [
        "Row 3, column B (Service Code or Name): formulas are not accepted; type the value.",
        "Row 3, column A (Date(s) of Service Recouped): enter a date as MM/DD/YYYY.",
        "Row 3, column C (Amount Recouped): the amount must be more than $0.00.",
        "Row 4, column A (Date(s) of Service Recouped): the date of service cannot be in "
        "the future.",
        "Row 4, column B (Service Code or Name): enter the service code or name.",
        "Row 4, column C (Amount Recouped): enter dollars and cents, e.g. 125.00.",
        "Row 5, column A (Date(s) of Service Recouped): enter the date of service.",
        "Row 5, column B (Service Code or Name): must not start with =, +, -, @ or a tab.",
        "Row 5, column C (Amount Recouped): the amount must be more than $0.00.",
    ]


def test_headers_are_required():
    with pytest.raises(SheetRejected) as rejected:
        read_lines(BytesIO(sheet(("03/04/2025", "x", 1), headers=("Date", "Code", "Amount"))),
                   today=TODAY)
    assert rejected.value.problems[0].startswith("Row 1 must hold the headers")


def test_values_outside_the_three_columns_are_refused():
    with pytest.raises(SheetRejected) as rejected:
        read_lines(BytesIO(sheet(("03/04/2025", "x", 1, "extra"))), today=TODAY)
    assert rejected.value.problems == [
        "Row 2, column D: only columns A to C are read; leave the others empty."]


@pytest.mark.parametrize("content, problem", [
    (b"not a workbook", "The file is not an Excel workbook (.xlsx)."),
    (sheet(), "The sheet has no service lines under the header row."),
])
def test_unreadable_or_empty_files_are_refused(content, problem):
    with pytest.raises(SheetRejected) as rejected:
        read_lines(BytesIO(content), today=TODAY)
    assert rejected.value.problems == [problem]


def _no_lines(data: dict) -> dict:
    for i in range(3):
        for name in ("date_of_service", "service", "amount"):
            data[f"lines-{i}-{name}"] = ""
    return data


def test_submit_with_a_sheet_uses_its_lines(hospital, client_for):
    data = _no_lines(form_post())
    data["lines_file"] = upload(GOOD)
    response = client_for(hospital).post(SUBMIT, data)
    assert response.status_code == 302
    assert only_recoupment().lines.count() == 3


def test_a_bad_sheet_saves_nothing_and_lists_its_problems(hospital, client_for):
    data = _no_lines(form_post())
    data["lines_file"] = upload(sheet(("03/04/2025", "99213", 10), ("03/05/2025", "", 10)))
    html = client_for(hospital).post(SUBMIT, data).content.decode()
    assert "Row 3, column B (Service Code or Name): enter the service code or name." in html
    assert 'id="id_lines_file-error"' in html
    assert not Recoupment.objects.exists()


def test_upload_lines_fills_the_rows_for_review(hospital, client_for):
    data = _no_lines(form_post())
    del data["submit"]
    data.update(upload="1", lines_file=upload(GOOD))
    html = client_for(hospital).post(SUBMIT, data).content.decode()
    assert "3 service line(s) read from the sheet" in html
    assert 'value="03/18/2025"' in html and 'value="1210.50"' in html
    assert not Recoupment.objects.exists()


def test_typed_lines_and_a_sheet_together_are_refused(hospital, client_for):
    data = form_post()
    data["lines_file"] = upload(GOOD)
    html = client_for(hospital).post(SUBMIT, data).content.decode()
    assert "Either type the service lines or upload a sheet, not both" in html
    assert not Recoupment.objects.exists()


def test_the_sheet_template_has_the_headers(hospital, client_for):
    response = client_for(hospital).get(reverse("recoupments:lines_template"))
    assert response["Content-Type"] == XLSX
    ws = load_workbook(BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == list(HEADERS)


@pytest.mark.parametrize("sheet_file", [None, "bad"])
def test_upload_refused_names_only_the_sheet(hospital, client_for, sheet_file):
    """Upload lines with no file or a bad one: the typed (empty) lines are not judged."""
    data = form_post(lines=(), upload="1")
    data.pop("submit")
    if sheet_file:
        data["lines_file"] = upload(sheet(("03/04/2025", "", 10)))
    html = client_for(hospital).post(SUBMIT, data).content.decode()
    assert ("Choose the .xlsx file to upload." in html) if sheet_file is None else (
        "Row 2, column B (Service Code or Name)" in html)
    assert "Service line 1:" not in html
    assert not Recoupment.objects.exists()
