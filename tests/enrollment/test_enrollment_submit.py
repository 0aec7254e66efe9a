"""enrollment_submit and disenrollment_submit: stored answers, idempotency, races on PostgreSQL."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from enrollment import services
from enrollment.models import EnrollmentTransaction
from enrollment.services import disenrollment_submit, enrollment_submit
from posc.exceptions import DomainError
from posc.members.demo import CCA_SCO, SWH_SCO
from posc.members.models import EnrollmentSpan, Plan, RateCell
from posc.members.selectors import user_provider_ids
from posc.mmis.types import MemberRecord
from tests.factories import MemberFactory, SpanFactory
from tests.threads import run_in_threads

TODAY = datetime.date(2026, 11, 22)


def submit(user, member, provider_id=CCA_SCO, token=None, today=TODAY):
    return enrollment_submit(token=token or uuid.uuid4(), program="SCO", provider_id=provider_id,
                             member=member, last_name=member.last_name,
                             first_name=member.first_name, actor=user, today=today)


@pytest.mark.django_db
class TestSubmit:
    def test_accepted_enrollment_records_span_rate_cell_and_834_loop(self, cca_sco):
        member = MemberFactory(middle_initial="Q")
        txn = submit(cca_sco, member)
        assert txn.accepted and txn.codes == [] and txn.errors == []
        assert txn.effective_date == datetime.date(2026, 12, 1)
        assert txn.reference.startswith("ENR-20261122-")
        assert txn.span.start_date == datetime.date(2026, 12, 1) and txn.span.end_date is None
        assert txn.loop_x12.startswith("INS*Y*18*021*28*A*C~\n")
        assert f"REF*0F*{member.member_id}~" in txn.loop_x12
        assert txn.loop_x12.endswith("REF*CE*SCO-CW-GB~\n") and txn.rate_cell.code == "SCO-CW-GB"
        assert txn.loop_segments == txn.loop_x12.count("~")

    def test_rejected_request_is_stored_with_every_code(self, cca_sco):
        member = MemberFactory(esrd=True, deductible_period=True)
        txn = submit(cca_sco, member)
        assert txn.status == "REJECTED"
        assert sorted(txn.codes) == ["DEDUCTIBLE", "ESRD"]
        assert {e["code"] for e in txn.errors} == {"DEDUCTIBLE", "ESRD"}
        assert txn.span is None and not EnrollmentSpan.objects.exists()
        assert txn.loop_x12 == "" and txn.loop_segments == 0

    def test_same_token_returns_the_stored_answer(self, cca_sco):
        member = MemberFactory()
        token = uuid.uuid4()
        first = submit(cca_sco, member, token=token)
        again = submit(cca_sco, member, token=token)
        assert again.pk == first.pk and EnrollmentTransaction.objects.count() == 1

    def test_second_clerk_gets_duplicate(self, cca_sco):
        member = MemberFactory()
        assert submit(cca_sco, member).accepted
        second = submit(cca_sco, member)
        assert second.status == "REJECTED" and second.codes == ["DUPLICATE"]

    def test_unknown_member_raises_and_stores_nothing(self, cca_sco):
        member = MemberFactory.build()
        with pytest.raises(DomainError) as refused:
            submit(cca_sco, member)
        assert refused.value.code == "NO_MATCH"
        assert not EnrollmentTransaction.objects.exists()

    def test_disenrollment_needs_a_reason_from_the_list(self, cca_sco):
        span = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO))
        with pytest.raises(DomainError) as refused:
            disenrollment_submit(token=uuid.uuid4(), program="SCO", provider_id=CCA_SCO,
                                 member=span.member, last_name=span.member.last_name,
                                 first_name=span.member.first_name, reason="NOPE",
                                 actor=cca_sco, today=TODAY)
        assert refused.value.code == "REASON"
        assert not EnrollmentTransaction.objects.exists()

    def test_disenrollment_twice_is_duplicate(self, cca_sco):
        span = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO))
        kwargs = dict(program="SCO", provider_id=CCA_SCO, member=span.member,
                      last_name=span.member.last_name, first_name=span.member.first_name,
                      reason="MBR_REQ", actor=cca_sco, today=TODAY)
        first = disenrollment_submit(token=uuid.uuid4(), **kwargs)
        second = disenrollment_submit(token=uuid.uuid4(), **kwargs)
        assert first.accepted and first.effective_date == datetime.date(2026, 11, 30)
        assert second.codes == ["DUPLICATE"]
        assert "11/30/2026" in second.errors[0]["message"]


@pytest.mark.django_db
class TestDatabaseRefusesWhatTheCodeShouldNeverDo:
    def test_overlapping_integrated_spans_are_refused_by_postgres(self, reference_data):
        member = MemberFactory()
        SpanFactory(member=member, plan=Plan.objects.get(provider_id=CCA_SCO),
                    start_date=datetime.date(2024, 1, 1))
        with pytest.raises(IntegrityError), transaction.atomic():
            SpanFactory(member=member, plan=Plan.objects.get(provider_id=SWH_SCO),
                        start_date=datetime.date(2025, 1, 1))

    def test_cancelled_and_ended_spans_do_not_block(self, reference_data):
        member = MemberFactory()
        cca = Plan.objects.get(provider_id=CCA_SCO)
        SpanFactory(member=member, plan=cca, start_date=datetime.date(2024, 1, 1),
                    end_date=datetime.date(2024, 6, 30))
        SpanFactory(member=member, plan=cca, start_date=datetime.date(2024, 8, 1),
                    end_date=datetime.date(2024, 8, 1), cancelled=True)
        SpanFactory(member=member, plan=Plan.objects.get(provider_id=SWH_SCO),
                    start_date=datetime.date(2024, 7, 1))
        assert EnrollmentSpan.objects.filter(member=member).count() == 3


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
class TestConcurrentClerks:
    """Real threads on real PostgreSQL: exactly one accepted transaction per request."""

    def test_many_clerks_one_member_one_plan(self, cca_sco):
        member = MemberFactory()
        results = run_in_threads(12, lambda i: submit(cca_sco, member).status)
        assert results.count("ACCEPTED") == 1
        assert EnrollmentTransaction.objects.filter(status="ACCEPTED").count() == 1
        rejected = EnrollmentTransaction.objects.filter(status="REJECTED")
        assert [codes for codes in rejected.values_list("codes", flat=True)] == [["DUPLICATE"]] * 11
        assert EnrollmentSpan.objects.filter(member=member).count() == 1

    def test_double_click_same_token_one_transaction(self, cca_sco):
        member = MemberFactory()
        token = uuid.uuid4()
        results = run_in_threads(8, lambda i: submit(cca_sco, member, token=token).pk)
        assert len(set(results)) == 1
        assert EnrollmentTransaction.objects.count() == 1

    def test_two_plans_race_for_one_member(self, cca_sco, reference_data):
        from tests.helpers import provider_user

        swh = provider_user("swh.sco", SWH_SCO)
        member = MemberFactory()
        users = [(cca_sco, CCA_SCO), (swh, SWH_SCO)] * 3
        results = run_in_threads(6, lambda i: submit(users[i][0], member, users[i][1]))
        accepted = [t for t in results if t.accepted]
        assert len(accepted) == 1
        loser_codes = {c for t in results if not t.accepted for c in t.codes}
        assert loser_codes <= {"DUPLICATE", "ALREADY_ENROLLED"}
        assert "ALREADY_ENROLLED" in loser_codes

    def test_concurrent_disenrollments_one_accepted(self, cca_sco):
        span = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO))
        kwargs = dict(program="SCO", provider_id=CCA_SCO, member=span.member,
                      last_name=span.member.last_name, first_name=span.member.first_name,
                      reason="MBR_REQ", actor=cca_sco, today=TODAY)
        results = run_in_threads(8, lambda i: disenrollment_submit(token=uuid.uuid4(), **kwargs))
        assert sum(t.accepted for t in results) == 1


@pytest.mark.django_db
def test_a_member_the_834_cannot_carry_is_refused_before_anything_is_stored(cca_sco):
    """Found by tests/property: born 0001-01-01, the enrollment was accepted with a loop that
    pyx12 refuses (DMG02 before 1800); now the writer refuses it, and Submit says so."""
    member = MemberFactory(date_of_birth=datetime.date(1, 1, 1))

    with pytest.raises(DomainError) as refusal:
        submit(cca_sco, member)

    assert refusal.value.code == "X12"
    assert not EnrollmentTransaction.objects.exists()
    assert not EnrollmentSpan.objects.filter(member=member).exists()


@pytest.fixture
def mmis_calls(monkeypatch) -> dict[str, list]:
    """Count the services' calls of the MMIS validator and the MemberRecords built.

    Both are the real ones, wrapped: the answers are unchanged (not a mock of the stub).
    """
    calls: dict[str, list] = {"validate": [], "member_record": []}
    validate, record_init = services.validate, MemberRecord.__init__

    def counted_validate(request, **kwargs):
        calls["validate"].append(request.action)
        return validate(request, **kwargs)

    def counted_record_init(self, *args, **kwargs):
        calls["member_record"].append(kwargs.get("member_id"))
        record_init(self, *args, **kwargs)

    monkeypatch.setattr(services, "validate", counted_validate)
    monkeypatch.setattr(MemberRecord, "__init__", counted_record_init)
    return calls


@pytest.mark.django_db
class TestOneMmisRequestPerSubmit:
    """Issue 16: a Submit reads the member's MMIS facts in one query, builds the member's
    record once and asks MMIS once."""

    @pytest.mark.parametrize("kind", ["ENROLL", "DISENROLL"])
    def test_submit_builds_one_request_and_asks_once(self, cca_sco, mmis_calls, kind):
        if kind == "ENROLL":
            member = MemberFactory()
            txn = submit(cca_sco, member)
        else:
            member = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO)).member
            txn = disenrollment_submit(
                token=uuid.uuid4(), program="SCO", provider_id=CCA_SCO, member=member,
                last_name=member.last_name, first_name=member.first_name,
                reason="MBR_REQ", actor=cca_sco, today=TODAY)
        assert txn.accepted and txn.kind == kind
        assert mmis_calls == {"validate": [kind], "member_record": [member.member_id]}

    def test_submit_reads_the_mmis_facts_in_one_query(self, cca_sco):
        member = MemberFactory()
        user_provider_ids(user=cca_sco)  # the user's links, read once per request elsewhere
        with CaptureQueriesContext(connection) as queries:
            txn = submit(cca_sco, member)
        assert txn.accepted
        reads = [q["sql"] for q in queries.captured_queries
                 if q["sql"].lstrip().startswith(("SELECT", "WITH"))]
        facts = [sql for sql in reads if RateCell._meta.db_table in sql
                 or EnrollmentSpan._meta.db_table in sql or Plan._meta.db_table in sql]
        assert len(facts) == 1, facts
        # savepoint, member lock (the person's rows: issue 17), token lock, token, facts,
        # reference, span, transaction, audit, outbox, release
        assert len(queries) == 11, [q["sql"][:60] for q in queries.captured_queries]
