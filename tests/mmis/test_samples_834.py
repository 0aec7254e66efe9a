"""The 834 samples in docs/samples/ and the checks of tests/x12check.py (docs/834.md).

good.834 is our writer's output for an invented SCO batch (regenerate it deliberately with
POSC_REGEN_GOLDEN=1, then review the diff); bad.834 is good.834 broken on purpose in the
ways docs/834.md lists. Every convention check is shown to fail on a file that breaks it.
"""

import datetime
import os
import re

import pytest

from posc.mmis.types import Action, Interchange834, MemberLoop834
from posc.mmis.x12_834 import render_834
from tests.x12check import SAMPLES, check_834, pyx12_errors, strict_errors

GOOD = SAMPLES / "good.834"
BAD = SAMPLES / "bad.834"
REGENERATE = os.environ.get("POSC_REGEN_GOLDEN") == "1"


def sample_batch() -> Interchange834:
    """Return an invented SCO plan's batch: one addition and one termination."""
    addition = MemberLoop834(
        action=Action.ENROLL, maintenance_reason="28", medicare_status="C",
        member_id="100000000011", program_code="SCO", last_name="O'Sample",
        first_name="Mary", middle_initial="A", address_line1="12 Elm St",
        city="Boston", state="MA", zip="02118", date_of_birth=datetime.date(1948, 3, 15),
        sex="F", date=datetime.date(2026, 12, 1), rate_cell_code="SCO-CW-GB")
    termination = MemberLoop834(
        action=Action.DISENROLL, maintenance_reason="07", medicare_status="C",
        member_id="100000000012", program_code="SCO", last_name="Specimen",
        first_name="John", middle_initial="", address_line1="4 Demo Ave",
        city="Worcester", state="MA", zip="01608", date_of_birth=datetime.date(1940, 7, 4),
        sex="M", date=datetime.date(2026, 11, 30), rate_cell_code="")
    return Interchange834(
        sender_id="MASSHEALTH", receiver_id="110000001A", plan_name="Example Senior Care Plan",
        program="SCO", created_at=datetime.datetime(2026, 11, 22, 18, 0), isa_control=1,
        gs_control=1, st_control=1, reference="110000001A-000001", loop_count=2,
        loops=(addition, termination))


def test_good_sample_is_the_writers_output():
    text = render_834(sample_batch())
    if REGENERATE:
        GOOD.write_text(text, encoding="ascii", newline="")
    assert GOOD.read_text(encoding="ascii") == text


def test_good_sample_passes_pyx12_and_the_conventions():
    assert check_834([GOOD]) == (0, f"{GOOD}: OK\n1 files, 0 errors\n")


def test_bad_sample_fails_in_each_way_the_docs_list():
    code, report = check_834([BAD])
    assert code == 1
    errors = report.splitlines()[1:-1]
    pyx12 = [e for e in errors if e.startswith("  pyx12 ")]
    strict = [e.strip() for e in errors if e.startswith("  STRICT ")]
    assert len(pyx12) + len(strict) == len(errors)
    # 1. a "~" inside the last name ends the segment early; 2. the second member's REF*0F
    # is gone; 3. SE01 is wrong.
    assert any('Segment identifier "SMITH" is invalid' in e for e in pyx12), report
    assert any('"Subscriber Identifier" (REF) missing' in e for e in pyx12), report
    assert any("SE count of 30" in e for e in pyx12), report
    # 4. a lower-case city; 5. a termination ending mid-month.
    assert [re.sub(r"seg \d+", "seg N", e) for e in strict] == [
        "STRICT seg N: N4 value 'Boston' has characters outside the X12 basic set: 'nost'",
        "STRICT seg N: termination end date 20261115 is not the last day of a month",
    ], report


def _good() -> str:
    return GOOD.read_text(encoding="ascii")


def _twice(text: str) -> str:
    """Return *text* with its transaction set repeated under the same ST02."""
    start, end = text.index("ST*834*"), text.index("GE*")
    return text[:end] + text[start:end] + text[end:]


# One case per convention: an edit of good.834 and the error it must bring.
BROKEN = {
    "basic character set": (lambda t: t.replace("N3*12 ELM ST", "N3*12 Elm St"),
                            "N3 value '12 Elm St' has characters outside the X12 basic set"),
    "ST02 unique in a group": (_twice, "ST02 0001 repeats inside this GS group"),
    "QTY*TO counts the members": (lambda t: t.replace("QTY*TO*2~", "QTY*TO*3~"),
                                  "QTY*TO says 3 but the transaction set"),
    "subscriber is self": (lambda t: t.replace("INS*Y*18*021", "INS*Y*01*021"),
                           "INS01=Y (subscriber) but INS02='01', expected 18"),
    "HD01 follows INS03": (lambda t: t.replace("HD*021*", "HD*030*"),
                           "HD01=030 inside a member with INS03=021"),
    "addition begins on a 1st": (lambda t: t.replace("DTP*348*D8*20261201", "DTP*348*D8*20261202"),
                                 "addition DTP*348 20261202 is not the 1st day of a month"),
    "addition has a begin date": (lambda t: t.replace("DTP*348*D8*20261201~\n", ""),
                                  "INS03=021 (addition) but no 2300 DTP*348"),
    "termination ends on a month end": (
        lambda t: t.replace("DTP*357*D8*20261130", "DTP*357*D8*20261129"),
        "termination end date 20261129 is not the last day of a month"),
    "termination has an end date": (
        lambda t: t.replace("DTP*357*D8*20261130~\n", "").replace("DTP*349*D8*20261130~\n", ""),
        "INS03=024 (termination) but no DTP*357 (2000) or DTP*349 (2300) end date"),
    "end not before begin": (
        lambda t: t.replace("DTP*349*D8*20261130~\n",
                            "DTP*348*D8*20261201~\nDTP*349*D8*20261130~\n"),
        "DTP*349 20261130 is before DTP*348 20261201"),
}


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_each_convention_check_can_fail(rule):
    edit, expected = BROKEN[rule]
    broken = edit(_good())
    assert broken != _good()
    errors = strict_errors(broken)
    assert len(errors) == 1 and expected in errors[0], errors


def test_a_file_that_is_not_an_interchange_is_refused():
    assert strict_errors("hello") == [
        "STRICT the file does not start with a 106-character ISA segment"]
    assert pyx12_errors("ISA*00") != []
