"""999 and TA1 acknowledgments of 834 batches (issue 17, section 3).

A plan returns a 999 for each batch; it is loaded on 834 Files or by ``load_999``, matched
to its batch by control numbers, and sets the batch's status. Made here by ``make_999``,
the command a plan's translator stands in for in demos.
"""

import datetime
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent
from enrollment.ack_services import acknowledgment_load, batch_resend
from enrollment.models import Acknowledgment, AcknowledgmentError, Batch834, BatchStatus
from enrollment.selectors import batch_status, batches_unacknowledged
from enrollment.services import (
    batch_cut,
    batch_write,
    disenrollment_submit,
    enrollment_submit,
)
from posc.clock import EASTERN
from posc.exceptions import DomainError
from posc.members.demo import CCA_SCO, FALLON_SCO
from posc.members.models import Plan
from posc.mmis.x12_999 import MAX_BYTES
from tests.factories import MemberFactory, SpanFactory
from tests.x12check import assert_valid_834, check_834, pyx12_errors

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def enroll(user, member, provider_id=CCA_SCO):
    return enrollment_submit(token=uuid.uuid4(), program="SCO", provider_id=provider_id,
                             member=member, last_name=member.last_name,
                             first_name=member.first_name, actor=user, today=TODAY)


@pytest.fixture
def cca_plan(reference_data):
    return Plan.objects.get(provider_id=CCA_SCO)


@pytest.fixture
def batch(cca_sco, cca_plan):
    """Batch 1 of CCA's SCO plan: two enrollments and a disenrollment, in that loop order."""
    txns = [enroll(cca_sco, MemberFactory()), enroll(cca_sco, MemberFactory())]
    leaving = SpanFactory(plan=cca_plan)
    txns.append(disenrollment_submit(
        token=uuid.uuid4(), program="SCO", provider_id=CCA_SCO, member=leaving.member,
        last_name=leaving.member.last_name, first_name=leaving.member.first_name,
        reason="MOVED_OOA", actor=cca_sco, today=TODAY))
    assert all(t.accepted for t in txns)
    cut = batch_cut(plan=cca_plan)
    cut.txns = txns
    return cut


def make_999(tmp_path, batch_number=1, *options, provider_id=CCA_SCO, name="ack.999"):
    out = tmp_path / name
    call_command("make_999", "--provider-id", provider_id, "--batch", str(batch_number),
                 "--output", str(out), *options)
    return out


def load(path, user, plans=None):
    return acknowledgment_load(data=path.read_bytes(), filename=path.name,
                               plans=plans if plans is not None else list(
                                   Plan.objects.filter(provider_id=CCA_SCO)),
                               actor=user)


class TestOutcomes:
    def test_the_made_999_is_valid_and_accepting_sets_accepted(self, batch, cca_sco, tmp_path):
        assert batch_status(batch=batch) == BatchStatus.SENT
        path = make_999(tmp_path)
        assert pyx12_errors(path.read_text()) == []
        ack = load(path, cca_sco)
        assert (ack.kind, ack.outcome, ack.code, ack.batch) == ("999", "ACCEPTED", "A", batch)
        assert batch_status(batch=batch) == BatchStatus.ACCEPTED
        assert not ack.errors.exists()
        assert AuditEvent.objects.filter(object_type="834 acknowledgment",
                                         object_id=batch.label).exists()

    def test_errors_noted_accepted_with_errors_names_the_member_loop(self, batch, cca_sco,
                                                                     tmp_path):
        second = batch.txns[1]
        ack = load(make_999(tmp_path, 1, "--error-loop", second.reference), cca_sco)
        assert ack.outcome == "ACCEPTED_WITH_ERRORS"
        assert batch_status(batch=batch) == BatchStatus.ACCEPTED_WITH_ERRORS
        [error] = ack.errors.all()
        assert (error.transaction, error.member_id, error.segment_id, error.loop_id) == (
            second, second.member_id, "REF", "2000")
        assert error.reason.startswith("Segment has data element errors; Invalid code value")

    def test_rejecting_named_loops_rejects_the_batch(self, batch, cca_sco, tmp_path):
        first, _, leaving = batch.txns
        ack = load(make_999(tmp_path, 1, "--reject-loop", leaving.member_id,
                            "--reject-loop", first.reference), cca_sco)
        assert (ack.outcome, ack.code) == ("REJECTED", "R")
        assert "One or more segments in error" in ack.reason
        assert [(e.transaction, e.member_id) for e in ack.errors.all()] == [
            (first, first.member_id), (leaving, leaving.member_id)]
        assert batch_status(batch=batch) == BatchStatus.REJECTED

    def test_a_ta1_rejecting_the_interchange_counts_as_rejected(self, batch, cca_sco, tmp_path):
        ack = load(make_999(tmp_path, 1, "--ta1-reject", "006"), cca_sco)
        assert (ack.kind, ack.outcome, ack.code) == ("TA1", "REJECTED", "R")
        assert ack.reason == "Interchange rejected: Invalid sender ID"
        assert batch_status(batch=batch) == BatchStatus.REJECTED

    def test_a_ta1_accepting_the_envelope_leaves_the_batch_sent(self, batch, cca_sco, tmp_path):
        text = make_999(tmp_path, 1, "--ta1-reject", "000").read_text().replace("*R*000~",
                                                                               "*A*000~")
        path = tmp_path / "ok.ta1"
        path.write_text(text)
        ack = load(path, cca_sco)
        assert (ack.kind, ack.outcome) == ("TA1", "INTERCHANGE_ACCEPTED")
        assert batch_status(batch=batch) == BatchStatus.SENT

    def test_the_latest_acknowledgment_sets_the_status(self, batch, cca_sco, tmp_path):
        load(make_999(tmp_path, 1, "--reject-loop", batch.txns[0].reference, name="r.999"),
             cca_sco)
        load(make_999(tmp_path, 1, name="a.999"), cca_sco)
        assert batch_status(batch=batch) == BatchStatus.ACCEPTED
        assert Acknowledgment.objects.filter(batch=batch).count() == 2


class TestRefusals:
    """Each refusal: its code, a clear message, and nothing stored."""

    def refused(self, code, *, data, user, plans=None, message=""):
        with pytest.raises(DomainError) as refusal:
            acknowledgment_load(data=data, filename="x.999", actor=user,
                                plans=plans or list(Plan.objects.filter(provider_id=CCA_SCO)))
        assert refusal.value.code == code
        assert message in refusal.value.message
        assert "Nothing was loaded" in refusal.value.message
        assert not Acknowledgment.objects.exists() and not AcknowledgmentError.objects.exists()

    def test_not_a_999(self, batch, cca_sco, tmp_path):
        self.refused("ACK_INVALID", data=b"hello", user=cca_sco, message="not an X12 file")

    def test_an_834_is_not_a_999(self, batch, cca_sco, tmp_path):
        batch_write(batch=batch, path=tmp_path / "b1.x12")
        self.refused("ACK_INVALID", data=(tmp_path / "b1.x12").read_bytes(), user=cca_sco,
                     message="834 enrollment file")

    def test_a_broken_999(self, batch, cca_sco, tmp_path):
        text = make_999(tmp_path).read_text().replace("SE*6*", "SE*8*")
        self.refused("ACK_INVALID", data=text.encode(), user=cca_sco, message="SE count")

    def test_one_over_the_size_bound(self, batch, cca_sco):
        self.refused("ACK_INVALID", data=b"ISA" + b" " * MAX_BYTES, user=cca_sco,
                     message="larger than")

    def test_another_plans_999(self, batch, cca_sco, tmp_path):
        Batch834.objects.create(plan=Plan.objects.get(provider_id=FALLON_SCO), number=1,
                                loop_count=1)
        # Fallon's 999 for its batch 1, loaded by CCA (whose own batch 1 exists too).
        path = make_999(tmp_path, 1, provider_id=FALLON_SCO)
        self.refused("ACK_OTHER_PLAN", data=path.read_bytes(), user=cca_sco,
                     message="belongs to another plan")

    def test_a_999_addressed_elsewhere(self, batch, cca_sco, tmp_path):
        text = make_999(tmp_path).read_text().replace("MASSHEALTH     ", "SOMEONEELSE    ")
        self.refused("ACK_INVALID", data=text.encode(), user=cca_sco, message="SOMEONEELSE")

    def test_a_999_matching_no_batch(self, batch, cca_sco, tmp_path):
        text = (make_999(tmp_path).read_text().replace("AK1*BE*1*", "AK1*BE*9*")
                .replace("AK2*834*0001*", "AK2*834*0009*"))
        self.refused("ACK_NO_BATCH", data=text.encode(), user=cca_sco,
                     message="834 batch 9 of 110000001A")

    def test_control_numbers_that_disagree(self, batch, cca_sco, tmp_path):
        text = make_999(tmp_path).read_text().replace("AK2*834*0001*", "AK2*834*0002*")
        self.refused("ACK_NO_BATCH", data=text.encode(), user=cca_sco, message="AK102")

    def test_the_same_file_twice(self, batch, cca_sco, tmp_path):
        path = make_999(tmp_path)
        load(path, cca_sco)
        with pytest.raises(DomainError) as refusal:
            load(path, cca_sco)
        assert refusal.value.code == "ACK_DUPLICATE"
        assert Acknowledgment.objects.count() == 1


class TestResend:
    def reject(self, batch, user, tmp_path):
        load(make_999(tmp_path, batch.number, "--reject-loop", batch.txns[0].reference), user)

    def test_a_rejected_batch_goes_again_under_a_new_number_with_the_same_loops(
            self, batch, cca_sco, ops_user, tmp_path):
        self.reject(batch, cca_sco, tmp_path)
        again = batch_resend(batch=batch, actor=ops_user)
        assert (again.number, again.resend_of, again.loop_count) == (2, batch, 3)
        batch_write(batch=batch, path=tmp_path / "b1.x12")
        batch_write(batch=again, path=tmp_path / "b2.x12")
        assert_valid_834(tmp_path / "b2.x12")
        code, report = check_834([tmp_path / "b2.x12"])
        assert code == 0, report

        def loops(path):
            text = path.read_text()
            return text[text.index("INS*"):text.index("SE*")]

        assert loops(tmp_path / "b2.x12") == loops(tmp_path / "b1.x12")
        isa = (tmp_path / "b2.x12").read_text().split("~")[0].split("*")
        assert isa[13] == "000000002"
        # The new batch is acknowledged on its own number.
        ack = load(make_999(tmp_path, 2, name="b2.999"), cca_sco)
        assert ack.batch == again and batch_status(batch=again) == BatchStatus.ACCEPTED
        assert batch_status(batch=batch) == BatchStatus.REJECTED

    def test_only_a_rejected_batch_goes_again_and_only_once(self, batch, cca_sco, ops_user,
                                                             tmp_path):
        with pytest.raises(DomainError) as refusal:
            batch_resend(batch=batch, actor=ops_user)
        assert refusal.value.code == "BATCH_NOT_REJECTED"
        self.reject(batch, cca_sco, tmp_path)
        batch_resend(batch=batch, actor=ops_user)
        with pytest.raises(DomainError) as refusal:
            batch_resend(batch=batch, actor=ops_user)
        assert refusal.value.code == "BATCH_RESENT"
        assert Batch834.objects.count() == 2

    def test_the_next_cut_takes_the_number_after_the_resend(self, batch, cca_sco, cca_plan,
                                                            ops_user, tmp_path):
        self.reject(batch, cca_sco, tmp_path)
        batch_resend(batch=batch, actor=ops_user)
        enroll(cca_sco, MemberFactory())
        assert batch_cut(plan=cca_plan).number == 3


def cut_on(batch, moment: datetime.datetime) -> None:
    Batch834.objects.filter(pk=batch.pk).update(created_at=moment.replace(tzinfo=EASTERN))


class TestOverdue:
    """Enrollment Operations sees batches with no acknowledgment after 2 business days."""

    def test_two_business_days_after_the_cut(self, batch):
        cut_on(batch, datetime.datetime(2026, 11, 30, 18, 0))  # a Monday, the daily run
        assert not batches_unacknowledged(today=datetime.date(2026, 12, 2)).exists()  # Wed: due
        assert list(batches_unacknowledged(today=datetime.date(2026, 12, 3))) == [batch]

    def test_weekends_and_holidays_are_not_business_days(self, batch):
        # Wednesday before Thanksgiving (Thursday 11/26, a Massachusetts holiday): Friday
        # and Monday are the two business days, so it is overdue from Tuesday.
        cut_on(batch, datetime.datetime(2026, 11, 25, 18, 0))
        assert not batches_unacknowledged(today=datetime.date(2026, 11, 30)).exists()
        assert list(batches_unacknowledged(today=datetime.date(2026, 12, 1))) == [batch]

    def test_an_acknowledged_batch_is_not_overdue_but_a_ta1_acceptance_is_no_999(
            self, batch, cca_sco, tmp_path):
        cut_on(batch, datetime.datetime(2026, 11, 2, 18, 0))
        text = make_999(tmp_path, 1, "--ta1-reject", "000").read_text().replace("*R*", "*A*")
        (tmp_path / "ok.ta1").write_text(text)
        load(tmp_path / "ok.ta1", cca_sco)
        assert list(batches_unacknowledged(today=datetime.date(2026, 12, 3))) == [batch]
        load(make_999(tmp_path), cca_sco)
        assert not batches_unacknowledged(today=datetime.date(2026, 12, 3)).exists()


class TestCommands:
    def test_load_999_loads_for_the_named_plan(self, batch, tmp_path, capsys):
        path = make_999(tmp_path, 1, "--reject-loop", batch.txns[1].reference)
        capsys.readouterr()
        call_command("load_999", "--provider-id", CCA_SCO, str(path))
        assert capsys.readouterr().out.strip() == (
            "loaded 999 implementation acknowledgment for batch 1 of 110000001A: Rejected, "
            "1 segment in error")
        ack = Acknowledgment.objects.get()
        assert ack.loaded_by is None and ack.filename == "ack.999"

    def test_load_999_refuses_another_plans_file(self, batch, tmp_path):
        path = make_999(tmp_path)
        with pytest.raises(CommandError, match="ACK_OTHER_PLAN"):
            call_command("load_999", "--provider-id", FALLON_SCO, str(path))
        assert not Acknowledgment.objects.exists()

    def test_make_999_refuses_a_loop_not_in_the_batch(self, batch, tmp_path):
        with pytest.raises(CommandError, match="has no loop"):
            make_999(tmp_path, 1, "--reject-loop", "ENR-20000101-000000")


class TestPages:
    def test_the_plan_uploads_and_sees_the_status_and_the_loops_in_error(
            self, batch, cca_sco, client_for, tmp_path):
        client = client_for(cca_sco)
        path = make_999(tmp_path, 1, "--reject-loop", batch.txns[1].reference)
        with path.open("rb") as upload:
            response = client.post(reverse("enrollment:files"), {"file": upload})
        detail = reverse("enrollment:file_detail", args=[batch.pk])
        assert response.status_code == 302 and response["Location"] == detail
        page = client.get(detail).content.decode()
        assert "Rejected" in page and batch.txns[1].member_id in page
        assert batch.txns[1].reference in page and "Invalid code value" in page
        listing = client.get(reverse("enrollment:files")).content.decode()
        assert "<td>Rejected</td>" in listing.replace("\n", "")

    def test_a_refused_upload_says_why_and_changes_nothing(self, batch, cca_sco, client_for,
                                                            tmp_path):
        client = client_for(cca_sco)
        path = tmp_path / "junk.999"
        path.write_bytes(b"not an acknowledgment")
        with path.open("rb") as upload:
            response = client.post(reverse("enrollment:files"), {"file": upload})
        assert response.status_code == 200
        assert "This is not an X12 file" in response.content.decode()
        assert not Acknowledgment.objects.exists()

    def test_another_plans_batch_page_is_not_found(self, batch, fallon_sco, client_for):
        response = client_for(fallon_sco).get(reverse("enrollment:file_detail",
                                                      args=[batch.pk]))
        assert response.status_code in (403, 404)

    def test_operations_sees_the_status_and_the_overdue_filter_and_resends(
            self, batch, cca_sco, ops_user, client_for, tmp_path):
        from posc.roles import roles_sync
        ops_user.groups.add(roles_sync()["Enrollment Operations"])
        cut_on(batch, datetime.datetime(2020, 1, 6, 18, 0))  # long overdue by any clock
        client = client_for(ops_user)
        url = reverse("admin:enrollment_batch834_changelist")
        overdue = client.get(url, {"ack": "OVERDUE"})
        assert overdue.status_code == 200 and list(overdue.context["cl"].result_list) == [batch]
        load(make_999(tmp_path, 1, "--reject-loop", batch.txns[0].reference), cca_sco)
        assert not list(client.get(url, {"ack": "OVERDUE"}).context["cl"].result_list)
        rejected = client.get(url, {"ack": "REJECTED"})
        assert list(rejected.context["cl"].result_list) == [batch]
        assert "Rejected" in rejected.content.decode()
        response = client.post(url, {"action": "resend_action", "_selected_action": [batch.pk]})
        assert response.status_code == 302
        assert Batch834.objects.get(resend_of=batch).number == 2
