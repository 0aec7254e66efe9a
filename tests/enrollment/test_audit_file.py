"""The monthly full-file (audit) 834: who is in it, its loops, its numbers, task and command."""

import dataclasses
import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent
from enrollment.audit_files import audit_file_cut, audit_file_write
from enrollment.models import AUDIT_CONTROL_BASE, AuditFile834, Batch834
from enrollment.services import batch_cut
from enrollment.tasks import audit_file_monthly
from posc.exceptions import DomainError
from posc.members.demo import CCA_ONE_CARE, CCA_SCO, FALLON_SCO
from posc.members.models import County, EnrollmentSpan, Plan
from posc.mmis.types import AuditLoop834
from posc.mmis.x12_834 import audit_member_loop
from tests.enrollment.helpers import accept, span_open
from tests.factories import MemberFactory
from tests.x12check import assert_valid_834, check_834

DEC_1 = datetime.date(2026, 12, 1)


def segments(path) -> list[list[str]]:
    return [s.strip().split("*") for s in path.read_text().split("~") if s.strip()]


def member_ids(path) -> list[str]:
    return [s[2] for s in segments(path) if s[:2] == ["REF", "0F"]]


@pytest.fixture
def cca(reference_data) -> Plan:
    return Plan.objects.get(provider_id=CCA_SCO)


class TestWho:
    def test_every_member_in_force_on_the_date_and_nobody_else(self, cca, tmp_path):
        open_span = span_open(cca, start=datetime.date(2026, 1, 1))
        ending = span_open(cca, start=datetime.date(2026, 3, 1), end=datetime.date(2026, 12, 31))
        span_open(cca, start=datetime.date(2026, 2, 1), end=datetime.date(2026, 11, 30))  # ended
        span_open(cca, start=datetime.date(2027, 1, 1))  # not started
        span_open(cca, start=DEC_1, end=DEC_1, cancelled=True)  # never took effect
        span_open(Plan.objects.get(provider_id=FALLON_SCO), start=datetime.date(2026, 1, 1))
        audit_file = audit_file_cut(plan=cca, as_of=DEC_1)
        path = tmp_path / audit_file.filename
        audit_file_write(audit_file=audit_file, path=path)
        assert member_ids(path) == sorted([open_span.member_id, ending.member_id])
        assert audit_file.loop_count == 2

    def test_a_plan_with_nobody_in_force_gets_no_file_and_no_number(self, cca):
        span_open(cca, start=datetime.date(2027, 1, 1))
        assert audit_file_cut(plan=cca, as_of=DEC_1) is None
        assert not AuditFile834.objects.exists()


class TestLoops:
    def test_the_file_passes_pyx12_and_our_conventions(self, cca, tmp_path):
        for day in (1, 2, 3):
            span_open(cca, start=datetime.date(2026, day, 1))
        span_open(cca, start=datetime.date(2026, 4, 1), end=datetime.date(2026, 12, 31))
        audit_file = audit_file_cut(plan=cca, as_of=DEC_1)
        path = tmp_path / "audit.x12"
        audit_file_write(audit_file=audit_file, path=path)
        assert_valid_834(path)
        failures, report = check_834([path])
        assert failures == 0, report

    def test_one_care_file_passes_pyx12(self, reference_data, tmp_path):
        plan = Plan.objects.get(provider_id=CCA_ONE_CARE)
        span_open(plan, start=datetime.date(2026, 6, 1),
                  member=MemberFactory(date_of_birth=datetime.date(1985, 3, 9),
                                       rating_category="C2A", county=County.WORCESTER))
        audit_file = audit_file_cut(plan=plan, as_of=DEC_1)
        path = tmp_path / "audit.x12"
        audit_file_write(audit_file=audit_file, path=path)
        assert_valid_834(path)
        assert ["REF", "CE", "OC-C2A-RS"] in segments(path)

    def test_each_loop_is_an_audit_with_the_spans_dates_and_rate_cell(self, cca, tmp_path):
        member = MemberFactory(county=County.WORCESTER, rating_category="CNHC",
                               medicare_b_start=None)
        span_open(cca, start=datetime.date(2026, 3, 1), end=datetime.date(2026, 12, 31),
                  member=member)
        audit_file = audit_file_cut(plan=cca, as_of=DEC_1)
        path = tmp_path / "audit.x12"
        audit_file_write(audit_file=audit_file, path=path)
        segs = segments(path)
        start = next(i for i, s in enumerate(segs) if s[0] == "INS")
        loop = segs[start:next(i for i, s in enumerate(segs) if s[0] == "SE")]
        assert loop[0] == ["INS", "Y", "18", "030", "XN", "A", "A"]  # Part A only on Dec 1
        assert ["DTP", "356", "D8", "20260301"] in loop
        assert ["HD", "030", "", "HLT", "SCO PLAN", "IND"] in loop
        assert ["DTP", "348", "D8", "20260301"] in loop
        assert ["DTP", "349", "D8", "20261231"] in loop
        assert loop[-1] == ["REF", "CE", "SCO-CNHC-RS"]
        assert ["BGN", "00", f"{CCA_SCO}-A20261201", *segs[3][3:5], "", "", "", "4"] == segs[3]
        assert ["DTP", "007", "D8", "20261201"] in segs

    def test_an_open_span_has_no_end_date(self, cca, tmp_path):
        span_open(cca, start=datetime.date(2026, 3, 1))
        audit_file = audit_file_cut(plan=cca, as_of=DEC_1)
        path = tmp_path / "audit.x12"
        audit_file_write(audit_file=audit_file, path=path)
        assert not [s for s in segments(path) if s[:2] == ["DTP", "349"]]


class TestNumbers:
    def test_own_counter_in_its_own_control_range_leaves_daily_batches_alone(
            self, cca, cca_sco, tmp_path):
        span_open(cca, start=datetime.date(2026, 1, 1))
        first = audit_file_cut(plan=cca, as_of=DEC_1)
        second = audit_file_cut(plan=cca, as_of=datetime.date(2027, 1, 1))
        accept(cca_sco)
        batch = batch_cut(plan=cca)
        assert (first.number, second.number, batch.number) == (1, 2, 1)
        path = tmp_path / "a.x12"
        audit_file_write(audit_file=first, path=path)
        isa = segments(path)[0]
        assert isa[13] == f"{AUDIT_CONTROL_BASE + 1:09d}"
        assert Batch834.objects.get().number == 1

    def test_the_same_plan_and_date_is_numbered_once(self, cca):
        span_open(cca, start=datetime.date(2026, 1, 1))
        assert audit_file_cut(plan=cca, as_of=DEC_1) == audit_file_cut(plan=cca, as_of=DEC_1)
        assert AuditFile834.objects.count() == 1

    def test_a_second_write_gives_the_same_bytes(self, cca, tmp_path):
        span_open(cca, start=datetime.date(2026, 1, 1))
        audit_file = audit_file_cut(plan=cca, as_of=DEC_1)
        one, two = tmp_path / "1.x12", tmp_path / "2.x12"
        sha = audit_file_write(audit_file=audit_file, path=one)
        assert audit_file_write(audit_file=AuditFile834.objects.get(), path=two) == sha
        assert one.read_bytes() == two.read_bytes()

    def test_a_write_after_the_members_changed_is_refused_and_writes_nothing(
            self, cca, tmp_path):
        span_open(cca, start=datetime.date(2026, 1, 1))
        audit_file = audit_file_cut(plan=cca, as_of=DEC_1)
        audit_file_write(audit_file=audit_file, path=tmp_path / "1.x12")
        span_open(cca, start=datetime.date(2026, 5, 1))  # a late feed adds a member
        with pytest.raises(DomainError) as refused:
            audit_file_write(audit_file=AuditFile834.objects.get(), path=tmp_path / "2.x12")
        assert refused.value.code == "AUDIT_CHANGED"
        assert not (tmp_path / "2.x12").exists()
        assert list(tmp_path.iterdir()) == [tmp_path / "1.x12"]


class TestTaskAndCommand:
    @pytest.fixture
    def outbox(self, settings, tmp_path):
        settings.X12_OUTBOX = tmp_path / "834"
        return settings.X12_OUTBOX

    def test_the_task_writes_to_the_outbox_once(self, cca, outbox):
        span_open(cca, start=datetime.date(2026, 1, 1))
        first = audit_file_monthly.call(provider_id=CCA_SCO, as_of="2026-12-01")
        again = audit_file_monthly.call(provider_id=CCA_SCO, as_of="2026-12-01")
        path = outbox / f"834_{CCA_SCO}_audit_20261201.x12"
        assert first["written"]["file"] == str(path) and path.exists()
        assert again["written"] is None and again["number"] == first["number"]
        assert_valid_834(path)

    def test_the_command_queues_every_sco_and_one_care_plan(self, cca, outbox, capsys):
        span_open(cca, start=datetime.date(2026, 1, 1))
        call_command("audit_834", "--date", "2026-12-01")
        out = capsys.readouterr().out
        assert f"wrote audit file 1 for {CCA_SCO} (1 member) to" in out
        assert f"no member in force with {FALLON_SCO} on 12/01/2026" in out
        assert [p.name for p in outbox.iterdir()] == [f"834_{CCA_SCO}_audit_20261201.x12"]

    def test_the_command_writes_one_plan_to_a_file(self, cca, tmp_path, capsys):
        span_open(cca, start=datetime.date(2026, 1, 1))
        path = tmp_path / "out.x12"
        call_command("audit_834", "--date", "2026-12-01", "--provider-id", CCA_SCO.lower(),
                     "--output", str(path))
        assert "wrote audit file 1" in capsys.readouterr().out
        assert_valid_834(path)

    def test_the_command_refuses_a_bad_date_and_an_unknown_plan(self, cca):
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command("audit_834", "--date", "12/01/2026")
        with pytest.raises(CommandError, match="no SCO or One Care plan"):
            call_command("audit_834", "--provider-id", "999999999Z", "--output", "x")
        assert not EnrollmentSpan.objects.exists() and not AuditFile834.objects.exists()


class TestFilesPage:
    def test_plan_staff_download_the_file_as_first_written_audited_per_member(
            self, cca, cca_sco, fallon_sco, client_for, tmp_path):
        spans = [span_open(cca, start=datetime.date(2026, 1, 1)) for _ in range(2)]
        audit_file = audit_file_cut(plan=cca, as_of=DEC_1)
        path = tmp_path / "first.x12"
        audit_file_write(audit_file=audit_file, path=path)
        client = client_for(cca_sco)
        page = client.get(reverse("enrollment:files"))
        assert audit_file.filename.encode() in page.content
        response = client.get(reverse("enrollment:audit_file_download", args=[audit_file.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == path.read_bytes()
        audited = set(AuditEvent.objects.filter(action="DOWNLOAD", object_type="834 audit file")
                      .values_list("member_id", flat=True))
        assert audited == {s.member_id for s in spans}
        other = client_for(fallon_sco).get(reverse("enrollment:audit_file_download",
                                                   args=[audit_file.pk]))
        assert other.status_code == 404

    def test_a_download_after_the_members_changed_is_refused_with_a_message(
            self, cca, cca_sco, client_for, tmp_path):
        span_open(cca, start=datetime.date(2026, 1, 1))
        audit_file = audit_file_cut(plan=cca, as_of=DEC_1)
        audit_file_write(audit_file=audit_file, path=tmp_path / "first.x12")
        span_open(cca, start=datetime.date(2026, 2, 1))
        response = client_for(cca_sco).get(
            reverse("enrollment:audit_file_download", args=[audit_file.pk]), follow=True)
        assert b"changed since audit file 1 was first written" in response.content


class TestWriterRefuses:
    """The writer refuses a loop it cannot write correctly rather than write a bad file."""

    LOOP = AuditLoop834(
        member_id="100000000121", program_code="SCO", medicare_status="C", last_name="DOE",
        first_name="JANE", middle_initial="", address_line1="1 MAIN ST", city="BOSTON",
        state="MA", zip="02118", date_of_birth=datetime.date(1950, 1, 2), sex="F",
        start_date=DEC_1, rate_cell_code="SCO-CW-GB")

    @pytest.mark.parametrize("change, message", [
        ({"medicare_status": "X"}, "INS06"), ({"sex": "Q"}, "DMG03"),
        ({"program_code": "MCO"}, "unknown program"), ({"rate_cell_code": "~"}, "REF02"),
        ({"last_name": "李"}, "NM103"),
    ])
    def test_a_bad_value_is_refused(self, change, message):
        with pytest.raises(ValueError, match=message):
            audit_member_loop(dataclasses.replace(self.LOOP, **change))

    def test_a_good_loop_has_eleven_segments_and_twelve_with_an_end(self):
        assert len(audit_member_loop(self.LOOP)) == 11
        ended = dataclasses.replace(self.LOOP, end_date=datetime.date(2026, 12, 31))
        assert audit_member_loop(ended)[-2] == "DTP*349*D8*20261231~\n"
