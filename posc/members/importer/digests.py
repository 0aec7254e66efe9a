"""The first pass of a re-import: which lines were checked and written already.

A daily feed repeats most of yesterday's lines. Each line the import wrote is remembered by
a digest (members.FeedLine). The first pass only digests every line and sends the digests
to PostgreSQL, which matches them with a join; the second pass checks, in full, only the
lines left: new or changed ones, and any record over several lines (a quoted line break). So
every line is checked: by its digest against a line checked before, or by the checks.

A digest is keyed by everything the checks depend on: their code (the sources below), the
header (column order), the plans they accept, and so the enumerations and lengths of the
model. ``today`` is not in it: a line valid on a day stays valid on every later day (the
only rule about today is a birth date in the future), and FeedLine.checked_on is compared.
"""

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from posc.members import models
from posc.members.importer import checks, reader

BATCH_ROWS = 5_000  # digests per COPY message
_SOURCES = tuple(Path(module.__file__) for module in (checks, reader, models))


class LineSet:
    """A set of line numbers as bits: 125 kB for a million lines, so memory stays flat."""

    def __init__(self) -> None:
        self._bits = bytearray()
        self.empty = True

    def add(self, line: int) -> None:
        index = line >> 3
        if index >= len(self._bits):
            self._bits.extend(bytes(index + 1 - len(self._bits) + (1 << 14)))
        self._bits[index] |= 1 << (line & 7)
        self.empty = False

    def __contains__(self, line: int) -> bool:
        index = line >> 3
        return index < len(self._bits) and bool(self._bits[index] >> (line & 7) & 1)


def salt(names: list[str], plan_programs: dict[str, str]) -> bytes:
    """Return the key of the digests: the check's code, the header and the plans."""
    key = hashlib.blake2b(digest_size=32)
    for source in _SOURCES:
        key.update(source.read_bytes())
    key.update(repr((names, sorted(plan_programs.items()))).encode())
    return key.digest()


def digester(key: bytes) -> Callable[[str], str]:
    """Return the digest of one physical line (its line end left out) as 32 hex digits.

    BLAKE2b keyed and cut to 16 bytes (a uuid in PostgreSQL): collisions cannot be made to
    order, so no crafted line can pass for one checked before.
    """
    base = hashlib.blake2b(digest_size=16, key=key)

    def digest(text: str) -> str:
        line = base.copy()
        line.update(text.rstrip("\r\n").encode("utf-8", "surrogateescape"))
        return line.hexdigest()
    return digest


def digest_rows(lines: Iterator[str], *, number: int, digest: Callable[[str], str],
                write: Callable[[str], object], to_check: LineSet,
                progress: Callable[[int], None] | None, progress_every: int) -> tuple[int, int]:
    """Write "digest<TAB>line" for every one-line row after the header (line *number*);
    add to *to_check* the rows over several lines. Return the rows and the rows digested.

    Blank lines and quoted records are found as check_rows finds them, so that both passes
    number the lines alike.
    """
    rows = digested = 0
    batch: list[str] = []
    next_progress = progress_every
    try:
        for text in lines:
            number += 1
            if '"' in text:
                line = number
                fields, taken = reader._split(text, lines, number)
                number += taken - 1
                if taken > 1:  # a record over several lines is checked every time
                    rows += 1
                    to_check.add(line)
                    continue
            if text.rstrip("\r\n"):
                rows += 1
                digested += 1
                batch.append(f"{digest(text)}\t{number}\n")
                if len(batch) >= BATCH_ROWS:
                    write("".join(batch))
                    batch.clear()
            else:
                continue  # a blank line
            if rows == next_progress and progress is not None:
                progress(rows)
                next_progress += progress_every
    except reader._Unreadable as error:  # the second pass names it
        to_check.add(error.line)
    write("".join(batch))
    return rows, digested
