"""Enrollment adjustments (issue 17 §1): each move accepted, refused by MMIS and by overlap,
its 834 loops in each affected plan's next batch (pyx12), its capitation lines, history, audit."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from enrollment.adjustment_steps import REFUSED, month_firsts
from enrollment.adjustments import (
    adjustment_move,
    adjustment_reinstate,
    adjustment_retro_disenroll,
    adjustment_retro_enroll,
)
from enrollment.models import (
    BatchEntry,
    CapitationAdjustment,
    EnrollmentAdjustment,
    EnrollmentTransaction,
)
from enrollment.services import batch_cut, batch_stream
from posc.exceptions import DomainError
from posc.members.demo import CCA_SCO, SWH_SCO
from posc.members.models import EnrollmentSpan, Plan
from tests.factories import MemberFactory, SpanFactory, UserFactory
from tests.x12check import pyx12_errors, strict_errors

TODAY = datetime.date(2026, 11, 22)
JAN, JUN, SEP = (datetime.date(2026, m, 1) for m in (1, 6, 9))
MAY_END, AUG_END = datetime.date(2026, 5, 31), datetime.date(2026, 8, 31)
WHY = {"reason": "Member moved to Senior Whole Health in September.", "reference": "recoupment:7"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(reference_data):
    return Plan.objects.get(provider_id=CCA_SCO), Plan.objects.get(provider_id=SWH_SCO)


@pytest.fixture
def ops(db):
    return UserFactory(username="ops.adjust", is_staff=True)


def kw(ops, **extra):
    return {"token": uuid.uuid4(), "actor": ops, "today": TODAY, **WHY, **extra}


def next_834(plan: Plan) -> str:
    """Cut the plan's next batch and return its 834, checked by pyx12."""
    batch = batch_cut(plan=plan)
    assert batch is not None, f"nothing pending for {plan.provider_id}"
    text = b"".join(batch_stream(batch=batch)).decode("ascii")
    assert pyx12_errors(text) == []
    return text


def lines(adjustment, plan=None):
    rows = CapitationAdjustment.objects.filter(adjustment=adjustment)
    if plan is not None:
        rows = rows.filter(plan=plan)
    return [(r.plan.provider_id, r.month, r.months, r.rate_cell.code if r.rate_cell else None)
            for r in rows.order_by("plan__provider_id", "month")]


def nothing_changed(before_spans):
    assert list(EnrollmentSpan.objects.order_by("pk").values()) == before_spans
    assert not EnrollmentAdjustment.objects.exists()
    assert not CapitationAdjustment.objects.exists()
    assert not EnrollmentTransaction.objects.filter(adjustment__isnull=False).exists()
    assert not BatchEntry.objects.exists()


def spans_now():
    return list(EnrollmentSpan.objects.order_by("pk").values())


def test_month_firsts():
    assert month_firsts(datetime.date(2026, 10, 15), datetime.date(2027, 1, 1)) == [
        datetime.date(2026, 10, 1), datetime.date(2026, 11, 1), datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1)]


# ------------------------------------------------------------------------ retro-disenroll

class TestRetroDisenroll:
    def test_accepted_ends_the_span_with_a_024_and_minus_one_lines(self, plans, ops):
        cca, _ = plans
        span = SpanFactory(plan=cca, start_date=JAN)
        adjustment = adjustment_retro_disenroll(span=span, end_date=AUG_END, **kw(ops))
        span.refresh_from_db()
        assert span.end_date == AUG_END and not span.cancelled
        assert adjustment.move == "RETRO_DISENROLL" and adjustment.from_plan == cca
        assert adjustment.number.startswith("ADJ-20261122-")
        assert adjustment.detail["before"][0]["end"] is None
        assert adjustment.detail["after"][0]["end"] == "2026-08-31"
        (txn,) = adjustment.transactions.all()
        assert txn.kind == "RETRO_TERM" and txn.plan == cca and txn.accepted
        assert txn.loop_x12.startswith("INS*Y*18*024*AI*A*C~\n")
        text = next_834(cca)
        assert "DTP*357*D8*20260831~" in text and "DTP*349*D8*20260831~" in text
        assert strict_errors(text) == []
        # MMIS paid September through November (the request's month): −1 each.
        assert lines(adjustment) == [(CCA_SCO, SEP, -1, "SCO-CW-GB"),
                                     (CCA_SCO, datetime.date(2026, 10, 1), -1, "SCO-CW-GB"),
                                     (CCA_SCO, datetime.date(2026, 11, 1), -1, "SCO-CW-GB")]
        audit = AuditEvent.objects.get(object_type="enrollment adjustment")
        assert audit.object_id == adjustment.number and audit.member_id == span.member_id

    def test_a_closed_span_loses_only_the_months_it_had(self, plans, ops):
        cca, _ = plans
        span = SpanFactory(plan=cca, start_date=JAN, end_date=datetime.date(2026, 9, 30))
        adjustment = adjustment_retro_disenroll(span=span, end_date=AUG_END, **kw(ops))
        assert lines(adjustment) == [(CCA_SCO, SEP, -1, "SCO-CW-GB")]

    def test_refused_by_not_enrolled_when_the_end_is_before_the_start(self, plans, ops):
        cca, _ = plans
        span = SpanFactory(plan=cca, start_date=SEP)
        before = spans_now()
        with pytest.raises(DomainError) as refused:
            adjustment_retro_disenroll(span=span, end_date=AUG_END, **kw(ops))
        assert refused.value.code == REFUSED
        assert refused.value.extra["codes"] == ["NOT_ENROLLED"]
        nothing_changed(before)

    @pytest.mark.parametrize(("end", "code"), [
        (datetime.date(2026, 8, 30), "DATE"),  # not a month end
        (datetime.date(2026, 11, 30), "NOT_RETRO"),  # what a disenrollment today gives
    ])
    def test_dates_are_guarded(self, plans, ops, end, code):
        span = SpanFactory(plan=plans[0], start_date=JAN)
        before = spans_now()
        with pytest.raises(DomainError) as refused:
            adjustment_retro_disenroll(span=span, end_date=end, **kw(ops))
        assert refused.value.code == code
        nothing_changed(before)

    def test_a_later_end_is_refused(self, plans, ops):
        span = SpanFactory(plan=plans[0], start_date=JAN, end_date=MAY_END)
        with pytest.raises(DomainError) as refused:
            adjustment_retro_disenroll(span=span, end_date=AUG_END, **kw(ops))
        assert refused.value.code == "DATE"

    @pytest.mark.parametrize(("field", "code"), [("reason", "REASON"),
                                                 ("reference", "REFERENCE")])
    def test_reason_and_reference_are_required(self, plans, ops, field, code):
        span = SpanFactory(plan=plans[0], start_date=JAN)
        before = spans_now()
        with pytest.raises(DomainError) as refused:
            adjustment_retro_disenroll(span=span, end_date=AUG_END, **kw(ops, **{field: "  "}))
        assert refused.value.code == code
        nothing_changed(before)

    def test_the_same_form_twice_makes_one_adjustment(self, plans, ops):
        span = SpanFactory(plan=plans[0], start_date=JAN)
        args = kw(ops)
        first = adjustment_retro_disenroll(span=span, end_date=AUG_END, **args)
        again = adjustment_retro_disenroll(span=span, end_date=AUG_END, **args)
        assert again.pk == first.pk and EnrollmentAdjustment.objects.count() == 1
        assert CapitationAdjustment.objects.count() == 3


# --------------------------------------------------------------------------- retro-enroll

# One failing rule each, as of the retro start (09/01/2026); the member is eligible today
# where the rule is about dates (MEDICARE, COVERAGE): the check is as of the date touched.
RULES = [
    pytest.param({"date_of_death": datetime.date(2026, 8, 15)}, "DECEASED", id="deceased"),
    pytest.param({"coverage_start": datetime.date(2026, 10, 1)}, "COVERAGE", id="coverage"),
    pytest.param({"medicare_b_start": datetime.date(2026, 10, 1)}, "MEDICARE", id="medicare"),
    pytest.param({"date_of_birth": datetime.date(1961, 10, 1)}, "AGE", id="age"),
    pytest.param({"county": "Dukes"}, "SERVICE_AREA", id="service-area"),
    pytest.param({"esrd": True}, "ESRD", id="esrd"),
    pytest.param({"deductible_period": True}, "DEDUCTIBLE", id="deductible"),
    pytest.param({"residence": "ICF_IID"}, "RESIDENCE", id="residence"),
    pytest.param({"rating_category": "ZZ"}, "RATE_CELL", id="rate-cell"),
]


class TestRetroEnroll:
    def test_accepted_opens_a_span_with_a_021_and_plus_one_lines(self, plans, ops):
        _, swh = plans
        member = MemberFactory()
        adjustment = adjustment_retro_enroll(member=member, plan=swh, start_date=SEP, **kw(ops))
        span = EnrollmentSpan.objects.get(member=member)
        assert (span.plan, span.start_date, span.end_date) == (swh, SEP, None)
        (txn,) = adjustment.transactions.all()
        assert txn.kind == "RETRO_ADD" and txn.rate_cell.code == "SCO-CW-GB"
        text = next_834(swh)
        assert "INS*Y*18*021*28*A*C~" in text and "DTP*356*D8*20260901~" in text
        assert "DTP*348*D8*20260901~" in text and "REF*CE*SCO-CW-GB~" in text
        assert strict_errors(text) == []
        assert [m for _, m, n, _ in lines(adjustment) if n == 1] == [
            SEP, datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)]
        assert AuditEvent.objects.filter(object_type="enrollment adjustment",
                                         object_id=adjustment.number).exists()

    def test_a_closed_period_carries_both_dates(self, plans, ops):
        _, swh = plans
        member = MemberFactory()
        adjustment = adjustment_retro_enroll(member=member, plan=swh, start_date=JUN,
                                             end_date=AUG_END, **kw(ops))
        text = next_834(swh)
        assert "DTP*348*D8*20260601~\nDTP*349*D8*20260831~" in text
        assert strict_errors(text) == []
        assert len(lines(adjustment)) == 3

    @pytest.mark.parametrize(("change", "code"), RULES)
    def test_refused_by_each_rule_as_of_the_start(self, plans, ops, change, code):
        member = MemberFactory(**change)
        with pytest.raises(DomainError) as refused:
            adjustment_retro_enroll(member=member, plan=plans[1], start_date=SEP, **kw(ops))
        assert refused.value.code == REFUSED and refused.value.extra["codes"] == [code]
        nothing_changed([])

    def test_every_failing_rule_at_once(self, plans, ops):
        member = MemberFactory(esrd=True, deductible_period=True, residence="ICF_IID")
        with pytest.raises(DomainError) as refused:
            adjustment_retro_enroll(member=member, plan=plans[1], start_date=SEP, **kw(ops))
        assert refused.value.extra["codes"] == ["ESRD", "DEDUCTIBLE", "RESIDENCE"]
        assert len(refused.value.extra["errors"]) == 3

    def test_refused_by_overlap_with_another_plan(self, plans, ops):
        cca, swh = plans
        span = SpanFactory(plan=cca, start_date=JAN)
        before = spans_now()
        with pytest.raises(DomainError) as refused:
            adjustment_retro_enroll(member=span.member, plan=swh, start_date=SEP, **kw(ops))
        assert refused.value.extra["codes"] == ["ALREADY_ENROLLED"]
        nothing_changed(before)
        # The database refuses the overlap too, whatever a service believed.
        with pytest.raises(IntegrityError), transaction.atomic():
            EnrollmentSpan.objects.create(member=span.member, plan=swh, program="SCO",
                                          start_date=SEP)

    def test_refused_by_overlap_with_the_same_plan(self, plans, ops):
        _, swh = plans
        span = SpanFactory(plan=swh, start_date=JAN, end_date=datetime.date(2026, 6, 30))
        with pytest.raises(DomainError) as refused:
            adjustment_retro_enroll(member=span.member, plan=swh, start_date=JUN, **kw(ops))
        assert refused.value.extra["codes"] == ["DUPLICATE"]

    def test_a_period_before_a_later_span_is_accepted(self, plans, ops):
        cca, swh = plans
        later = SpanFactory(plan=cca, start_date=SEP)
        adjustment_retro_enroll(member=later.member, plan=swh, start_date=JUN,
                                end_date=AUG_END, **kw(ops))
        assert EnrollmentSpan.objects.filter(member=later.member).count() == 2

    def test_a_start_in_the_future_is_not_retro(self, plans, ops):
        with pytest.raises(DomainError) as refused:
            adjustment_retro_enroll(member=MemberFactory(), plan=plans[1],
                                    start_date=datetime.date(2026, 12, 1), **kw(ops))
        assert refused.value.code == "NOT_RETRO"


# ----------------------------------------------------------------------------------- move

class TestMove:
    def test_a_period_moves_to_the_other_plan_and_both_834s_say_so(self, plans, ops):
        cca, swh = plans
        span = SpanFactory(plan=cca, start_date=JAN)
        adjustment = adjustment_move(span=span, to_plan=swh, start_date=JUN, end_date=AUG_END,
                                     **kw(ops))
        rows = list(EnrollmentSpan.objects.filter(member=span.member)
                    .order_by("start_date").values_list("plan__provider_id", "start_date",
                                                        "end_date"))
        assert rows == [(CCA_SCO, JAN, MAY_END), (SWH_SCO, JUN, AUG_END), (CCA_SCO, SEP, None)]
        losing = next_834(cca)
        assert "INS*Y*18*024*AI*A*C~" in losing and "DTP*357*D8*20260531~" in losing
        assert "INS*Y*18*021*28*A*C~" in losing and "DTP*356*D8*20260901~" in losing
        gaining = next_834(swh)
        assert "DTP*356*D8*20260601~" in gaining and "DTP*357*D8*20260831~" in gaining
        assert strict_errors(losing) == [] and strict_errors(gaining) == []
        months = [JUN, datetime.date(2026, 7, 1), datetime.date(2026, 8, 1)]
        assert lines(adjustment, cca) == [(CCA_SCO, m, -1, "SCO-CW-GB") for m in months]
        assert lines(adjustment, swh) == [(SWH_SCO, m, 1, "SCO-CW-GB") for m in months]
        assert adjustment.detail["after"][0]["end"] == "2026-05-31"
        (audit,) = AuditEvent.objects.filter(object_type="enrollment adjustment")
        assert audit.object_id == adjustment.number and audit.member_id == span.member_id
        assert audit.action == "CREATE" and CCA_SCO in audit.detail and SWH_SCO in audit.detail

    def test_moving_a_whole_closed_span_cancels_it(self, plans, ops):
        cca, swh = plans
        span = SpanFactory(plan=cca, start_date=JUN, end_date=AUG_END)
        adjustment_move(span=span, to_plan=swh, start_date=JUN, end_date=AUG_END, **kw(ops))
        span.refresh_from_db()
        assert span.cancelled and span.end_date == JUN
        assert EnrollmentSpan.objects.filter(member=span.member, cancelled=False).count() == 1
        next_834(cca)  # pyx12-valid (a cancellation ends on the start date: mmis-rules.md)
        next_834(swh)

    @pytest.mark.parametrize(("change", "code"), RULES)
    def test_refused_when_the_member_was_not_eligible_for_the_gaining_plan(
            self, plans, ops, change, code):
        cca, swh = plans
        span = SpanFactory(plan=cca, start_date=JAN, member=MemberFactory(**change))
        before = spans_now()
        with pytest.raises(DomainError) as refused:
            adjustment_move(span=span, to_plan=swh, start_date=SEP,
                            end_date=datetime.date(2026, 10, 31), **kw(ops))
        assert refused.value.extra["codes"] == [code]
        nothing_changed(before)

    def test_a_period_outside_the_losing_span_is_refused(self, plans, ops):
        cca, swh = plans
        span = SpanFactory(plan=cca, start_date=JAN, end_date=MAY_END)
        before = spans_now()
        with pytest.raises(DomainError) as refused:
            adjustment_move(span=span, to_plan=swh, start_date=JUN, end_date=AUG_END,
                            **kw(ops))
        assert refused.value.code == "DATE"
        nothing_changed(before)

    def test_the_same_plan_is_refused(self, plans, ops):
        span = SpanFactory(plan=plans[0], start_date=JAN)
        with pytest.raises(DomainError) as refused:
            adjustment_move(span=span, to_plan=plans[0], start_date=JUN, end_date=AUG_END,
                            **kw(ops))
        assert refused.value.code == "SAME_PLAN"


# ------------------------------------------------------------------------------ reinstate

class TestReinstate:
    def test_a_disenrollment_in_error_continues_with_no_gap(self, plans, ops):
        cca, _ = plans
        span = SpanFactory(plan=cca, start_date=JAN, end_date=AUG_END)
        adjustment = adjustment_reinstate(span=span, **kw(ops))
        rows = list(EnrollmentSpan.objects.filter(member=span.member).order_by("start_date")
                    .values_list("start_date", "end_date"))
        assert rows == [(JAN, AUG_END), (SEP, None)]
        (txn,) = adjustment.transactions.all()
        assert txn.kind == "REINSTATE"
        text = next_834(cca)
        # 025 with the original dates.
        assert "INS*Y*18*025*41*A*C~" in text and "HD*025**HLT*SCO PLAN*IND~" in text
        assert "DTP*356*D8*20260101~" in text and "DTP*348*D8*20260101~" in text
        assert strict_errors(text) == []
        assert [m for _, m, n, _ in lines(adjustment)] == [
            SEP, datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)]
        assert AuditEvent.objects.filter(object_type="enrollment adjustment",
                                         object_id=adjustment.number,
                                         member_id=span.member_id).count() == 1

    def test_a_cancellation_in_error_starts_on_the_original_date(self, plans, ops):
        cca, _ = plans
        span = SpanFactory(plan=cca, start_date=datetime.date(2026, 12, 1),
                           end_date=datetime.date(2026, 12, 1), cancelled=True)
        adjustment = adjustment_reinstate(span=span, **kw(ops))
        assert EnrollmentSpan.objects.get(member=span.member, cancelled=False).start_date == \
            datetime.date(2026, 12, 1)
        assert lines(adjustment) == []  # December is not paid yet
        next_834(cca)

    def test_refused_by_overlap_when_another_plan_took_over(self, plans, ops):
        cca, swh = plans
        span = SpanFactory(plan=cca, start_date=JAN, end_date=AUG_END)
        SpanFactory(plan=swh, member=span.member, start_date=SEP)
        before = spans_now()
        with pytest.raises(DomainError) as refused:
            adjustment_reinstate(span=span, **kw(ops))
        assert refused.value.extra["codes"] == ["ALREADY_ENROLLED"]
        nothing_changed(before)

    def test_refused_when_the_member_lost_eligibility(self, plans, ops):
        member = MemberFactory(medicare_b_end=AUG_END)
        span = SpanFactory(plan=plans[0], member=member, start_date=JAN, end_date=AUG_END)
        with pytest.raises(DomainError) as refused:
            adjustment_reinstate(span=span, **kw(ops))
        assert refused.value.extra["codes"] == ["MEDICARE"]

    @pytest.mark.parametrize(("change", "code"), RULES)
    def test_refused_by_each_rule_as_of_the_resumption(self, plans, ops, change, code):
        span = SpanFactory(plan=plans[0], member=MemberFactory(**change), start_date=JAN,
                           end_date=AUG_END)
        before = spans_now()
        with pytest.raises(DomainError) as refused:
            adjustment_reinstate(span=span, **kw(ops))
        assert refused.value.code == REFUSED and refused.value.extra["codes"] == [code]
        nothing_changed(before)

    def test_an_open_span_has_nothing_to_reinstate(self, plans, ops):
        span = SpanFactory(plan=plans[0], start_date=JAN)
        with pytest.raises(DomainError) as refused:
            adjustment_reinstate(span=span, **kw(ops))
        assert refused.value.code == "NOT_ENDED"


def test_the_loops_wait_in_the_next_batch_of_each_plan(plans, ops):
    """Every loop of a move goes to its plan's outbox, none to another plan's."""
    cca, swh = plans
    span = SpanFactory(plan=cca, start_date=JAN)
    adjustment = adjustment_move(span=span, to_plan=swh, start_date=JUN, end_date=AUG_END,
                                 **kw(ops))
    pending = sorted(BatchEntry.objects.filter(transaction__adjustment=adjustment,
                                               batch__isnull=True)
                     .values_list("plan__provider_id", "transaction__kind"))
    assert pending == [(CCA_SCO, "RETRO_ADD"), (CCA_SCO, "RETRO_TERM"), (SWH_SCO, "RETRO_ADD")]
