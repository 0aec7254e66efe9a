"""Check 834 files: pyx12 4.0.0's 834 map, then the project's own conventions (docs/834.md).

Shared test helper: any test that writes an 834 validates it with ``assert_valid_834``;
``check_834`` adds the conventions ("strict" checks) and reports the way a command-line
checker would. The samples in docs/samples/ (good.834 clean, bad.834 broken on purpose)
show what each check catches.
"""

import calendar
import datetime
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyx12.errors
import pyx12.params
import pyx12.x12n_document

SAMPLES = Path(__file__).resolve().parents[1] / "docs" / "samples"


class _Collect(logging.Handler):
    """Keep the message of every ERROR record pyx12 logs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pyx12_errors(path_or_text: str | Path) -> list[str]:
    """Return pyx12's errors for an 834 file (a Path, or text starting with ISA); [] if valid.

    pyx12's x12n_document returns True only for a clean file; its messages come through
    its logger. (The ``x12valid`` script exits 1 for good and bad files alike.)
    """
    if isinstance(path_or_text, str) and path_or_text.lstrip("\ufeff").startswith("ISA"):
        source: str | io.StringIO = io.StringIO(path_or_text)
    else:
        source = str(path_or_text)
    collector = _Collect()
    logger = logging.getLogger("pyx12")
    old_level = logger.level
    logger.addHandler(collector)
    logger.setLevel(logging.ERROR)  # pyx12 is chatty at INFO and DEBUG
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(), src_file=source, fd_997=io.StringIO(),
            fd_html=None, fd_xmldoc=None)
    except (pyx12.errors.EngineError, pyx12.errors.X12Error) as exc:
        # e.g. EngineError "Map not found" for a wrong GS08
        ok = False
        collector.messages.append(f"stopped: {type(exc).__name__}: {exc}")
    finally:
        logger.removeHandler(collector)
        logger.setLevel(old_level)
    errors = list(collector.messages)
    if not ok and not errors:
        errors.append("pyx12 reported failure without a message")
    return errors


def assert_valid_834(path: str | Path) -> None:
    """Fail unless pyx12's 834 map finds no error in the file at *path*."""
    errors = pyx12_errors(Path(path))
    assert errors == [], f"{path}: pyx12 errors:\n" + "\n".join(errors)


# ------------------------------------------------------------------ the conventions

# The X12 basic character set (X12.6): what every receiver must accept.
BASIC = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !\"&'()*+,-./:;?=")
# ISA element separators sit at these fixed offsets of the 106-character ISA.
_ISA_SEPARATOR_AT = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)


@dataclass
class Segment:
    number: int  # counted from 1, the ISA being 1
    elements: list[str]  # elements[0] is the segment ID

    @property
    def tag(self) -> str:
        return self.elements[0]

    def get(self, position: int) -> str:
        """Return element *position* (1-based, as X12 numbers them), or "" when absent."""
        return self.elements[position] if position < len(self.elements) else ""


@dataclass
class Member:
    """One 2000 loop: its INS, its own segments before the name, and its 2300 loops."""
    ins: Segment
    level_2000: list[Segment] = field(default_factory=list)
    coverages: list[list[Segment]] = field(default_factory=list)


@dataclass
class Parsed:
    segments: list[Segment]
    component: str
    repetition: str


def parse(text: str) -> Parsed:
    """Split an interchange into segments with the delimiters its ISA declares."""
    text = text.lstrip("\ufeff")
    if not text.startswith("ISA") or len(text) < 106:
        raise ValueError("the file does not start with a 106-character ISA segment")
    separator = text[3]
    if any(text[i] != separator for i in _ISA_SEPARATOR_AT):
        raise ValueError("the ISA is not the fixed-width layout (a separator is out of place)")
    terminator, component, repetition = text[105], text[104], text[82]
    pieces = (piece.strip("\r\n") for piece in text.split(terminator))
    segments = [Segment(n, piece.split(separator))
                for n, piece in enumerate((p for p in pieces if p), start=1)]
    return Parsed(segments, component, repetition)


def transactions(segments: list[Segment]) -> Iterator[list[Segment]]:
    """Yield each transaction set: its ST and the segments up to (not with) its SE."""
    current: list[Segment] | None = None
    for seg in segments:
        if seg.tag == "ST":
            current = [seg]
        elif current is not None and seg.tag in ("SE", "GE", "IEA"):
            yield current
            current = None
        elif current is not None:
            current.append(seg)


# Segments that open a loop after the member's 2000 level: 2100 names, 2200 disability,
# 2310 providers, 2320 coordination of benefits, 2700 reporting categories.
_ENDS_2300 = ("LX", "COB", "LS", "LE")


def members(transaction: list[Segment]) -> list[Member]:
    """Return the 2000 loops of one transaction set with their 2000 and 2300 segments."""
    found: list[Member] = []
    where = ""
    for seg in transaction:
        if seg.tag == "INS":
            found.append(Member(seg))
            where = "2000"
        elif not found:
            continue
        elif seg.tag == "HD":
            found[-1].coverages.append([seg])
            where = "2300"
        elif where == "2000" and seg.tag in ("NM1", "DSB"):
            where = "2100"
        elif where == "2300" and seg.tag in _ENDS_2300:
            where = "later"
        elif where == "2000":
            found[-1].level_2000.append(seg)
        elif where == "2300":
            found[-1].coverages[-1].append(seg)
    return found


def _d8(value: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


def _dates(segments: list[Segment], qualifier: str) -> list[tuple[Segment, str]]:
    """Return the DTP segments of *qualifier* with a D8 date, and their dates."""
    return [(s, s.get(3)) for s in segments
            if s.tag == "DTP" and s.get(1) == qualifier and s.get(2) == "D8"]


Problem = tuple[Segment, str]


def basic_characters(parsed: Parsed) -> Iterator[Problem]:
    """Every value after the ISA uses the X12 basic character set only (no lower case)."""
    for seg in parsed.segments[1:]:
        for value in seg.elements[1:]:
            for part in value.replace(parsed.repetition, parsed.component).split(
                    parsed.component):
                outside = sorted(set(part) - BASIC)
                if outside:
                    yield seg, (f"{seg.tag} value {part!r} has characters outside the X12 "
                                f"basic set: {''.join(outside)!r}")
                    break


def control_numbers_unique(parsed: Parsed) -> Iterator[Problem]:
    """ST02 is never repeated inside one functional group (GS..GE)."""
    seen: set[str] = set()
    for seg in parsed.segments:
        if seg.tag == "GS":
            seen = set()
        elif seg.tag == "ST":
            if seg.get(2) in seen:
                yield seg, f"ST02 {seg.get(2)} repeats inside this GS group"
            seen.add(seg.get(2))


def counts_match(parsed: Parsed) -> Iterator[Problem]:
    """QTY*TO (all), QTY*ET (subscribers) and QTY*DT (dependents) count the INS loops."""
    for transaction in transactions(parsed.segments):
        loops = members(transaction)
        counted = {"TO": len(loops),
                   "ET": sum(1 for m in loops if m.ins.get(1) == "Y"),
                   "DT": sum(1 for m in loops if m.ins.get(1) == "N")}
        for seg in transaction:
            if seg.tag == "QTY" and seg.get(1) in counted:
                try:
                    same = float(seg.get(2)) == counted[seg.get(1)]
                except ValueError:
                    same = False
                if not same:
                    yield seg, (f"QTY*{seg.get(1)} says {seg.get(2)} but the transaction set "
                                f"(ST at seg {transaction[0].number}) has {counted[seg.get(1)]}")


def subscriber_is_self(member: Member) -> Iterator[Problem]:
    """A subscriber (INS01 Y) is related to themselves (INS02 18)."""
    if member.ins.get(1) == "Y" and member.ins.get(2) != "18":
        yield member.ins, f"INS01=Y (subscriber) but INS02={member.ins.get(2)!r}, expected 18"


def coverage_follows_member(member: Member) -> Iterator[Problem]:
    """An addition, termination or audit member carries the same code in every HD01."""
    code = member.ins.get(3)
    if code in ("021", "024", "030"):
        for coverage in member.coverages:
            if coverage[0].get(1) != code:
                yield coverage[0], f"HD01={coverage[0].get(1)} inside a member with INS03={code}"


def addition_starts_on_a_first(member: Member) -> Iterator[Problem]:
    """An addition (021) has a benefit begin date (2300 DTP*348) on the 1st of a month."""
    if member.ins.get(3) != "021":
        return
    begins = [d for coverage in member.coverages for d in _dates(coverage, "348")]
    if not begins:
        yield member.ins, "INS03=021 (addition) but no 2300 DTP*348 benefit begin date"
    for seg, value in begins:
        day = _d8(value)
        if day and day.day != 1:
            yield seg, f"addition DTP*348 {value} is not the 1st day of a month"


def termination_ends_on_a_month_end(member: Member) -> Iterator[Problem]:
    """A termination (024) has end dates (DTP*357 or 2300 DTP*349) on a month's last day."""
    if member.ins.get(3) != "024":
        return
    ends = [d for coverage in member.coverages for d in _dates(coverage, "349")]
    ends += [(s, s.get(3)) for s in member.level_2000 if s.tag == "DTP" and s.get(1) == "357"]
    if not ends:
        yield member.ins, ("INS03=024 (termination) but no DTP*357 (2000) or DTP*349 (2300) "
                           "end date")
    for seg, value in ends:
        day = _d8(value)
        if day and day.day != calendar.monthrange(day.year, day.month)[1]:
            yield seg, f"termination end date {value} is not the last day of a month"


def end_not_before_begin(member: Member) -> Iterator[Problem]:
    """Inside one 2300 loop, the benefit end (349) is not before the benefit begin (348)."""
    for coverage in member.coverages:
        begin, end = _dates(coverage, "348")[:1], _dates(coverage, "349")[:1]
        if begin and end:
            first, last = _d8(begin[0][1]), _d8(end[0][1])
            if first and last and last < first:
                yield end[0][0], f"DTP*349 {end[0][1]} is before DTP*348 {begin[0][1]}"


FILE_RULES: tuple[Callable[[Parsed], Iterator[Problem]], ...] = (
    basic_characters, control_numbers_unique, counts_match)
MEMBER_RULES: tuple[Callable[[Member], Iterator[Problem]], ...] = (
    subscriber_is_self, coverage_follows_member, addition_starts_on_a_first,
    termination_ends_on_a_month_end, end_not_before_begin)


def strict_errors(text: str) -> list[str]:
    """Return the convention errors of an 834's *text* as "STRICT seg N: …" lines."""
    try:
        parsed = parse(text)
    except ValueError as exc:
        return [f"STRICT {exc}"]
    problems = [p for rule in FILE_RULES for p in rule(parsed)]
    for transaction in transactions(parsed.segments):
        for member in members(transaction):
            problems += [p for rule in MEMBER_RULES for p in rule(member)]
    problems.sort(key=lambda p: p[0].number)
    return [f"STRICT seg {seg.number}: {message}" for seg, message in problems]


def check_834(paths: list[Path] | list[str]) -> tuple[int, str]:
    """Check *paths* with pyx12 and the conventions; return (0 or 1, the report).

    The report has "FILE: OK" or "FILE: FAIL (n errors)" per file, each error indented
    below it ("  pyx12 …" or "  STRICT seg N: …"), and "N files, M errors" last.
    """
    lines: list[str] = []
    total = 0
    for path in map(Path, paths):
        text = path.read_text(encoding="latin-1")
        errors = [f"pyx12 {e}" for e in pyx12_errors(path)] + strict_errors(text)
        total += len(errors)
        if errors:
            lines.append(f"{path}: FAIL ({len(errors)} error{'s' if len(errors) != 1 else ''})")
            lines += [f"  {e}" for e in errors]
        else:
            lines.append(f"{path}: OK")
    lines.append(f"{len(paths)} files, {total} errors")
    return (1 if total else 0), "\n".join(lines) + "\n"
