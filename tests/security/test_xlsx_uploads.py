"""Hostile .xlsx uploads: zip bombs, endless rows, malformed XML, XXE (issue 15, 2, 3, 11).

Both uploads (the recoupment lines sheet and the State Monitor's sheet) open files through
posc/xlsx.py. The bombs are real: small on disk, huge unpacked, written here with zipfile
from a generator. Each is uploaded through the real view in a child process
(tests/security/upload_child.py), whose peak memory must stay under PEAK_BOUND over its
baseline while the answer is a clear refusal.
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from crm_tracker.spreadsheets import MONITOR_HEADERS
from recoupments.models import Recoupment
from recoupments.xlsx import HEADERS
from tests.crm_tracker.fixtures import monitor, taxonomy  # noqa: F401  (fixtures)
from tests.recoupments.fixtures import hospital, recoupment_data  # noqa: F401  (fixtures)
from tests.security.helpers import database_url

ROOT = Path(__file__).resolve().parents[2]
PEAK_BOUND_KB = 100 * 1024  # 100 MB over the worker's baseline
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
TYPES = "[Content_Types].xml"
STRINGS_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

# The two uploads: (URL name, file field, user, other POST fields, header row).
UPLOADS = {
    "recoupment lines": ("recoupments:submit", "lines_file", "hospital", {"upload": "1"},
                         list(HEADERS)),
    "monitor sheet": ("crm_tracker:monitor_import", "sheet", "monitor", {}, MONITOR_HEADERS),
}


def _workbook(headers: list[str]) -> bytes:
    book = Workbook()
    book.active.append(headers)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header_row(headers: list[str]) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
                    for i, h in enumerate(headers))
    return f'<row r="1">{cells}</row>'


def _rebuild(headers: list[str], replaced: str, chunks: Iterable[bytes]) -> bytes:
    """Return the workbook with the member *replaced* written from *chunks* (streamed)."""
    out = io.BytesIO()
    with (zipfile.ZipFile(io.BytesIO(_workbook(headers))) as base,
          zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book):
        for info in base.infolist():
            if info.filename == TYPES and replaced == STRINGS:
                # openpyxl writes inline strings: declare the shared strings part.
                book.writestr(TYPES, base.read(TYPES).replace(b"</Types>", STRINGS_TYPE))
            elif info.filename != replaced:
                book.writestr(info.filename, base.read(info.filename))
        with book.open(replaced, "w", force_zip64=True) as member:
            for chunk in chunks:
                member.write(chunk)
    return out.getvalue()


def _sheet_xml(headers: list[str], rows: Iterable[str], head: str = "") -> Iterable[bytes]:
    yield (f'<?xml version="1.0" encoding="UTF-8"?>{head}<worksheet {MAIN}><sheetData>'
           f'{_header_row(headers)}').encode()
    batch: list[str] = []
    for row in rows:
        batch.append(row)
        if len(batch) == 100_000:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + "</sheetData></worksheet>").encode()


def strings_bomb(headers: list[str]) -> bytes:
    """A workbook whose shared strings unpack to 95 MB: five million two-letter strings."""
    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst {MAIN}>'.encode()
        block = b"<si><t>AB</t></si>" * 100_000
        for _ in range(50):
            yield block
        yield b"</sst>"
    return _rebuild(headers, STRINGS, chunks())


def blank_rows_bomb(headers: list[str], count: int = 3_000_000) -> bytes:
    """A sheet without <dimension> of *count* blank rows (54 MB) under the header row."""
    # Without r="…" each row is the one after the last: the same bytes, packed 1000:1.
    return _rebuild(headers, SHEET, _sheet_xml(headers, ('<row spans="1:3"/>'
                                                         for _ in range(count))))


def _upload_in_child(kind: str, content: bytes, tmp_path: Path) -> dict:
    url, field, username, data, _ = UPLOADS[kind]
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    child = subprocess.run(
        [sys.executable, "-m", "tests.security.upload_child", username, reverse(url), field,
         str(path), *(f"{k}={v}" for k, v in data.items())],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url()},
        capture_output=True, text=True, timeout=600)
    assert child.returncode == 0, child.stderr[-3000:]
    return json.loads(child.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", UPLOADS)
@pytest.mark.parametrize("bomb, refusal", [
    (strings_bomb, "The workbook unpacks to more than"),
    (blank_rows_bomb, "The workbook unpacks to more than"),
])
def test_a_bomb_is_refused_before_it_costs_memory(request, tmp_path, kind, bomb, refusal):
    request.getfixturevalue(UPLOADS[kind][2])  # the uploading user, committed
    content = bomb(UPLOADS[kind][4])
    assert len(content) < 2 * 1024 * 1024  # small on disk
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        assert sum(i.file_size for i in book.infolist()) > 40 * 1024 * 1024  # huge unpacked
    answer = _upload_in_child(kind, content, tmp_path)
    grown = answer["after"] - answer["before"]
    print(f"{kind} {bomb.__name__}: {len(content):,} bytes, peak +{grown:,} kB")
    assert answer["status"] == 200
    assert refusal in answer["page"]
    assert grown < PEAK_BOUND_KB
    assert not Recoupment.objects.exists()


def _post(client, kind: str, content: bytes):
    url, field, _, data, _ = UPLOADS[kind]
    return client.post(reverse(url), {**data, field: SimpleUploadedFile("hostile.xlsx", content)})


@pytest.fixture
def uploader(request, client_for):
    """Return a function giving the test client signed in as the user of an upload."""
    return lambda kind: client_for(request.getfixturevalue(UPLOADS[kind][2]))


def _sheet(headers: list[str], body: str = "", head: str = "", tail: str = "") -> bytes:
    return _rebuild(headers, SHEET, [(f'<?xml version="1.0" encoding="UTF-8"?>{head}'
                                      f'<worksheet {MAIN}>{tail}<sheetData>'
                                      f'{_header_row(headers)}{body}</sheetData></worksheet>'
                                      ).encode()])


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">'
                    for n in range(2, 10)).replace("&lol1;", "&lol;")
          + "]>")
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
ENTITIES = "The workbook declares XML entities (a DTD), which the portal does not accept."


@pytest.mark.django_db
@pytest.mark.parametrize("kind", UPLOADS)
@pytest.mark.parametrize("build, refusal", [
    (lambda h: _rebuild(h, SHEET, [b'<?xml version="1.0"?><worksheet><sheetData><row r="1">'
                                   b'<c r="A1"']), "The file is not an Excel workbook (.xlsx)."),
    (lambda h: _sheet(h, '<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>',
                      head=XXE), ENTITIES),
    (lambda h: _sheet(h, '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
                      head=LAUGHS), ENTITIES),
    (lambda h: _sheet(h, "".join(f'<row r="{n}"/>' for n in range(2, 10_002))),
     "The sheet has more than 10,000 rows (blank rows count)"),
    (lambda h: _sheet(h, '<row r="9"><c r="B9" t="inlineStr"><is><t>hidden</t></is></c></row>',
                      tail=f'<dimension ref="A1:{chr(64 + len(h))}3"/>'),
     "Cell B9 is outside the range the sheet declares (A1:"),
], ids=["malformed XML", "XXE", "entity expansion", "too many rows", "outside the range"])
def test_a_hostile_sheet_gets_a_clear_refusal(uploader, kind, build, refusal):
    response = _post(uploader(kind), kind, build(UPLOADS[kind][4]))
    assert response.status_code == 200
    assert refusal in response.content.decode()
    assert not Recoupment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", UPLOADS)
def test_a_file_over_the_upload_limit_is_refused(uploader, kind):
    # Incompressible bytes in a part: a large file, not a bomb.
    content = _rebuild(UPLOADS[kind][4], "xl/media/image1.bin",
                       [os.urandom(5 * 1024 * 1024 + 512 * 1024)])
    response = _post(uploader(kind), kind, content)
    assert "The file is larger than 5 MB." in response.content.decode()
