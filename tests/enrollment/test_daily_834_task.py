"""The daily 834 batch task and enqueue_daily_834, with the default (immediate) backend."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from enrollment.models import Batch834
from enrollment.services import batch_cut
from enrollment.tasks import batch_daily
from posc.members.demo import CCA_ONE_CARE, CCA_SCO, FALLON_SCO
from posc.members.models import Plan
from tests.enrollment.helpers import DATABASE_TASKS, accept, control_number
from tests.x12check import assert_valid_834


@pytest.fixture
def outbox(settings, tmp_path):
    settings.X12_OUTBOX = tmp_path / "834"
    return settings.X12_OUTBOX


class TestEnqueueCommand:
    def test_runs_at_once_one_batch_per_plan_with_pending_work(
            self, cca_sco, cca_onecare, outbox, capsys):
        accept(cca_sco)
        accept(cca_sco)
        accept(cca_onecare, CCA_ONE_CARE, "ONE_CARE")
        call_command("enqueue_daily_834")
        out = capsys.readouterr().out
        assert f"wrote batch 1 for {CCA_SCO} (2 members)" in out
        assert f"wrote batch 1 for {CCA_ONE_CARE} (1 member)" in out
        assert f"no pending transactions for {FALLON_SCO}" in out
        assert "queued" not in out
        files = sorted(outbox.iterdir())
        assert [f.name for f in files] == [f"834_{CCA_SCO}_000001.x12",
                                           f"834_{CCA_ONE_CARE}_000001.x12"]
        for path in files:
            assert_valid_834(path)
            assert control_number(path) == 1
        assert Batch834.objects.count() == 2
        assert not Batch834.objects.filter(sha256="").exists()
        assert not DBTaskResult.objects.exists()  # the immediate backend keeps no queue

    def test_every_sco_and_one_care_plan_and_no_other(self, reference_data, outbox, capsys):
        call_command("enqueue_daily_834")
        lines = capsys.readouterr().out.splitlines()
        expected = Plan.objects.filter(program__in=["SCO", "ONE_CARE"])
        assert sorted(lines) == sorted(f"no pending transactions for {plan.provider_id}"
                                       for plan in expected)
        assert len(lines) == 9 and Plan.objects.count() > 9  # MCO and MBHP plans exist
        assert not outbox.exists() and not Batch834.objects.exists()

    def test_a_second_run_takes_no_number_and_a_later_one_the_next(
            self, cca_sco, outbox, capsys):
        accept(cca_sco)
        call_command("enqueue_daily_834")
        call_command("enqueue_daily_834")
        assert f"no pending transactions for {CCA_SCO}" in capsys.readouterr().out
        accept(cca_sco)
        call_command("enqueue_daily_834")
        assert list(Batch834.objects.order_by("number").values_list("number", flat=True)) == [1, 2]
        assert sorted(f.name for f in outbox.iterdir()) == [f"834_{CCA_SCO}_000001.x12",
                                                            f"834_{CCA_SCO}_000002.x12"]
        assert control_number(outbox / f"834_{CCA_SCO}_000002.x12") == 2

    def test_with_the_database_backend_it_only_queues(self, reference_data, settings, outbox,
                                                      capsys):
        settings.TASKS = DATABASE_TASKS
        call_command("enqueue_daily_834")
        assert capsys.readouterr().out.count("queued the 834 batch of ") == 9
        queued = DBTaskResult.objects.all()
        assert {row.status for row in queued} == {TaskResultStatus.READY}
        assert {row.task_path for row in queued} == {"enrollment.tasks.batch_daily"}
        assert sorted(row.args_kwargs["kwargs"]["provider_id"] for row in queued) == sorted(
            Plan.objects.filter(program__in=["SCO", "ONE_CARE"])
            .values_list("provider_id", flat=True))
        assert not outbox.exists()

    def test_a_failed_batch_fails_the_command_and_the_next_run_writes_it(
            self, cca_sco, settings, tmp_path, capsys):
        accept(cca_sco)
        settings.X12_OUTBOX = tmp_path / "not-a-directory"
        settings.X12_OUTBOX.write_text("")
        with pytest.raises(CommandError, match=f"failed for {CCA_SCO}"):
            call_command("enqueue_daily_834")
        assert "FileExistsError" in capsys.readouterr().err
        # The cut stands (the number is taken); the batch waits, unwritten, for the next run.
        assert Batch834.objects.get().sha256 == ""
        settings.X12_OUTBOX = tmp_path / "834"
        call_command("enqueue_daily_834")
        assert f"wrote batch 1 for {CCA_SCO}" in capsys.readouterr().out
        assert_valid_834(settings.X12_OUTBOX / f"834_{CCA_SCO}_000001.x12")


class TestBatchDailyTask:
    def test_writes_a_batch_cut_but_never_written(self, cca_sco, outbox):
        accept(cca_sco)
        batch_cut(plan=Plan.objects.get(provider_id=CCA_SCO))  # as if the writer then died
        result = batch_daily.enqueue(provider_id=CCA_SCO)
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value["cut"] is None
        assert [b["number"] for b in result.return_value["written"]] == [1]
        path = outbox / f"834_{CCA_SCO}_000001.x12"
        assert_valid_834(path)
        assert result.return_value["written"][0]["sha256"] == Batch834.objects.get().sha256

    def test_an_earlier_batch_already_written_is_not_written_again(self, cca_sco, outbox):
        accept(cca_sco)
        batch_daily.enqueue(provider_id=CCA_SCO)
        (outbox / f"834_{CCA_SCO}_000001.x12").unlink()
        accept(cca_sco)
        result = batch_daily.enqueue(provider_id=CCA_SCO)
        assert [b["number"] for b in result.return_value["written"]] == [2]
        assert [f.name for f in outbox.iterdir()] == [f"834_{CCA_SCO}_000002.x12"]


@pytest.mark.slow
def test_two_runs_at_once_cut_one_batch_and_write_it_once(transactional_db, cca_sco, outbox):
    accept(cca_sco)
    accept(cca_sco)
    start = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            start.wait()
            outcomes.append(batch_daily.call(provider_id=CCA_SCO))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2
    assert sorted(o["cut"] or 0 for o in outcomes) == [0, 1]
    assert sorted(b["number"] for o in outcomes for b in o["written"]) == [1]
    assert Batch834.objects.get().loop_count == 2
    assert [f.name for f in outbox.iterdir()] == [f"834_{CCA_SCO}_000001.x12"]
