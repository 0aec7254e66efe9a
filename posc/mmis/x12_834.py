"""Write the 834 (ASC X12 005010X220A1) for one plan's batch, one segment at a time.

Pure: no Django, no database. The layout is fixed by mmis-rules.md "The 834"; the
conventions and a sample are in docs/834.md (one segment a line, "~\\n").
"""

import datetime
import re
import unicodedata
from collections.abc import Iterator

from posc.mmis.programs import PROGRAM_CODES
from posc.mmis.types import (
    Action,
    AdjustmentLoop834,
    AuditLoop834,
    Interchange834,
    MemberLoop834,
    RenderedLoop,
)

# Delimiters declared in the ISA (ISA position 4, ISA11, ISA16, ISA106). X12 has no
# escape character, so none of them may ever appear inside data (mmis-rules.md).
ELEMENT = "*"
REPETITION = "^"
COMPONENT = ":"
TERMINATOR = "~"
SEGMENT_END = f"{TERMINATOR}\n"  # one segment a line, as good.834

# The X12 basic character set (X12.6): upper-case letters, digits, space and these
# specials. Our delimiters are taken out; lower case and "_" are extended-set only.
_BASIC = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !\"&'()*+,-./:;?=")
ALLOWED = _BASIC - {ELEMENT, REPETITION, COMPONENT, TERMINATOR}

# Runs of allowed characters other than space: joining them with one space replaces
# every other character with a space, squeezes spaces and trims, in one pass.
_SAFE_RUN = re.compile(f"[{re.escape(''.join(sorted(ALLOWED - {' '})))}]+")

# Letters NFKD does not decompose, and typographic punctuation common in pasted names.
_LATIN_EXTRA = str.maketrans({
    "ß": "SS", "ẞ": "SS", "Æ": "AE", "æ": "AE", "Œ": "OE", "œ": "OE", "Ø": "O", "ø": "O",
    "Ł": "L", "ł": "L", "Đ": "D", "đ": "D", "Ð": "D", "ð": "D", "Þ": "TH", "þ": "TH",
    "ı": "I", "‘": "'", "’": "'", "‚": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-",
})

# Maximum lengths of the elements we fill (TR3 005010X220A1 / pyx12 dataele.xml).
MAX_LENGTH = {
    "ISA06": 15, "ISA08": 15, "GS02": 15, "GS03": 15,
    "BGN02": 50, "REF02": 50, "N102": 60, "N104": 80,
    "NM103": 60, "NM104": 35, "NM105": 25,
    "N301": 55, "N401": 30, "N402": 2, "N403": 15,
    "DMG03": 1, "INS04": 3, "INS06": 1, "HD04": 50,
}

# REF*38 / REF*1L program codes (posc/mmis/programs.py); the writer takes a program or its
# code.
_PROGRAM_CODES = {**PROGRAM_CODES, **{code: code for code in PROGRAM_CODES.values()}}
# HD04 plan coverage description per program code (mmis-rules.md).
PLAN_COVERAGE = {"SCO": "SCO PLAN", "OC": "ONE CARE PLAN"}
MEDICARE_STATUSES = frozenset("CABE")  # INS06: C A+B, A Part A, B Part B, E none
SEXES = frozenset("FMU")  # DMG03 code list
# INS04, the maintenance reason: the code list of TR3 005010X220A1 (pyx12's map holds the same,
# tests/mmis/test_x12_834.py compares them). Any other value makes pyx12 refuse the file.
MAINTENANCE_REASONS = frozenset((
    "01 02 03 04 05 06 07 08 09 10 11 14 15 16 17 18 20 21 22 25 26 27 28 29 31 32 33 37 38 "
    "39 40 41 43 59 AA AB AC AD AE AF AG AH AI AJ AL EC XN XT").split())
DEFAULT_STATE = "MA"  # mmis-rules.md: members live in Massachusetts

# INS03, member-level DTP, HD-level DTP per action (mmis-rules.md table).
_ACTION_CODES = {
    Action.ENROLL: ("021", "356", "348"),
    Action.DISENROLL: ("024", "357", "349"),
}


def clean(value: object, max_length: int | None = None) -> str:
    """Return *value* in the X12 basic character set, without delimiters, cut to *max_length*."""
    text = str(value)
    if not text.isascii():
        text = _to_ascii(text)
    text = " ".join(_SAFE_RUN.findall(text.upper()))
    if max_length is not None and len(text) > max_length:
        text = text[:max_length].rstrip()
    return text


def _to_ascii(text: str) -> str:
    """Return *text* transliterated to ASCII; what has no Latin letter becomes a space."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    letters = letters.translate(_LATIN_EXTRA)
    return "".join(ch if ch.isascii() else " " for ch in letters)


def segment(*elements: str) -> str:
    """Return one segment with its terminator; trailing empty elements are dropped."""
    items = list(elements)
    while items and items[-1] == "":
        items.pop()
    return f"{ELEMENT.join(items)}{SEGMENT_END}"


def _required(value: object, element: str) -> str:
    """Return clean(*value*) for a required *element*; refuse a value that cleans to nothing."""
    text = clean(value, MAX_LENGTH.get(element))
    if not text:
        # No value in the message: NM103/NM104 hold a member's name, and a failed batch task
        # logs its exception (issue 6, no PHI in logs).
        raise ValueError(f"{element} is required but its value has no X12 basic characters")
    return text


# The earliest year of a valid D8 date (pyx12 4.0.0 validation.is_valid_date).
D8_FIRST_YEAR = 1800


def _d8(day: datetime.date) -> str:
    """Return *day* as CCYYMMDD (without strftime, which is slow in a 100,000-loop file)."""
    if day.year < D8_FIRST_YEAR:
        raise ValueError(f"a date before {D8_FIRST_YEAR} is not a valid X12 D8 date")
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _control(number: int, digits: int, name: str) -> str:
    """Return a control number zero-padded to at least *digits*; refuse one that cannot fit."""
    if not 1 <= number <= 999_999_999:
        raise ValueError(f"{name} must be between 1 and 999999999, not {number}")
    return f"{number:0{digits}d}"


def program_code(program: str) -> str:
    """Return the 834 program code (SCO or OC) for *program*."""
    try:
        return _PROGRAM_CODES[program]
    except KeyError:
        raise ValueError(f"unknown program {program!r}: expected SCO or OC") from None


# ---------------------------------------------------------------------------- envelope

def isa(interchange: Interchange834) -> str:
    """Return the fixed-width ISA (106 characters before the line break)."""
    created = interchange.created_at
    sender = _required(interchange.sender_id, "ISA06")
    receiver = _required(interchange.receiver_id, "ISA08")
    return segment(
        "ISA", "00", " " * 10, "00", " " * 10,
        "ZZ", sender.ljust(15), "ZZ", receiver.ljust(15),
        f"{created:%y%m%d}", f"{created:%H%M}",
        REPETITION, "00501", _control(interchange.isa_control, 9, "ISA13"), "0", "T", COMPONENT,
    )


def gs(interchange: Interchange834) -> str:
    """Return the GS functional group header (GS01 BE, GS08 005010X220A1)."""
    created = interchange.created_at
    return segment(
        "GS", "BE", _required(interchange.sender_id, "GS02"),
        _required(interchange.receiver_id, "GS03"), _d8(created.date()), f"{created:%H%M}",
        _control(interchange.gs_control, 1, "GS06"), "X", "005010X220A1",
    )


def transaction_header(interchange: Interchange834) -> tuple[str, ...]:
    """Return ST through N1*IN: the segments before the first member loop."""
    if interchange.loop_count < 1:
        # TR3 005010X220A1: loop 2000 (INS) is mandatory, so an 834 holds at least one member.
        raise ValueError(f"loop_count must be at least 1 (an 834 needs at least one member "
                         f"loop), not {interchange.loop_count}")
    created = interchange.created_at
    date, time = _d8(created.date()), f"{created:%H%M}"
    return (
        segment("ST", "834", _control(interchange.st_control, 4, "ST02"), "005010X220A1"),
        # BGN08 2 = change (update) file, as good.834; 4 = verify, a full (audit) file.
        segment("BGN", "00", _required(interchange.reference, "BGN02"), date, time,
                "", "", "", interchange.action_code),
        segment("REF", "38", program_code(interchange.program)),
        segment("DTP", "007", "D8", _d8(interchange.effective_date) if interchange.effective_date
                else date),
        segment("QTY", "TO", str(interchange.loop_count)),
        # N103 94 (code assigned by the organisation): neither MassHealth nor the plan has
        # a tax ID in our data, so each is named by its MMIS ID (sender ID, provider ID).
        segment("N1", "P5", "MASSHEALTH", "94", _required(interchange.sender_id, "N104")),
        segment("N1", "IN", _required(interchange.plan_name, "N102"), "94",
                _required(interchange.receiver_id, "N104")),
    )


def trailer(interchange: Interchange834, segment_count: int) -> Iterator[str]:
    """Yield SE (ST..SE counted), GE and IEA."""
    yield segment("SE", str(segment_count), _control(interchange.st_control, 4, "ST02"))
    yield segment("GE", "1", _control(interchange.gs_control, 1, "GS06"))
    yield segment("IEA", "1", _control(interchange.isa_control, 9, "ISA13"))


# ---------------------------------------------------------------------------- member loop

def _loop_codes(loop) -> tuple[str, str, str]:
    """Return a loop's INS04, INS06 and DMG03; refuse a value outside its code list."""
    reason = _required(loop.maintenance_reason, "INS04")
    if reason not in MAINTENANCE_REASONS:
        raise ValueError(f"INS04 must be a maintenance reason code of the 834 TR3 (28, AI, ...), "
                         f"not {loop.maintenance_reason!r}")
    medicare = _required(loop.medicare_status, "INS06")
    if medicare not in MEDICARE_STATUSES:
        raise ValueError(f"INS06 must be one of C, A, B, E, not {loop.medicare_status!r}")
    sex = _required(loop.sex, "DMG03")
    if sex not in SEXES:
        raise ValueError(f"DMG03 must be F, M or U, not {loop.sex!r}")
    return reason, medicare, sex


def member_loop(loop: MemberLoop834) -> tuple[str, ...]:
    """Return the segments of one INS loop (2000, 2100A, 2300) per mmis-rules.md."""
    ins03, member_dtp, hd_dtp = _ACTION_CODES[Action(loop.action)]
    code = program_code(loop.program_code)
    reason, medicare, sex = _loop_codes(loop)
    date = _d8(loop.date)
    segments = [
        segment("INS", "Y", "18", ins03, reason, "A", medicare),
        segment("REF", "0F", _required(loop.member_id, "REF02")),
        segment("REF", "1L", code),
        segment("DTP", member_dtp, "D8", date),
        # No NM108/NM109: the feed has no SSN (mmis-rules.md).
        segment("NM1", "IL", "1", _required(loop.last_name, "NM103"),
                clean(loop.first_name, MAX_LENGTH["NM104"]),
                clean(loop.middle_initial, 1)),
        *_address(loop),
        segment("DMG", "D8", _d8(loop.date_of_birth), sex),
        segment("HD", ins03, "", "HLT", PLAN_COVERAGE[code], "IND"),
        segment("DTP", hd_dtp, "D8", date),
    ]
    if ins03 == "021":
        # An accepted enrollment always has a rate cell (MMIS rule RATE_CELL).
        segments.append(segment("REF", "CE", _required(loop.rate_cell_code, "REF02")))
    return tuple(segments)


def render_member_loop(loop: MemberLoop834) -> RenderedLoop:
    """Return one member loop written out, to be stored and put in a batch later unchanged."""
    segments = member_loop(loop)
    return RenderedLoop(text="".join(segments), segment_count=len(segments))


def _address(loop: MemberLoop834) -> tuple[str, ...]:
    """Return N3 and N4; each is situational, so one with no usable data is left out."""
    line = clean(loop.address_line1, MAX_LENGTH["N301"])
    city = clean(loop.city, MAX_LENGTH["N401"])
    state = clean(loop.state, MAX_LENGTH["N402"]) or DEFAULT_STATE
    postal = clean(loop.zip, MAX_LENGTH["N403"]).replace(" ", "").replace("-", "")
    out = []
    if line:
        out.append(segment("N3", line))
    if len(city) >= 2:  # N401 minimum length 2
        out.append(segment("N4", city, state, postal if len(postal) >= 3 else ""))
    return tuple(out)


# ---------------------------------------------------------------------------- audit loop

AUDIT = "030"  # INS03 and HD01: audit or compare (full file), domain.md C4
AUDIT_REASON = "XN"  # INS04: notification only (nothing changes with this loop)
AUDIT_ACTION_CODE = "4"  # BGN08: verify (the receiver compares, it does not apply changes)


def audit_member_loop(loop: AuditLoop834) -> tuple[str, ...]:
    """Return the segments of one member of a full-file 834 (docs/834.md, "The audit file").

    The loop of an addition with INS03 and HD01 ``030`` and INS04 ``XN``; its dates are the
    span's: ``DTP*356`` and ``DTP*348`` its start, ``DTP*349`` its end when it has one.
    The segments that repeat from member to member are written once (_AUDIT_FIXED): a
    file holds a plan's every member.
    """
    code = program_code(loop.program_code)
    ins = _AUDIT_FIXED.get(("INS", loop.medicare_status))
    if ins is None:
        raise ValueError(f"INS06 must be one of C, A, B, E, not {loop.medicare_status!r}")
    sex = _required(loop.sex, "DMG03")
    if sex not in SEXES:
        raise ValueError(f"DMG03 must be F, M or U, not {loop.sex!r}")
    start = _d8(loop.start_date)
    segments = [
        ins,
        segment("REF", "0F", _required(loop.member_id, "REF02")),
        _AUDIT_FIXED[("REF", code)],
        segment("DTP", "356", "D8", start),
        segment("NM1", "IL", "1", _required(loop.last_name, "NM103"),
                clean(loop.first_name, MAX_LENGTH["NM104"]),
                clean(loop.middle_initial, 1)),
        *_address(loop),
        segment("DMG", "D8", _d8(loop.date_of_birth), sex),
        _AUDIT_FIXED[("HD", code)],
        segment("DTP", "348", "D8", start),
    ]
    if loop.end_date is not None:
        segments.append(segment("DTP", "349", "D8", _d8(loop.end_date)))
    segments.append(segment("REF", "CE", _required(loop.rate_cell_code, "REF02")))
    return tuple(segments)


_AUDIT_FIXED = {
    **{("INS", status): segment("INS", "Y", "18", AUDIT, AUDIT_REASON, "A", status)
       for status in MEDICARE_STATUSES},
    **{("REF", code): segment("REF", "1L", code) for code in PLAN_COVERAGE},
    **{("HD", code): segment("HD", AUDIT, "", "HLT", name, "IND")
       for code, name in PLAN_COVERAGE.items()},
}


def render_audit_loop(loop: AuditLoop834) -> RenderedLoop:
    """Return one audit member loop written out, for ``iter_834`` to stream unchanged."""
    segments = audit_member_loop(loop)
    return RenderedLoop(text="".join(segments), segment_count=len(segments))


# ---------------------------------------------------------------------------- the file

def iter_834(interchange: Interchange834) -> Iterator[str]:
    """Yield the 834 one segment (or one stored loop) at a time, streaming over the loops.

    Raise ValueError when the loops are more or fewer than ``loop_count`` (QTY*TO is
    written first); the segments yielded until then must be thrown away by the caller.
    """
    yield isa(interchange)
    yield gs(interchange)
    opening = transaction_header(interchange)
    yield from opening
    count = len(opening)  # segments from ST on, for SE01 (ST..SE inclusive)
    loops = 0
    for loop in interchange.loops:
        loops += 1
        if loops > interchange.loop_count:
            raise ValueError(f"more loops than loop_count {interchange.loop_count}")
        if isinstance(loop, RenderedLoop):
            count += loop.segment_count
            yield loop.text
            continue
        for seg in member_loop(loop):
            count += 1
            yield seg
    if loops != interchange.loop_count:
        raise ValueError(f"{loops} loops but loop_count is {interchange.loop_count}")
    yield from trailer(interchange, count + 1)


def render_834(interchange: Interchange834) -> str:
    """Return the whole 834 as one string (for small files and tests)."""
    return "".join(iter_834(interchange))


# ------------------------------------------------------- adjustment loops (issue 17 §1)

# INS03 of the moves that change the past: addition, termination, reinstatement.
ADJUSTMENT_TYPES = frozenset({"021", "024", "025"})


def adjustment_member_loop(loop: AdjustmentLoop834) -> tuple[str, ...]:
    """Return the segments of one adjustment INS loop (2000, 2100A, 2300).

    The layout is the member loop's (mmis-rules.md "The 834"), with both dates when the
    move has both: a period moved to a plan begins and ends (DTP*356/357, DTP*348/349).
    """
    if loop.maintenance_type not in ADJUSTMENT_TYPES:
        raise ValueError(f"INS03 must be one of 021, 024, 025, not {loop.maintenance_type!r}")
    if loop.begin is None and loop.end is None:
        raise ValueError("an adjustment loop needs a begin or an end date")
    code = program_code(loop.program_code)
    reason, medicare, sex = _loop_codes(loop)
    kind = loop.maintenance_type
    begin = _d8(loop.begin) if loop.begin else ""
    end = _d8(loop.end) if loop.end else ""
    segments = [
        segment("INS", "Y", "18", kind, reason, "A", medicare),
        segment("REF", "0F", _required(loop.member_id, "REF02")),
        segment("REF", "1L", code),
        *([segment("DTP", "356", "D8", begin)] if begin else []),
        *([segment("DTP", "357", "D8", end)] if end else []),
        segment("NM1", "IL", "1", _required(loop.last_name, "NM103"),
                clean(loop.first_name, MAX_LENGTH["NM104"]), clean(loop.middle_initial, 1)),
        *_address(loop),
        segment("DMG", "D8", _d8(loop.date_of_birth), sex),
        segment("HD", kind, "", "HLT", PLAN_COVERAGE[code], "IND"),
        *([segment("DTP", "348", "D8", begin)] if begin else []),
        *([segment("DTP", "349", "D8", end)] if end else []),
    ]
    if loop.rate_cell_code:
        segments.append(segment("REF", "CE", _required(loop.rate_cell_code, "REF02")))
    return tuple(segments)


def render_adjustment_loop(loop: AdjustmentLoop834) -> RenderedLoop:
    """Return one adjustment loop written out, stored and later put in a batch unchanged."""
    segments = adjustment_member_loop(loop)
    return RenderedLoop(text="".join(segments), segment_count=len(segments))
