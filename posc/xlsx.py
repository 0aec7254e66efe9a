"""What every spreadsheet the portal reads or writes guards against.

Uploads (the recoupment lines sheet, the State Monitor's sheet) are opened only through
``workbook_open`` and read only through ``sheet_rows``, so that both refuse the same files
the same way, before they cost the worker memory (issue 15: a 1.94 MB workbook whose shared
strings unpack to 1.9 GB took a worker to 3.9 GB; a sheet of 200 million blank rows to
14.9 GB). An .xlsx is a zip of XML parts: its directory states each part's unpacked size,
and ``zipfile`` never unpacks more than that (it stops there, and a CRC check fails), so
the directory is checked before openpyxl reads a byte. openpyxl parses the XML with
defusedxml (a runtime dependency): entity declarations (XXE, "billion laughs") are refused.
"""

import zipfile
from collections.abc import Iterator
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook import Workbook

# A cell starting with one of these is run as a formula by Excel and LibreOffice (CSV/formula
# injection, OWASP): exports neutralise them, imports refuse them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

MB = 1024 * 1024
# The limits of every upload. The largest sheet the portal exports (a State Monitor queue
# of MAX_ROWS cases) is about 1 MB packed and 6 MB unpacked.
MAX_UPLOAD_BYTES = 5 * MB  # the file as uploaded
MAX_PARTS = 200  # zip members (a workbook of a few sheets has about 10)
MAX_UNPACKED_BYTES = 25 * MB  # all members together, as the directory states them
MAX_RATIO = 100  # unpacked / packed, for members larger than RATIO_FLOOR
RATIO_FLOOR = 1 * MB
MAX_ROWS = 10_000  # rows read from a sheet, blank rows included

NOT_XLSX = "The file is not an Excel workbook (.xlsx)."
# The media type of a workbook, for downloads and for the upload field's accept list.
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookRefused(ValueError):
    """The upload is not a workbook the portal reads; ``message`` says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        size = file.seek(0, 2)
        file.seek(position)
    return size


def _check_directory(file: IO[bytes]) -> None:
    """Refuse a zip whose directory promises too many parts or too many unpacked bytes."""
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise WorkbookRefused(NOT_XLSX) from None
    if len(parts) > MAX_PARTS:
        raise WorkbookRefused(f"The workbook has more than {MAX_PARTS} parts; it is not a "
                              "spreadsheet the portal reads.")
    unpacked = 0
    for part in parts:
        unpacked += part.file_size
        if part.file_size > RATIO_FLOOR and part.file_size > MAX_RATIO * max(
                part.compress_size, 1):
            raise WorkbookRefused(f"The workbook unpacks to more than {MAX_RATIO} times its "
                                  "size; it is not a spreadsheet the portal reads.")
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookRefused(f"The workbook unpacks to more than {MAX_UNPACKED_BYTES // MB} MB;"
                              " split it into smaller sheets.")
    file.seek(0)


def workbook_open(file: IO[bytes]) -> Workbook:
    """Return the upload as a read-only workbook, or raise WorkbookRefused saying why."""
    if _size(file) > MAX_UPLOAD_BYTES:
        raise WorkbookRefused(f"The file is larger than {MAX_UPLOAD_BYTES // MB} MB.")
    file.seek(0)
    _check_directory(file)
    try:
        return load_workbook(file, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError,
            ParseError, EOFError) as error:
        # openpyxl re-raises a part's parse error as a ValueError "from" it.
        raise WorkbookRefused(_ENTITIES if _declares_entities(error) else NOT_XLSX) from None


def _declares_entities(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


_ENTITIES = ("The workbook declares XML entities (a DTD), which the portal does not accept. "
             "Save the sheet again from Excel.")


def _blank(value: Any) -> bool:
    return value is None or value == ""


def sheet_rows(sheet, *, values_only: bool = False,
               max_rows: int = MAX_ROWS) -> Iterator[tuple[Any, ...]]:
    """Yield every row of a read-only *sheet*, from row 1, blank rows included.

    Refuse (WorkbookRefused) a sheet past *max_rows* rows, whatever they hold, before
    reading further; malformed XML; and a filled cell outside the range the sheet declares
    (openpyxl would skip it without a word).
    """
    declared_rows, declared_columns = sheet.max_row, sheet.max_column
    declared = sheet.calculate_dimension() if declared_rows else ""
    sheet.reset_dimensions()  # read every cell, not only those of the declared range
    number = 0
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=values_only), start=1):
            if number > max_rows:
                raise WorkbookRefused(f"The sheet has more than {max_rows:,} rows (blank rows "
                                      "count); delete the empty rows under the data.")
            if declared_rows:
                values = row if values_only else tuple(c.value for c in row)
                for column, value in enumerate(values, start=1):
                    if not _blank(value) and (number > declared_rows
                                              or column > declared_columns):
                        raise WorkbookRefused(
                            f"Cell {get_column_letter(column)}{number} is outside the range "
                            f"the sheet declares ({declared}); save the sheet again from Excel.")
            yield row
    except WorkbookRefused:
        raise
    except DefusedXmlException:
        raise WorkbookRefused(_ENTITIES) from None
    except (ParseError, zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError,
            TypeError):
        # Malformed XML, a part cut short (CRC), a cell openpyxl cannot convert.
        raise WorkbookRefused(NOT_XLSX) from None
