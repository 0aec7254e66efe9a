"""export_834, batch numbering, byte-identical re-writes, and the 834 Files page."""

import datetime
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from enrollment.models import Batch834, EnrollmentTransaction
from enrollment.services import batch_cut, disenrollment_submit, enrollment_submit
from posc.members.demo import CCA_SCO, FALLON_SCO
from posc.members.models import Plan
from tests.factories import MemberFactory, SpanFactory
from tests.x12check import assert_valid_834, check_834

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def enroll(user, member, provider_id=CCA_SCO):
    return enrollment_submit(token=uuid.uuid4(), program="SCO", provider_id=provider_id,
                             member=member, last_name=member.last_name,
                             first_name=member.first_name, actor=user, today=TODAY)


def disenroll(user, member, reason="MBR_REQ", provider_id=CCA_SCO):
    return disenrollment_submit(token=uuid.uuid4(), program="SCO", provider_id=provider_id,
                                member=member, last_name=member.last_name,
                                first_name=member.first_name, reason=reason, actor=user,
                                today=TODAY)


def export(tmp_path, name, *extra):
    out = tmp_path / name
    call_command("export_834", "--provider-id", CCA_SCO, "--output", str(out), *extra)
    return out


def segments(path):
    return [s.strip() for s in path.read_text().split("~") if s.strip()]


class TestExportCommand:
    def test_cuts_a_valid_batch_with_every_pending_transaction(self, cca_sco, tmp_path, capsys):
        members = [MemberFactory(last_name=f"O'SAMPLE*{i}", first_name="Zoë") for i in range(3)]
        for member in members:
            enroll(cca_sco, member)
        leaving = SpanFactory(plan=Plan.objects.get(provider_id=CCA_SCO))
        disenroll(cca_sco, leaving.member, reason="MOVED_OOA")
        enroll(cca_sco, MemberFactory(esrd=True))  # rejected: never in a batch
        out = export(tmp_path, "b1.x12")
        assert "wrote batch 1" in capsys.readouterr().out
        assert_valid_834(out)
        code, output = check_834([out])
        assert code == 0, output
        segs = segments(out)
        assert [s for s in segs if s.startswith("INS")] == [
            "INS*Y*18*021*28*A*C"] * 3 + ["INS*Y*18*024*43*A*C"]
        assert "DTP*357*D8*20261130" in segs and "DTP*349*D8*20261130" in segs
        assert "NM1*IL*1*O'SAMPLE 0*ZOE" in segs
        assert segs[0].split("*")[13] == "000000001"
        assert EnrollmentTransaction.objects.filter(entry__batch__number=1).count() == 4
        assert not EnrollmentTransaction.objects.filter(status="ACCEPTED",
                                                        entry__batch=None).exists()
        assert not EnrollmentTransaction.objects.filter(status="REJECTED",
                                                        entry__isnull=False).exists()

    def test_nothing_pending_writes_nothing_and_uses_no_number(self, cca_sco, tmp_path, capsys):
        out = export(tmp_path, "none.x12")
        assert capsys.readouterr().out.strip() == f"no pending transactions for {CCA_SCO}"
        assert not out.exists() and not Batch834.objects.exists()
        enroll(cca_sco, MemberFactory())
        export(tmp_path, "b1.x12")
        assert list(Batch834.objects.values_list("number", flat=True)) == [1]

    def test_numbers_have_no_gap_and_batch_n_rewrites_the_same_bytes(self, cca_sco, tmp_path):
        first_member = MemberFactory()
        enroll(cca_sco, first_member)
        b1 = export(tmp_path, "b1.x12")
        export(tmp_path, "empty.x12")
        enroll(cca_sco, MemberFactory())
        b2 = export(tmp_path, "b2.x12")
        assert list(Batch834.objects.order_by("number").values_list("number", flat=True)) == [1, 2]
        assert segments(b2)[0].split("*")[13] == "000000002"
        first_member.last_name = "RENAMEDBYFEED"
        first_member.save()
        again = export(tmp_path, "b1-again.x12", "--batch", "1")
        assert again.read_bytes() == b1.read_bytes()
        assert Batch834.objects.get(number=1).sha256

    def test_control_numbers_are_per_receiver(self, cca_sco, fallon_sco, tmp_path):
        enroll(cca_sco, MemberFactory())
        enroll(fallon_sco, MemberFactory(county="Worcester"), provider_id=FALLON_SCO)
        assert batch_cut(plan=Plan.objects.get(provider_id=CCA_SCO)).number == 1
        assert batch_cut(plan=Plan.objects.get(provider_id=FALLON_SCO)).number == 1

    def test_cancellation_is_a_termination_on_the_start_date(self, cca_sco, tmp_path):
        member = MemberFactory()
        enroll(cca_sco, member)
        disenroll(cca_sco, member, reason="ADMIN_ERR")
        out = export(tmp_path, "cancel.x12")
        assert_valid_834(out)
        segs = segments(out)
        assert "INS*Y*18*024*AI*A*C" in segs and "DTP*357*D8*20261201" in segs
        # Our conventions (docs/834.md) want every termination on a month's last day; the
        # cancellation (end = start, a 1st) is the one deliberate exception.
        code, output = check_834([out])
        strict = [line for line in output.splitlines() if "STRICT" in line]
        assert strict and all("not the last day of a month" in line for line in strict)

    def test_errors(self, tmp_path):
        with pytest.raises(CommandError, match="no plan"):
            call_command("export_834", "--provider-id", "999999999Z", "--output",
                         str(tmp_path / "x"))

    def test_unknown_batch(self, reference_data, tmp_path):
        with pytest.raises(CommandError, match="has no batch 7"):
            export(tmp_path, "x.x12", "--batch", "7")


class TestFilesPage:
    def test_lists_own_batches_newest_first_and_downloads_the_same_bytes(
            self, cca_sco, fallon_sco, client_for, tmp_path):
        enroll(cca_sco, MemberFactory())
        b1 = export(tmp_path, "b1.x12")
        enroll(cca_sco, MemberFactory())
        export(tmp_path, "b2.x12")
        enroll(fallon_sco, MemberFactory(county="Worcester"), provider_id=FALLON_SCO)
        fallon_batch = batch_cut(plan=Plan.objects.get(provider_id=FALLON_SCO))

        client = client_for(cca_sco)
        html = client.get(reverse("enrollment:files")).content.decode()
        assert "<h1>834 Files</h1>" in html
        assert html.index("834_110000001A_000002") < html.index("834_110000001A_000001")
        assert "110000003A" not in html
        batch1 = Batch834.objects.get(plan__provider_id=CCA_SCO, number=1)
        response = client.get(reverse("enrollment:file_download", args=[batch1.pk]))
        assert b"".join(response.streaming_content) == b1.read_bytes()
        assert client.get(reverse("enrollment:file_download",
                                  args=[fallon_batch.pk])).status_code == 404

    def test_staff_without_a_plan_get_403(self, ops_user, client_for, reference_data):
        assert client_for(ops_user).get(reverse("enrollment:files")).status_code == 403
