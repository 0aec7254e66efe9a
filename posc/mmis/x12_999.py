"""Read (and, for demos and tests, write) the 999 and TA1 acknowledgments of our 834 files.

A plan's translator answers each 834 interchange with a 999 Implementation Acknowledgment
(ASC X12 005010X231A1): AK1 names our functional group (GS06), AK2 our transaction set
(ST02), IK3/IK4 each segment and element in error (IK302 counts segments from ST = 1), IK5
the verdict on the transaction set and AK9 on the group. A TA1 Interchange Acknowledgment
answers the envelope itself (TA101 = our ISA13); TA104 ``R`` rejects the whole interchange.

Pure: no Django, no database. ``ack_read`` checks the file twice: pyx12 4.0.0 validates it
against its 005010X231A1 map (as tests/x12check.py does for the 834), and our own segment
reading below refuses anything that is not one interchange answering one 834 group. The
plain-English reasons are the X12 code lists' descriptions (999 TR3 005010X231A1 and the
X12.5 interchange control structure), shortened.
"""

import datetime
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import pyx12.errors
import pyx12.params
import pyx12.x12n_document

from posc.mmis.x12_999_codes import (
    ELEMENT_ERRORS,
    INTERCHANGE_NOTES,
    SEGMENT_ERRORS,
    TA1_CODES,
)

VERSION_999 = "005010X231A1"
VERSION_834 = "005010X220A1"

# Upper bound of an uploaded acknowledgment. A 999 naming an error in each of 10,000 member
# loops (IK3 + IK4 + CTX, about 90 bytes) is under 1 MB; twice that covers any real one.
MAX_BYTES = 2 * 1024 * 1024

# ISA element separators sit at these fixed offsets of the 106-character ISA (X12.5).
_ISA_SEPARATOR_AT = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
_ISA_LENGTH = 106

# The CTX business unit identifier that names an 834 member: REF*0F, the subscriber number.
MEMBER_CONTEXT = "SUBSCRIBER NUMBER REF02"


class AckInvalid(ValueError):
    """The file is not a 999 or TA1 we can read; the message says why, for the uploader."""


@dataclass(frozen=True)
class ElementNote:
    """IK4: one element of the segment in error."""

    position: str  # IK401: element position, with ":component" when given
    reference: str  # IK402: the data element's reference number
    code: str  # IK403
    bad_value: str = ""  # IK404: a copy of the bad value

    @property
    def reason(self) -> str:
        return ELEMENT_ERRORS.get(self.code, f"Element error {self.code}")


@dataclass(frozen=True)
class SegmentNote:
    """IK3 (with its IK4s and CTX): one segment of our 834 the plan's translator refused."""

    segment_id: str  # IK301
    position: int  # IK302: segment position in the transaction set, ST = 1
    loop_id: str  # IK303, e.g. 2000
    code: str  # IK304 (situational: "" when only the elements are noted)
    member_id: str = ""  # CTX*SUBSCRIBER NUMBER REF02:<member ID>, when the plan sends it
    elements: tuple[ElementNote, ...] = ()

    @property
    def reason(self) -> str:
        """The plain-English reason: the segment's, then each element's."""
        parts = [SEGMENT_ERRORS.get(self.code, f"Segment error {self.code}")] if self.code else []
        for note in self.elements:
            text = f"{note.reason} (element {self.segment_id}{note.position.split(':')[0]:0>2}"
            text += f", value {note.bad_value!r})" if note.bad_value else ")"
            parts.append(text)
        return "; ".join(parts) or "Segment in error"


@dataclass(frozen=True)
class TransactionAck:
    """AK2…IK5: the verdict on one transaction set."""

    set_id: str  # AK201, 834 here
    control: str  # AK202: our ST02
    code: str  # IK501
    syntax_codes: tuple[str, ...] = ()  # IK502–IK506
    segments: tuple[SegmentNote, ...] = ()


@dataclass(frozen=True)
class Ta1:
    """TA1: the verdict on one interchange envelope."""

    control: str  # TA101: our ISA13
    code: str  # TA104: A, E or R
    note: str  # TA105

    @property
    def rejected(self) -> bool:
        return self.code == "R"

    @property
    def reason(self) -> str:
        return INTERCHANGE_NOTES.get(self.note, f"Interchange note {self.note}")


@dataclass(frozen=True)
class Ack:
    """One acknowledgment interchange: its envelope, its TA1s, and its 999 if it has one."""

    sender_id: str  # ISA06, trimmed: the plan's provider ID
    receiver_id: str  # ISA08, trimmed: MassHealth's ID
    control: str  # ISA13 of the acknowledgment itself
    ta1s: tuple[Ta1, ...] = ()
    group_id: str = ""  # AK101: BE for an 834
    group_control: str = ""  # AK102: our GS06
    group_version: str = ""  # AK103
    group_code: str = ""  # AK901
    transactions: tuple[TransactionAck, ...] = ()

    @property
    def has_999(self) -> bool:
        return bool(self.group_code)


# ---------------------------------------------------------------------------- reading

def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise AckInvalid(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; a 999 "
                         "for one 834 file is far smaller.")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise AckInvalid("This is not an X12 file: it has characters outside ASCII.") from None
    return text.lstrip("\ufeff \r\n\t")


def _segments(text: str) -> list[list[str]]:
    """Split *text* into segments of elements with the delimiters its ISA declares."""
    if not text.startswith("ISA") or len(text) < _ISA_LENGTH:
        raise AckInvalid("This is not an X12 file: it does not start with an ISA segment.")
    separator = text[3]
    if any(text[i] != separator for i in _ISA_SEPARATOR_AT):
        raise AckInvalid("This is not an X12 file: its ISA segment is not the fixed-width "
                         "layout.")
    terminator = text[105]
    if terminator.isalnum() or terminator == separator:
        raise AckInvalid("This is not an X12 file: its segment terminator is not valid.")
    pieces = (piece.strip("\r\n") for piece in text.split(terminator))
    return [piece.split(separator) for piece in pieces if piece]


def _get(segment: Sequence[str], position: int) -> str:
    return segment[position].strip() if position < len(segment) else ""


def _pyx12_errors(text: str) -> list[str]:
    """Return pyx12's errors for the interchange *text*; [] when its map finds none.

    pyx12's ``x12n_document`` returns True only for a clean file and logs each error
    (its ``x12valid`` script's exit status says nothing: tests/x12check.py).
    """
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    collector = Collect(logging.ERROR)
    logger = logging.getLogger("pyx12")
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(collector)
    logger.setLevel(logging.ERROR)  # pyx12 is chatty at INFO and DEBUG
    logger.propagate = False  # its messages are the uploader's, not the server log's
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(), src_file=io.StringIO(text), fd_997=None,
            fd_html=None, fd_xmldoc=None)
    except (pyx12.errors.EngineError, pyx12.errors.X12Error) as exc:
        ok = False
        messages.append(str(exc))
    finally:
        logger.removeHandler(collector)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
    if not ok and not messages:
        messages.append("the file is not a valid X12 interchange")
    return messages


def _envelope(segments: list[list[str]]) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """Return the ISA, the TA1s and the one functional group (GS…GE, possibly empty)."""
    ids = [seg[0].strip() for seg in segments]
    if ids[-1] != "IEA":
        raise AckInvalid("The file ends before its IEA segment: it was cut short.")
    if ids.count("ISA") != 1 or ids.count("IEA") != 1:
        raise AckInvalid("The file must hold exactly one interchange (one ISA … IEA).")
    if ids.count("GS") > 1:
        raise AckInvalid("The file must hold one 999 answering one 834 file, not several "
                         "functional groups.")
    ta1s = [seg for seg in segments if seg[0].strip() == "TA1"]
    group = []
    if "GS" in ids:
        group = segments[ids.index("GS"):ids.index("GE") + 1 if "GE" in ids else -1]
    if not group and not ta1s:
        raise AckInvalid("The file holds neither a 999 nor a TA1 acknowledgment.")
    return segments[0], ta1s, group


def _check_group(group: list[list[str]]) -> None:
    """Refuse a group that is not one 999 of version 005010X231A1."""
    gs = group[0]
    if _get(gs, 1) != "FA" or _get(gs, 8) not in (VERSION_999,):
        kind = {"BE": "an 834 enrollment file", "FA": "an acknowledgment of another version"}
        raise AckInvalid(
            f"This is {kind.get(_get(gs, 1), f'an X12 file of type {_get(gs, 1)!r}')} "
            f"(GS08 {_get(gs, 8)!r}), not a 999 acknowledgment {VERSION_999}.")
    sets = [seg for seg in group if seg[0].strip() == "ST"]
    if len(sets) != 1 or _get(sets[0], 1) != "999":
        raise AckInvalid("The functional group must hold exactly one 999 transaction set.")


def _read_999(group: list[list[str]]) -> dict:
    """Return the AK1/AK9 fields and the transaction sets of a checked 999 group."""
    found: dict = {"transactions": []}
    current: dict | None = None
    note: dict | None = None

    def close_note() -> None:
        nonlocal note
        if note is not None and current is not None:
            current["segments"].append(SegmentNote(
                segment_id=note["id"], position=note["position"], loop_id=note["loop"],
                code=note["code"], member_id=note["member"], elements=tuple(note["elements"])))
        note = None

    for seg in group:
        tag = seg[0].strip()
        if tag == "AK1":
            found.update(group_id=_get(seg, 1), group_control=_get(seg, 2),
                         group_version=_get(seg, 3))
        elif tag == "AK2":
            current = {"set_id": _get(seg, 1), "control": _get(seg, 2), "segments": []}
        elif tag == "IK3" and current is not None:
            close_note()
            try:
                position = int(_get(seg, 2))
            except ValueError:
                raise AckInvalid(f"IK302 {_get(seg, 2)!r} is not a segment position.") from None
            note = {"id": _get(seg, 1), "position": position, "loop": _get(seg, 3),
                    "code": _get(seg, 4), "member": "", "elements": []}
        elif tag == "IK4" and note is not None:
            note["elements"].append(ElementNote(position=_get(seg, 1), reference=_get(seg, 2),
                                                code=_get(seg, 3), bad_value=_get(seg, 4)))
        elif tag == "CTX" and note is not None:
            name, _, value = _get(seg, 1).partition(":")
            if name == MEMBER_CONTEXT:
                note["member"] = value.strip()
        elif tag == "IK5" and current is not None:
            close_note()
            found["transactions"].append(TransactionAck(
                set_id=current["set_id"], control=current["control"], code=_get(seg, 1),
                syntax_codes=tuple(c for c in (_get(seg, i) for i in range(2, 7)) if c),
                segments=tuple(current["segments"])))
            current = None
        elif tag == "AK9":
            found["group_code"] = _get(seg, 1)
    if not found.get("group_code"):
        raise AckInvalid("The 999 has no AK9 segment (the verdict on the group).")
    found["transactions"] = tuple(found["transactions"])
    return found


def _check_ta1(seg: Sequence[str]) -> None:
    """Refuse a TA1 whose elements are not X12.5's (pyx12 cannot check a TA1 on its own)."""
    control, date, time, code, note = (_get(seg, i) for i in range(1, 6))
    if not (len(control) == 9 and control.isdigit()):
        raise AckInvalid(f"TA101 {control!r} is not a nine-digit interchange control number.")
    try:
        datetime.datetime.strptime(date + time, "%y%m%d%H%M")
    except ValueError:
        raise AckInvalid(f"TA102/TA103 {date!r} {time!r} is not a date and time.") from None
    if code not in TA1_CODES:
        raise AckInvalid(f"TA104 {code!r} is not A, E or R.")
    if note not in INTERCHANGE_NOTES:
        raise AckInvalid(f"TA105 {note!r} is not an interchange note code.")


def _check_interchange(segments: list[list[str]], isa: Sequence[str], group: list) -> None:
    """Refuse an IEA that does not close this ISA or count its groups (done by pyx12 when the
    file has a group)."""
    iea = segments[-1]
    if _get(iea, 2) != _get(isa, 13) or _get(iea, 1) != str(1 if group else 0):
        raise AckInvalid("The IEA does not match the ISA (control number or group count).")


def ack_read(data: bytes) -> Ack:
    """Return the acknowledgment in *data*; raise AckInvalid saying why it cannot be read.

    Accepted: one interchange holding a TA1, a 999 (005010X231A1) answering one group, or
    both. The 999 must pass pyx12's map. pyx12 4.0.0 cannot check a TA1: its control map
    requires a functional group, and places TA1 after it where X12.5 puts it before; so the
    TA1 segments are left out of what pyx12 reads and checked by ``_check_ta1``.
    """
    text = _decode(data)
    segments = _segments(text)
    isa, ta1s, group = _envelope(segments)
    for seg in ta1s:
        _check_ta1(seg)
    if group:
        _check_group(group)
        terminator = text[105]
        kept = [piece for piece in text.split(terminator)
                if piece.strip("\r\n").split(text[3])[0].strip() != "TA1"]
        errors = _pyx12_errors(terminator.join(kept))
        if errors:
            shown = "; ".join(errors[:3])
            more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
            raise AckInvalid(f"This is not a valid 999 acknowledgment: {shown}{more}.")
    else:
        _check_interchange(segments, isa, group)
    fields = _read_999(group) if group else {}
    return Ack(
        sender_id=_get(isa, 6), receiver_id=_get(isa, 8), control=_get(isa, 13),
        ta1s=tuple(Ta1(control=_get(seg, 1), code=_get(seg, 4), note=_get(seg, 5))
                   for seg in ta1s),
        **fields)
