"""Write the 999 or TA1 a plan's translator would send back for one of our 834 files.

For demos (``manage.py make_999``), tests and bench/ only: the portal itself reads 999s
(posc/mmis/x12_999.py) and never sends one. Pure: no Django, no database.
"""

import datetime
from dataclasses import dataclass, field

from posc.mmis.x12_999 import MEMBER_CONTEXT, VERSION_834, VERSION_999

ELEMENT, COMPONENT, REPETITION, TERMINATOR = "*", ":", "^", "~"


@dataclass(frozen=True)
class LoopError:
    """A member loop the 999 written by ``render_999`` names (its REF*0F segment)."""

    position: int  # IK302 of the loop's REF*0F
    member_id: str
    segment_id: str = "REF"
    loop_id: str = "2000"
    segment_code: str = "8"  # the segment has data element errors
    element_position: str = "2"
    element_reference: str = "127"  # REF02
    element_code: str = "7"  # invalid code value


@dataclass(frozen=True)
class AckSpec:
    """What a plan's translator answers to one of our 834 files (for demos and tests)."""

    sender_id: str  # the plan's provider ID
    receiver_id: str  # MassHealth's ID
    control: int  # the acknowledgment's own ISA13
    created_at: datetime.datetime
    answered_control: int  # the 834's ISA13 = GS06 = ST02 (our batch number)
    errors: tuple[LoopError, ...] = ()
    reject: bool = False  # IK5*R; otherwise A, or E when errors are named
    ta1_reject_note: str = ""  # a TA1 rejecting the interchange instead of a 999
    extra: tuple[str, ...] = field(default=())  # raw segments appended after AK9 (tests)


def _segment(*elements: str) -> str:
    items = list(elements)
    while items and items[-1] == "":
        items.pop()
    return ELEMENT.join(items) + TERMINATOR + "\n"


def _isa(spec: AckSpec) -> str:
    at = spec.created_at
    return _segment("ISA", "00", " " * 10, "00", " " * 10, "ZZ", spec.sender_id.ljust(15),
                    "ZZ", spec.receiver_id.ljust(15), f"{at:%y%m%d}", f"{at:%H%M}", REPETITION,
                    "00501", f"{spec.control:09d}", "0", "T", COMPONENT)


def render_999(spec: AckSpec) -> str:
    """Return the 999 (or TA1) a plan's translator would send back for one 834 file."""
    at = spec.created_at
    if spec.ta1_reject_note:
        return "".join((
            _isa(spec),
            _segment("TA1", f"{spec.answered_control:09d}", f"{at:%y%m%d}", f"{at:%H%M}", "R",
                     spec.ta1_reject_note),
            _segment("IEA", "0", f"{spec.control:09d}")))
    code = "R" if spec.reject else "E" if spec.errors else "A"
    body = [
        _segment("ST", "999", "0001", VERSION_999),
        _segment("AK1", "BE", str(spec.answered_control), VERSION_834),
        _segment("AK2", "834", f"{spec.answered_control:04d}", VERSION_834),
    ]
    for error in sorted(spec.errors, key=lambda e: e.position):
        body.append(_segment("IK3", error.segment_id, str(error.position), error.loop_id,
                             error.segment_code))
        body.append(_segment("CTX", f"{MEMBER_CONTEXT}{COMPONENT}{error.member_id}"))
        body.append(_segment("IK4", error.element_position, error.element_reference,
                             error.element_code, error.member_id))
    body.append(_segment("IK5", code, "5" if spec.errors else ""))
    body.append(_segment("AK9", code, "1", "1", "0" if code == "R" else "1"))
    body.extend(spec.extra)
    body.append(_segment("SE", str(len(body) + 1), "0001"))
    return "".join((
        _isa(spec),
        _segment("GS", "FA", spec.sender_id, spec.receiver_id, f"{at:%Y%m%d}", f"{at:%H%M}",
                 str(spec.control), "X", VERSION_999),
        *body,
        _segment("GE", "1", str(spec.control)),
        _segment("IEA", "1", f"{spec.control:09d}")))
