"""Read the feed file: its header, then its rows, checked and written on for COPY."""

import csv
import datetime
import itertools
from collections.abc import Callable, Container, Iterator
from operator import itemgetter

from posc.members.importer.checks import (
    _I,
    COLUMNS,
    NAMES,
    Problem,
    convert_row,
    converters,
    fast_checker,
)

BATCH_ROWS = 2_000  # rows per COPY message


class _Unreadable(ValueError):
    """A record the csv module cannot parse (e.g. a quote never closed)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


_EOL = "\r\n"


class _Lines(list):
    """A list of CSV lines that csv.writer can write to."""

    write = list.append


def _quoted_record(first: str, lines: Iterator[str], number: int) -> tuple[list[str], int]:
    """Parse the record starting with line *first* (number *number*), which holds a quote.

    Return its fields and how many physical lines it took: a quoted field may span lines.
    """
    reader = csv.reader(itertools.chain((first,), lines), strict=True)
    try:
        return next(reader), reader.line_num
    except csv.Error as error:
        raise _Unreadable(number, str(error)) from None


def _split(text: str, lines: Iterator[str], number: int) -> tuple[list[str], int]:
    """Return the fields of the record starting at *text* and the lines it took."""
    if '"' in text:
        return _quoted_record(text, lines, number)
    text = text.rstrip("\r\n")
    return (text.split(",") if text else []), 1


def header_columns(header: list[str]) -> tuple[list[str], list[Problem]]:
    """Return the header's column names in order and its problems (all on line 1)."""
    names = [raw.strip().lower() for raw in header]
    problems = []
    for i, name in enumerate(names):
        if name not in _I:
            shown = name if name and name.isprintable() else f"column {i + 1}"
            problems.append((1, shown, "unknown column"))
        elif name in names[:i]:
            problems.append((1, name, "column repeated"))
    problems.extend((1, name, "required column missing")
                    for name, required, _ in COLUMNS if required and name not in names)
    return names, problems


def read_header(lines: Iterator[str], problems: list[Problem]) -> tuple[list[str] | None, int]:
    """Return the header's column names (None after a problem) and the lines read so far."""
    number = 0
    try:
        for text in lines:  # blank lines before the header are skipped
            number += 1
            header, taken = _split(text, lines, number)
            number += taken - 1
            if header:
                break
        else:
            problems.append((1, "header", "the file is empty"))
            return None, number
    except _Unreadable as error:
        problems.append((error.line, "header", f"cannot be read as CSV: {error}"))
        return None, number
    names, header_problems = header_columns(header)
    problems.extend(header_problems)
    return (None if header_problems else names), number


def check_rows(lines: Iterator[str], *, names: list[str], number: int,
               plan_programs: dict[str, str], today: datetime.date, problems: list[Problem],
               write: Callable[[str], object], progress: Callable[[int], None] | None,
               progress_every: int, digest: Callable[[str], str],
               wanted: Container[int] | None = None) -> int:
    """Check the rows after the header, writing as CSV those with a valid member ID (in
    header order, with their line number and, on the fast path, their line's *digest*);
    return the number of rows checked.

    *number* is the line of the header. Rows with problems are written too, so that
    repeats and conflicts are reported as well. With *wanted*, only the rows starting on
    those lines are checked: the others are one-line rows the first pass matched
    (importer.digests).
    """
    rows = 0
    width = len(names)
    today_iso = today.isoformat()
    valid_dates = {""}
    convs = converters(plan_programs=plan_programs, valid_dates=valid_dates)
    fast = fast_checker(names, plan_programs=plan_programs, today=today_iso,
                        valid_dates=valid_dates)
    # Row values in COLUMNS order ("" for an absent column), and back in header order.
    canonical = itemgetter(*(names.index(n) if n in names else width for n in NAMES))
    staged = itemgetter(*(_I[n] for n in names))
    batch = _Lines()
    slow = csv.writer(batch, lineterminator="\n")
    next_progress = progress_every
    try:
        for text in lines:
            number += 1
            if wanted is not None and number not in wanted:
                continue
            if fast(text):
                rows += 1
                batch.append(f"{text.rstrip(_EOL)},{number},{digest(text)}\n")
            else:
                line = number
                fields, taken = _split(text, lines, number)
                number += taken - 1
                if not fields:  # a blank line
                    continue
                rows += 1
                if len(fields) != width:
                    problems.append((line, "row", f"has {len(fields)} fields, the header {width}"))
                    continue
                fields.append("")
                out = convert_row(convs, canonical(fields), line=line, today=today_iso,
                                  problems=problems)
                if out[0] is None:
                    continue
                # A one-line row is digested as on the fast path (the first pass digests
                # exactly those); a record over several lines is checked every time.
                slow.writerow((*staged(out), line, "" if taken > 1 else digest(text)))
            if len(batch) >= BATCH_ROWS:
                write("".join(batch))
                batch.clear()
            if rows == next_progress and progress is not None:
                progress(rows)
                next_progress += progress_every
    except _Unreadable as error:
        problems.append((error.line, "row", f"cannot be read as CSV: {error}"))
    write("".join(batch))
    return rows
