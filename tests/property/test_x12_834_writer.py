"""Property: the 834 writer gives a file pyx12 accepts, or refuses (ValueError) — whatever the
names, addresses, codes and dates it is given; and no delimiter is ever inside an element.

mmis-rules.md: X12 has no escape character, so data can never carry * ^ : ~ or a line break.
"""

import calendar
import dataclasses
import datetime
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from posc.mmis.types import Action, Interchange834, MemberLoop834, RenderedLoop
from posc.mmis.x12_834 import (
    MAX_LENGTH,
    clean,
    iter_834,
    render_834,
    render_member_loop,
)
from tests import x12check
from tests.property import x12fast
from tests.property.helpers import assert_well_formed
from tests.property.strategies import any_text, edge_dates

FILE_TIME = datetime.datetime(2026, 11, 22, 9, 30)
GOOD = x12check.SAMPLES


X12_DATES = st.dates(min_value=datetime.date(1800, 1, 1))
# (valid, hostile) values per field that a bad value makes the writer refuse. A file with
# one bad field is refused whole, so each example breaks at most two of them: the hostile
# names and addresses, always drawn, then reach a written file often enough.
LOOP_CODES = {
    "maintenance_reason": (st.sampled_from(("28", "14", "43", "03", "07", "AI")),
                           any_text(max_size=4)),
    "medicare_status": (st.sampled_from("CABE"), any_text(max_size=3)),
    "member_id": (st.from_regex(r"\A\d{12}\Z"), any_text(max_size=14)),
    "program_code": (st.sampled_from(("SCO", "OC", "ONE_CARE")), any_text(max_size=4)),
    "state": (st.sampled_from(("MA", "")), any_text(max_size=3)),
    "sex": (st.sampled_from("FMU"), any_text(max_size=3)),
    "date_of_birth": (X12_DATES, edge_dates()),
    "date": (X12_DATES, edge_dates()),
    "rate_cell_code": (st.just("SCO-65PLUS-GB"), any_text(max_size=12)),
}
ENVELOPE = {
    "sender_id": (st.just("MASSHEALTH"), any_text(max_size=16)),
    "receiver_id": (st.just("110000001A"), any_text(max_size=16)),
    "program": (st.sampled_from(("SCO", "ONE_CARE")), any_text(max_size=4)),
    "created_at": (st.just(FILE_TIME), st.datetimes(max_value=datetime.datetime(9999, 12, 31))),
    "isa_control": (st.integers(1, 999_999_999), st.integers()),
    "gs_control": (st.integers(1, 999_999_999), st.integers()),
    "st_control": (st.integers(1, 9999), st.integers()),
    "loop_count": (None, st.integers(-1, 4)),
    "plan_name": (st.just("Example Senior Care Plan"), any_text()),
    "reference": (st.just("110000001A-000001"), any_text()),
}
# A name that keeps a letter after cleaning, around hostile text; or any text at all.
NAMES = st.one_of(st.builds(lambda a, letter, b: a + letter + b, any_text(),
                            st.sampled_from("AZÉñßøŁ"), any_text()), any_text())


def _some_broken(draw, fields: dict) -> dict:
    """Draw each field of *fields*: valid, except (half the time) at most two hostile."""
    broken = draw(st.sets(st.sampled_from(sorted(fields)), max_size=2)) if draw(
        st.booleans()) else set()
    return {name: draw(pair[1] if name in broken else pair[0])
            for name, pair in fields.items() if pair[0] is not None or name in broken}


def _month_rule(loop: MemberLoop834) -> MemberLoop834:
    """Put the loop's date where MMIS puts it: an enrollment starts on the 1st of a month,
    a disenrollment ends on the last day of one (mmis-rules.md; docs/834.md)."""
    day = loop.date.replace(day=1)
    if loop.action == Action.DISENROLL:
        day = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return dataclasses.replace(loop, date=day)


def _follows_month_rule(loop: MemberLoop834) -> bool:
    return _month_rule(loop) == loop


@st.composite
def loops(draw) -> MemberLoop834:
    """Return a member loop: hostile names and addresses, and at most two bad codes."""
    codes = _some_broken(draw, LOOP_CODES)
    loop = MemberLoop834(
        action=draw(st.sampled_from(list(Action))),
        last_name=draw(NAMES), first_name=draw(NAMES),
        middle_initial=draw(any_text(max_size=2)), address_line1=draw(any_text()),
        city=draw(any_text()),
        zip=draw(st.one_of(st.from_regex(r"\A\d{5}(-\d{4})?\Z"), any_text(max_size=10))),
        **codes)
    return loop if draw(st.booleans()) else _month_rule(loop)


@st.composite
def interchanges(draw) -> Interchange834:
    """Return an interchange of one to three loops (or none), at most two bad fields."""
    items = tuple(draw(st.lists(loops(), min_size=1, max_size=3)))
    fields = {"loop_count": len(items), **_some_broken(draw, ENVELOPE)}
    if fields["loop_count"] == 0:
        items = ()
    return Interchange834(
        loops=items, **fields)


def _expected_names(loop: MemberLoop834) -> tuple[str, str]:
    return clean(loop.last_name, MAX_LENGTH["NM103"]), clean(loop.first_name, MAX_LENGTH["NM104"])


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Collect the accepted files of the property, for one check_834 run."""
    return tmp_path_factory.mktemp("834")


def test_834_writer(written):
    """render_834: a valid 834 with the cleaned values in place, or ValueError."""
    kept: list[Path] = []

    @given(interchanges())
    def prop(interchange: Interchange834) -> None:
        try:
            text = render_834(interchange)
        except ValueError:
            event("refused")
            return
        event("written")
        segments = assert_well_formed(text)
        names = [(s[3], s[4] if len(s) > 4 else "") for s in segments if s[0] == "NM1"]
        assert names == [_expected_names(loop) for loop in interchange.loops]
        member_ids = [s[2] for s in segments if s[:2] == ["REF", "0F"]]
        assert member_ids == [clean(loop.member_id, 50) for loop in interchange.loops]
        assert x12fast.pyx12_errors(text) == []
        if len(kept) < 8 and all(_follows_month_rule(loop) for loop in interchange.loops):
            path = written / f"p{len(kept):03d}.834"
            path.write_text(text, encoding="ascii")
            kept.append(path)

    prop()
    print(f"check_834 on {len(kept)} files")
    assert kept, "the property never wrote a file: the strategies are wrong"
    # The conventions too, on a sample of the files pyx12 accepted.
    status, output = x12check.check_834(kept)
    assert status == 0, output


@given(loops())
def test_834_member_loop(loop: MemberLoop834):
    """render_member_loop (stored at Submit): well-formed, and it counts its own segments."""
    try:
        rendered = render_member_loop(loop)
    except ValueError:
        event("refused")
        return
    event("rendered")
    segments = assert_well_formed(rendered.text)
    assert rendered.segment_count == len(segments)
    assert [s[0] for s in segments][:3] == ["INS", "REF", "REF"]
    # The same loop stored and put in a batch later gives the same text.
    interchange = Interchange834(
        sender_id="MASSHEALTH", receiver_id="110000001A", plan_name="Example Senior Care Plan",
        program="SCO", created_at=FILE_TIME, isa_control=1, gs_control=1, st_control=1,
        reference="110000001A-000001", loop_count=1, loops=(rendered,))
    text = "".join(iter_834(interchange))
    assert rendered.text in text
    assert x12fast.pyx12_errors(text) == []


def test_fast_check_agrees_with_x12check():
    """The cached-map check reports exactly what tests/x12check.py reports."""
    good = (GOOD / "good.834").read_text()
    bad = (GOOD / "bad.834").read_text()
    broken = good.replace("NM1*IL*1*", "NM1*IL*1*A:B", 1)
    files = [good, bad, broken, good]
    assert [x12fast.pyx12_errors(f) for f in files] == [x12check.pyx12_errors(f) for f in files]
    assert x12fast.pyx12_errors(bad) and x12fast.pyx12_errors(broken)


def test_delimiter_check_can_fail():
    """assert_well_formed catches a delimiter inside an element."""
    loop = RenderedLoop(text="NM1*IL*1*A:B~\n", segment_count=1)
    with pytest.raises(AssertionError):
        assert_well_formed(loop.text)
    with pytest.raises(AssertionError):
        assert_well_formed(dataclasses.replace(loop, text="NM1*IL*1*A\nB~\n").text)
