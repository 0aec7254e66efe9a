"""Reading and writing 999/TA1 acknowledgments (posc/mmis/x12_999*.py), without a database."""

import datetime

import pytest

from posc.mmis.x12_999 import MAX_BYTES, AckInvalid, ack_read
from posc.mmis.x12_999_write import AckSpec, LoopError, render_999
from tests.x12check import SAMPLES, pyx12_errors

AT = datetime.datetime(2026, 12, 7, 10, 30)
PLAN = "110000001A"


def spec(**kwargs) -> AckSpec:
    return AckSpec(**{"sender_id": PLAN, "receiver_id": "MASSHEALTH", "control": 7,
                      "created_at": AT, "answered_control": 3, **kwargs})


def read(text: str):
    return ack_read(text.encode("ascii"))


def test_an_accepting_999_is_valid_under_pyx12_and_reads_back():
    text = render_999(spec())
    assert pyx12_errors(text) == []
    ack = read(text)
    assert (ack.sender_id, ack.receiver_id, ack.control) == (PLAN, "MASSHEALTH", "000000007")
    assert (ack.group_id, ack.group_control, ack.group_code) == ("BE", "3", "A")
    assert [(t.set_id, t.control, t.code, t.segments) for t in ack.transactions] == [
        ("834", "0003", "A", ())]
    assert ack.ta1s == ()


def test_a_rejecting_999_names_each_loop_with_its_reason():
    text = render_999(spec(reject=True, errors=(LoopError(19, "100000000122"),
                                                LoopError(8, "100000000121"))))
    assert pyx12_errors(text) == []
    ack = read(text)
    answer = ack.transactions[0]
    assert (answer.code, answer.syntax_codes, ack.group_code) == ("R", ("5",), "R")
    assert [(n.segment_id, n.position, n.loop_id, n.code, n.member_id) for n in answer.segments] \
        == [("REF", 8, "2000", "8", "100000000121"), ("REF", 19, "2000", "8", "100000000122")]
    assert answer.segments[0].reason == ("Segment has data element errors; Invalid code value "
                                         "(element REF02, value '100000000121')")


def test_errors_noted_but_accepted_is_code_e():
    ack = read(render_999(spec(errors=(LoopError(8, "100000000121"),))))
    assert (ack.transactions[0].code, ack.group_code) == ("E", "E")


def test_a_ta1_only_interchange_reads_without_a_group():
    ack = read(render_999(spec(ta1_reject_note="022")))
    assert not ack.has_999
    assert [(t.control, t.code, t.note, t.rejected) for t in ack.ta1s] == [
        ("000000003", "R", "022", True)]
    assert ack.ta1s[0].reason == "Invalid control structure"


def test_a_ta1_before_the_group_is_read_and_the_999_still_checked_by_pyx12():
    lines = render_999(spec()).splitlines(keepends=True)
    text = "".join([lines[0], "TA1*000000003*261207*1030*A*000~\n", *lines[1:]])
    ack = read(text)
    assert ack.has_999 and [t.code for t in ack.ta1s] == ["A"]
    with pytest.raises(AckInvalid, match="SE count"):
        read(text.replace("SE*6*", "SE*9*"))


@pytest.mark.parametrize(("text", "message"), [
    ("hello", "does not start with an ISA"),
    ("ISA*" + "x" * 200, "fixed-width"),
    ("é".join(["ISA"] * 3), "outside ASCII"),
])
def test_what_is_not_x12_is_refused(text, message):
    with pytest.raises(AckInvalid, match=message):
        ack_read(text.encode("utf-8"))


def test_an_834_is_not_a_999():
    with pytest.raises(AckInvalid, match="834 enrollment file"):
        ack_read((SAMPLES / "good.834").read_bytes())


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("SE*6*0001", "SE*5*0001"), "SE count"),
    (lambda t: t.replace("IK5*A~", "IK5*Q~"), "IK5"),
    (lambda t: t.replace("AK9*A*1*1*1~\n", ""), "AK9"),
    (lambda t: t[: t.index("GE*")], "IEA"),
    (lambda t: t + t, "exactly one interchange"),
], ids=["se-count", "ik5-code", "no-ak9", "cut-short", "two-interchanges"])
def test_a_broken_999_is_refused(change, message):
    with pytest.raises(AckInvalid, match=message):
        read(change(render_999(spec())))


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("*R*022~", "*Q*022~"), "TA104"),
    (lambda t: t.replace("*R*022~", "*R*999~"), "TA105"),
    (lambda t: t.replace("TA1*000000003", "TA1*3"), "TA101"),
    (lambda t: t.replace("IEA*0*", "IEA*1*"), "IEA"),
], ids=["ta104", "ta105", "ta101", "iea-count"])
def test_a_broken_ta1_is_refused(change, message):
    with pytest.raises(AckInvalid, match=message):
        read(change(render_999(spec(ta1_reject_note="022"))))


def test_a_file_over_the_bound_is_refused_unread():
    with pytest.raises(AckInvalid, match="larger than 2 MB"):
        ack_read(b"ISA" + b" " * MAX_BYTES)
