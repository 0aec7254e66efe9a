"""Issue 6 item 5: an 834 export killed midway, then run again; files written atomically.

``export_834`` (and the daily task) run as real child processes on the test's database
(tests/security/export_child.py), stop at a chosen point and are killed there with
SIGKILL: no ``finally`` runs, no transaction commits. The rerun must then write the batch
that was cut, under its number, with the bytes an uninterrupted write gives, and the next
cut must take the next number.
"""

import os
import signal
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from enrollment.models import Batch834, BatchEntry, EnrollmentTransaction
from enrollment.services import batch_cut, enrollment_submit
from enrollment.tasks import batch_daily
from posc import clock
from posc.members.demo import CCA_SCO
from posc.members.models import Plan
from tests.factories import MemberFactory
from tests.security.export_child import PAUSED
from tests.security.helpers import database_url
from tests.x12check import assert_valid_834

ROOT = Path(__file__).resolve().parents[2]
LOOPS = 2100  # batch_stream yields every 1000 loops: three chunks
NAME = f"834_{CCA_SCO}_000001.x12"

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def accepted(user, count: int = 1) -> None:
    """Make *count* accepted, unsent enrollments in CCA's SCO plan.

    The first goes through enrollment_submit; the others copy its row with their own
    reference, token and Member ID (set-up only: 2,000 Submits would take a minute).
    """
    member = MemberFactory()
    txn = enrollment_submit(token=uuid.uuid4(), program="SCO", provider_id=CCA_SCO,
                            member=member, last_name=member.last_name,
                            first_name=member.first_name, actor=user, today=clock.today())
    assert txn.accepted, txn.errors
    fields = {f.attname: getattr(txn, f.attname)
              for f in EnrollmentTransaction._meta.concrete_fields if not f.primary_key}
    copies = EnrollmentTransaction.objects.bulk_create(
        EnrollmentTransaction(**{**fields, "reference": f"ENR-COPY-{n:06d}",
                                 "token": uuid.uuid4(),
                                 "loop_x12": txn.loop_x12.replace(member.member_id,
                                                                  f"9{n:011d}")})
        for n in range(1, count))
    BatchEntry.objects.bulk_create(BatchEntry(transaction=t, plan=txn.plan) for t in copies)


_children: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_child_left():
    """Kill a child a failed assertion left paused (its transaction would block the flush)."""
    yield
    while _children:
        child = _children.pop()
        if child.poll() is None:
            kill(child)


def paused_child(point: str, mode: str, *args: str) -> subprocess.Popen:
    """Start export_child and return it once it has reached its crash point."""
    # pytest-django exported DJANGO_SETTINGS_MODULE: the child runs with the test settings.
    env = {**os.environ, "DATABASE_URL": database_url()}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.security.export_child", point, mode, *args], cwd=ROOT,
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    _children.append(child)
    lines = []
    for line in child.stdout:  # blocks until the child pauses, or ends without pausing
        if line.strip() == PAUSED:
            return child
        lines.append(line)
    child.wait()
    pytest.fail(f"the child ended before {point}: {''.join(lines)}{child.stderr.read()}")


def kill(child: subprocess.Popen) -> None:
    """SIGKILL *child* at its crash point: nothing of it runs any further."""
    child.send_signal(signal.SIGKILL)
    returncode = child.wait()
    for pipe in (child.stdin, child.stdout, child.stderr):
        pipe.close()
    assert returncode == -signal.SIGKILL
    server_dropped_backends_of_the_dead()


def server_dropped_backends_of_the_dead(wait: float = 30.0) -> None:
    """Wait until PostgreSQL has ended the killed child's session and released its locks.

    The server learns that a client died only when it reads the closed socket, a moment after
    the process is gone; until then the child's row lock still stands and a rerun skips the
    locked batch (CI failed once that way). This waits for the server, it times nothing.
    """
    deadline = time.monotonic() + wait
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND pid <> pg_backend_pid()")
            (others,) = cursor.fetchone()
        if others == 0:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{others} session(s) of the killed child still open after {wait} s")
        time.sleep(0.05)


def export(out: Path, *extra: str) -> None:
    call_command("export_834", "--provider-id", CCA_SCO, "--output", str(out), *extra)


def temporaries(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.name.startswith("."))


def control_numbers(path: Path) -> tuple[str, str, str]:
    """Return ISA13, GS06 and ST02 of the 834 at *path*."""
    segments = {s.split("*")[0].strip(): s.split("*") for s in path.read_text().split("~")[:3]}
    return segments["ISA"][13], segments["GS"][6], segments["ST"][2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class TestExportKilledWhileWriting:
    def test_rerun_writes_the_cut_batch_with_the_same_bytes_and_numbers(
            self, cca_sco, tmp_path, capsys):
        accepted(cca_sco, LOOPS)
        out = tmp_path / "out" / NAME
        child = paused_child("write", "command", "--provider-id", CCA_SCO, "--output", str(out))

        # Mid-write: the bytes so far are in a 0600 temporary file beside the destination.
        [partial] = temporaries(out.parent)
        assert partial.name.startswith(f".{NAME}.") and partial.name.endswith(".tmp")
        assert mode(partial) == 0o600 and partial.stat().st_size > 0
        assert not out.exists()
        # The cut committed before the write began: number 1 is taken, and not yet written.
        batch = Batch834.objects.get()
        assert (batch.number, batch.loop_count, batch.sha256) == (1, LOOPS, "")

        kill(child)
        assert not out.exists()  # never a partial 834 under the real name
        assert temporaries(out.parent) == [partial]  # SIGKILL: nothing could clean up
        partial_size = partial.stat().st_size

        export(out)  # the same command again
        assert "was cut but never written" in capsys.readouterr().out
        assert temporaries(out.parent) == []  # the killed writer's leftover is removed
        assert mode(out) == 0o600 and out.stat().st_size > partial_size
        assert mode(out.parent) == 0o700  # created by the export: owner only
        assert control_numbers(out) == ("000000001", "1", "0001")
        assert list(Batch834.objects.values_list("number", flat=True)) == [1]
        assert not BatchEntry.objects.filter(batch=None).exists()
        uninterrupted = tmp_path / "again.x12"
        export(uninterrupted, "--batch", "1")
        assert out.read_bytes() == uninterrupted.read_bytes()

        accepted(cca_sco)
        second = tmp_path / "second.x12"
        export(second)
        assert list(Batch834.objects.order_by("number").values_list("number", flat=True)) == [1, 2]
        assert control_numbers(second) == ("000000002", "2", "0002")  # no gap, no reuse
        assert_valid_834(second)

    def test_rewrite_killed_midway_leaves_the_old_file_whole(self, cca_sco, tmp_path):
        accepted(cca_sco, LOOPS)
        out = tmp_path / NAME
        export(out)
        before = out.read_bytes()
        child = paused_child("write", "command", "--provider-id", CCA_SCO, "--output", str(out),
                             "--batch", "1")
        [partial] = temporaries(tmp_path)
        assert 0 < partial.stat().st_size < len(before)
        # A write of the same path meanwhile leaves the live writer's temporary file alone.
        export(out, "--batch", "1")
        assert temporaries(tmp_path) == [partial]
        kill(child)
        assert out.read_bytes() == before
        export(out, "--batch", "1")
        assert temporaries(tmp_path) == [] and out.read_bytes() == before


class TestTwoRunsAtOnce:
    def test_a_run_while_another_writes_says_so_and_cuts_nothing(self, cca_sco, tmp_path):
        accepted(cca_sco, LOOPS)
        child = paused_child("write", "command", "--provider-id", CCA_SCO, "--output",
                             str(tmp_path / NAME))
        with pytest.raises(CommandError, match="batch 1 for .* is being written by another run"):
            export(tmp_path / "other.x12")
        assert list(Batch834.objects.values_list("number", flat=True)) == [1]
        assert not (tmp_path / "other.x12").exists()
        kill(child)


class TestUnwrittenBatchGoesFirst:
    def test_a_rerun_writes_the_cut_batch_before_cutting_the_next(self, cca_sco, tmp_path,
                                                                    capsys):
        accepted(cca_sco)
        batch_cut(plan=Plan.objects.get(provider_id=CCA_SCO))  # as if the writer then died
        accepted(cca_sco)  # pending meanwhile
        export(tmp_path / "first.x12")
        assert f"wrote batch 1 for {CCA_SCO} (1 member)" in capsys.readouterr().out
        export(tmp_path / "second.x12")
        assert f"wrote batch 2 for {CCA_SCO} (1 member)" in capsys.readouterr().out
        assert control_numbers(tmp_path / "second.x12") == ("000000002", "2", "0002")
        export(tmp_path / "none.x12")
        assert capsys.readouterr().out.strip() == f"no pending transactions for {CCA_SCO}"


class TestExportKilledWhileCutting:
    def test_no_number_is_taken_and_the_rerun_cuts_number_one(self, cca_sco, tmp_path, capsys):
        accepted(cca_sco, 3)
        out = tmp_path / NAME
        child = paused_child("cut", "command", "--provider-id", CCA_SCO, "--output", str(out))
        kill(child)
        assert not Batch834.objects.exists()
        assert BatchEntry.objects.filter(batch=None).count() == 3
        assert not out.exists() and not temporaries(tmp_path)

        export(out)  # waits, if need be, for PostgreSQL to end the killed child's session
        assert f"wrote batch 1 for {CCA_SCO} (3 members)" in capsys.readouterr().out
        assert control_numbers(out) == ("000000001", "1", "0001")
        assert list(Batch834.objects.values_list("number", flat=True)) == [1]


class TestDailyTaskKilledWhileWriting:
    def test_the_next_run_writes_the_batch_once_with_the_same_bytes(self, cca_sco, tmp_path,
                                                                     settings):
        accepted(cca_sco, LOOPS)
        outbox = settings.X12_OUTBOX = tmp_path / "834"
        child = paused_child("write", "daily", CCA_SCO, str(outbox))
        assert not (outbox / NAME).exists() and len(temporaries(outbox)) == 1
        kill(child)

        result = batch_daily.call(provider_id=CCA_SCO)
        assert result["cut"] is None and [b["number"] for b in result["written"]] == [1]
        assert [p.name for p in outbox.iterdir()] == [NAME]  # no temporary file left
        uninterrupted = tmp_path / "again.x12"
        export(uninterrupted, "--batch", "1")
        assert (outbox / NAME).read_bytes() == uninterrupted.read_bytes()
        assert batch_daily.call(provider_id=CCA_SCO)["written"] == []  # written once
