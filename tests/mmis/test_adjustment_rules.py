"""The MMIS stub on enrollment adjustments (issue 17 §1), and their 834 loops. Pure."""

from dataclasses import replace
from datetime import date

import pytest

from posc.mmis.period_rules import validate_period, validate_period_end
from posc.mmis.types import (
    Action,
    AdjustmentLoop834,
    MemberRecord,
    MmisRequest,
    PlanRecord,
    RateCellRecord,
    SpanRecord,
)
from posc.mmis.x12_834 import adjustment_member_loop

SCO_ID, OTHER_ID = "110000001A", "110000002A"
PLAN = PlanRecord(SCO_ID, "SCO", "Commonwealth Care Alliance SCO", frozenset({"Suffolk"}))
MEMBER = MemberRecord(
    member_id="100000000001", last_name="Testperson", first_name="Avery",
    date_of_birth=date(1950, 3, 14), sex="F", coverage_type="STANDARD",
    coverage_start=date(2015, 1, 1), county="Suffolk", residence="COMMUNITY",
    rating_category="CW", medicare_a_start=date(2015, 3, 1), medicare_b_start=date(2015, 3, 1))
CELLS = (
    RateCellRecord("SCO", "CW", "GB", "SCO-CW-GB", "Community Well", "community",
                   date(2020, 1, 1), date(2025, 12, 31)),
    RateCellRecord("SCO", "CW", "GB", "SCO-CW-GB", "Community Well 2026", "community",
                   date(2026, 1, 1)),
)
SEP, AUG_END = date(2026, 9, 1), date(2026, 8, 31)


def request(action=Action.ENROLL, spans=(), member=MEMBER, provider_id=SCO_ID) -> MmisRequest:
    return MmisRequest(action=action, program="SCO", provider_id=provider_id,
                       member_id=member.member_id, last_name=member.last_name,
                       first_name=member.first_name, user_provider_ids=frozenset({SCO_ID}),
                       plan=PLAN, member=member, spans=tuple(spans), rate_cells=CELLS)


def span(provider_id, start, end=None) -> SpanRecord:
    return SpanRecord(provider_id=provider_id, program="SCO", start_date=start, end_date=end)


class TestValidatePeriod:
    def test_accepted_with_the_rate_cell_of_the_start(self):
        answer = validate_period(request(), start=date(2025, 6, 1), end=None)
        assert answer.accepted and answer.rate_cell.label == "Community Well"
        answer = validate_period(request(), start=SEP, end=None)
        assert answer.rate_cell.label == "Community Well 2026"

    def test_rules_are_checked_as_of_the_start(self):
        member = replace(MEMBER, medicare_b_start=date(2026, 10, 1))
        assert validate_period(request(member=member), start=SEP, end=None).codes == (
            "MEDICARE",)
        assert validate_period(request(member=member), start=date(2026, 10, 1),
                               end=None).accepted

    def test_every_failing_rule_at_once(self):
        member = replace(MEMBER, esrd=True, county="Dukes", date_of_death=date(2026, 8, 1))
        answer = validate_period(request(member=member), start=SEP, end=None)
        # Dukes is outside the plan and in the rest of the state, where no cell is given.
        assert answer.codes == ("DECEASED", "SERVICE_AREA", "ESRD", "RATE_CELL")

    @pytest.mark.parametrize(("spans", "end", "codes"), [
        ([span(OTHER_ID, date(2026, 1, 1))], None, ("ALREADY_ENROLLED",)),
        ([span(OTHER_ID, date(2026, 10, 1))], None, ("ALREADY_ENROLLED",)),
        ([span(OTHER_ID, date(2026, 10, 1))], date(2026, 9, 30), ()),  # ends before it
        ([span(OTHER_ID, date(2026, 1, 1), AUG_END)], None, ()),  # ended before it
        ([span(SCO_ID, date(2026, 1, 1), date(2026, 9, 30))], None, ("DUPLICATE",)),
    ])
    def test_overlap_is_the_period_not_from_the_start_on(self, spans, end, codes):
        assert validate_period(request(spans=spans), start=SEP, end=end).codes == codes

    def test_provider_and_no_match_stop_the_check(self):
        assert validate_period(request(provider_id="999999999Z"), start=SEP,
                               end=None).codes == ("PROVIDER",)
        other = replace(request(), last_name="Someone")
        assert validate_period(other, start=SEP, end=None).codes == ("NO_MATCH",)


class TestValidatePeriodEnd:
    def test_accepted_when_the_plan_has_a_span_going_on_after_the_end(self):
        answer = validate_period_end(request(Action.DISENROLL, [span(SCO_ID, date(2026, 1, 1))]),
                                     end=AUG_END)
        assert answer.accepted and answer.span.start_date == date(2026, 1, 1)

    @pytest.mark.parametrize("spans", [
        [], [span(SCO_ID, SEP)], [span(SCO_ID, date(2026, 1, 1), AUG_END)],
        [span(OTHER_ID, date(2026, 1, 1))]])
    def test_not_enrolled_otherwise(self, spans):
        answer = validate_period_end(request(Action.DISENROLL, spans), end=AUG_END)
        assert answer.codes == ("NOT_ENROLLED",)
        assert "no current or pending enrollment" in answer.errors[0].message


def loop(**changes) -> AdjustmentLoop834:
    base = AdjustmentLoop834(
        maintenance_type="021", maintenance_reason="28", medicare_status="C",
        member_id="100000000001", program_code="SCO", last_name="Testperson",
        first_name="Avery", middle_initial="", address_line1="1 Main St", city="Boston",
        state="MA", zip="02118", date_of_birth=date(1950, 3, 14), sex="F", begin=SEP,
        rate_cell_code="SCO-CW-GB")
    return replace(base, **changes)


class TestAdjustmentLoop:
    def test_both_dates_in_order(self):
        text = "".join(adjustment_member_loop(loop(end=date(2026, 10, 31))))
        assert ("DTP*356*D8*20260901~\nDTP*357*D8*20261031~\n" in text
                and "HD*021**HLT*SCO PLAN*IND~\nDTP*348*D8*20260901~\nDTP*349*D8*20261031~\n"
                in text and text.endswith("REF*CE*SCO-CW-GB~\n"))

    def test_a_termination_has_no_rate_cell_and_no_begin(self):
        text = "".join(adjustment_member_loop(loop(maintenance_type="024",
                                                   maintenance_reason="AI", begin=None,
                                                   end=AUG_END, rate_cell_code="")))
        assert text.startswith("INS*Y*18*024*AI*A*C~")
        assert "DTP*356" not in text and "REF*CE" not in text

    @pytest.mark.parametrize(("changes", "match"), [
        ({"maintenance_type": "030"}, "INS03"),
        ({"begin": None}, "begin or an end"),
        ({"medicare_status": "X"}, "INS06"),
        ({"sex": "X"}, "DMG03"),
    ])
    def test_refuses_what_it_cannot_write(self, changes, match):
        with pytest.raises(ValueError, match=match):
            adjustment_member_loop(loop(**changes))
