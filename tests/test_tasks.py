"""Background work: tasks run at once by default, and real `db_worker` processes run the queue.

The worker tests start `manage.py db_worker` as subprocesses with production's backend
(django-tasks-db) on the test database, so they need committed data (transactional_db).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus, task, task_backends
from django.tasks.backends.immediate import ImmediateBackend
from django_tasks_db.models import DBTaskResult

from enrollment.models import Batch834
from enrollment.tasks import batch_daily
from posc.members.demo import CCA_ONE_CARE, CCA_SCO
from posc.tasks import email_send
from tests.enrollment.helpers import DATABASE_TASKS, accept, control_number
from tests.x12check import assert_valid_834

ROOT = Path(__file__).resolve().parents[1]
FINISHED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


@task
def run_record(*, path: str, label: str) -> int:
    """Append *label* and this process's ID to *path*, after a pause another worker can use."""
    time.sleep(0.2)
    with open(path, "a") as out:
        out.write(f"{label} {os.getpid()}\n")
    return os.getpid()


class TestImmediateBackend:
    def test_is_the_default(self):
        assert isinstance(task_backends["default"], ImmediateBackend)

    def test_an_email_is_sent_at_once(self):
        result = email_send.enqueue(subject="Case 42 assigned", body="Please review case 42.",
                                    to=["pat.example@posc.example"],
                                    cc=["lead.example@posc.example"])
        assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 1
        [sent] = mail.outbox
        assert (sent.subject, sent.body, sent.to, sent.cc) == (
            "Case 42 assigned", "Please review case 42.", ["pat.example@posc.example"],
            ["lead.example@posc.example"])


# ------------------------------------------------------------------------- real workers

def _database_url() -> str:
    """Return a DATABASE_URL for the test database this process uses."""
    db = connection.settings_dict
    auth = quote(db["USER"], safe="")
    if db["PASSWORD"]:
        auth += f":{quote(db['PASSWORD'], safe='')}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    # posc/settings/base.py unquotes the host: a socket directory travels percent-encoded.
    return f"postgres://{auth}@{quote(db['HOST'] or '', safe='')}{port}/{db['NAME']}"


@pytest.fixture
def workers(transactional_db, settings, tmp_path):
    """Start `db_worker` processes on the test database; kill any still running at the end.

    Requesting transactional_db first makes this teardown run before the tables are
    flushed, so no worker holds a connection then.
    """
    settings.TASKS = DATABASE_TASKS  # this process enqueues into the same PostgreSQL queue
    settings.X12_OUTBOX = tmp_path / "834-here"  # what this process writes stays apart
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "posc.settings.worker_test",
           "DATABASE_URL": _database_url(), "POSC_X12_OUTBOX": str(tmp_path / "834"),
           "POSC_EMAIL_FILE_PATH": str(tmp_path / "mail")}
    started = []

    def start(worker_id: str) -> subprocess.Popen:
        log = open(tmp_path / f"{worker_id}.log", "w")
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--worker-id", worker_id,
             "--interval", "0.1", "--no-startup-delay"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append((proc, log))
        return proc

    def log_of(worker_id: str) -> str:
        return (tmp_path / f"{worker_id}.log").read_text()

    def logs() -> str:
        return "\n".join(f"--- {p.args[4]}\n{log_of(p.args[4])}" for p, _ in started)

    def wait_until(ready, what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            dead = [p for p, _ in started if p.poll() is not None]
            assert not dead, f"a worker exited while waiting for {what}:\n{logs()}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{logs()}"
            time.sleep(0.1)

    def stop(proc: subprocess.Popen) -> None:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0, logs()

    yield SimpleNamespace(start=start, stop=stop, wait_until=wait_until, logs=logs,
                          log_of=log_of, outbox=tmp_path / "834", mail=tmp_path / "mail",
                          tmp=tmp_path)
    for proc, log in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def all_finished(ids) -> bool:
    return DBTaskResult.objects.filter(id__in=ids, status__in=FINISHED).count() == len(ids)


@pytest.mark.slow
def test_a_worker_runs_the_daily_batches_and_an_email(workers, cca_sco, cca_onecare, capsys):
    accept(cca_sco)
    batch_daily.call(provider_id=CCA_SCO)  # batch 1 exists: the worker's is number 2
    accept(cca_sco)
    accept(cca_sco)
    accept(cca_onecare, CCA_ONE_CARE, "ONE_CARE")
    call_command("enqueue_daily_834")
    assert capsys.readouterr().out.count("queued the 834 batch of ") == 9
    email = email_send.enqueue(subject="Daily 834 batches queued", body="Nine plans queued.",
                               to=["enrollment-ops@posc.example"])
    ids = list(DBTaskResult.objects.values_list("id", flat=True))
    assert len(ids) == 10 and not all_finished(ids)  # nothing runs in this process

    worker = workers.start("worker-1")
    workers.wait_until(lambda: all_finished(ids), "the 10 tasks")
    workers.stop(worker)

    results = DBTaskResult.objects.filter(id__in=ids)
    assert {r.status for r in results} == {TaskResultStatus.SUCCESSFUL}, workers.logs()
    assert {tuple(r.worker_ids) for r in results} == {("worker-1",)}
    assert sorted(f.name for f in workers.outbox.iterdir()) == [
        f"834_{CCA_SCO}_000002.x12", f"834_{CCA_ONE_CARE}_000001.x12"]
    assert control_number(workers.outbox / f"834_{CCA_SCO}_000002.x12") == 2
    assert control_number(workers.outbox / f"834_{CCA_ONE_CARE}_000001.x12") == 1
    for path in workers.outbox.iterdir():
        assert_valid_834(path)
    assert sorted(Batch834.objects.values_list("plan__provider_id", "number", "loop_count")) == [
        (CCA_SCO, 1, 1), (CCA_SCO, 2, 2), (CCA_ONE_CARE, 1, 1)]
    by_plan = {r.args_kwargs["kwargs"]["provider_id"]: r.return_value for r in results
               if r.task_path == "enrollment.tasks.batch_daily"}
    assert by_plan[CCA_SCO]["cut"] == 2 and by_plan[CCA_ONE_CARE]["cut"] == 1
    assert sum(1 for outcome in by_plan.values() if outcome["cut"] is None) == 7

    assert email.task.get_result(email.id).return_value == 1
    [message] = list(workers.mail.iterdir())
    text = message.read_text()
    assert "Subject: Daily 834 batches queued" in text
    assert "To: enrollment-ops@posc.example" in text and "Nine plans queued." in text


@pytest.mark.slow
def test_two_workers_never_run_one_task_twice(workers, cca_sco, cca_onecare):
    accept(cca_sco)
    accept(cca_onecare, CCA_ONE_CARE, "ONE_CARE")
    first, second = workers.start("worker-a"), workers.start("worker-b")
    workers.wait_until(lambda: all("Starting worker" in workers.log_of(w)
                                   for w in ("worker-a", "worker-b")), "both workers")

    record = workers.tmp / "runs.txt"
    results = [run_record.enqueue(path=str(record), label=f"run-{n}") for n in range(12)]
    # Each plan's batch twice: the two copies may run at once on the two workers.
    results += [batch_daily.enqueue(provider_id=p) for p in (CCA_SCO, CCA_ONE_CARE) * 2]
    results += [email_send.enqueue(subject=f"Notice {n}", body="Invented.",
                                   to=["ops.example@posc.example"]) for n in range(4)]
    ids = [r.id for r in results]
    workers.wait_until(lambda: all_finished(ids), f"the {len(ids)} tasks")
    workers.stop(first)
    workers.stop(second)

    rows = DBTaskResult.objects.filter(id__in=ids)
    assert {r.status for r in rows} == {TaskResultStatus.SUCCESSFUL}, workers.logs()
    assert all(len(r.worker_ids) == 1 for r in rows)
    runs = [line.split() for line in record.read_text().splitlines()]
    assert sorted(label for label, _ in runs) == sorted(f"run-{n}" for n in range(12))
    assert len({pid for _, pid in runs}) == 2  # both workers took tasks
    assert {w for r in rows for w in r.worker_ids} == {"worker-a", "worker-b"}
    assert sorted(Batch834.objects.values_list("plan__provider_id", "number")) == [
        (CCA_SCO, 1), (CCA_ONE_CARE, 1)]
    assert sorted(f.name for f in workers.outbox.iterdir()) == [
        f"834_{CCA_SCO}_000001.x12", f"834_{CCA_ONE_CARE}_000001.x12"]
    # The file mailer may append two messages to one file: count the messages.
    sent = "".join(path.read_text() for path in workers.mail.iterdir())
    assert sorted(line for line in sent.splitlines() if line.startswith("Subject:")) == [
        f"Subject: Notice {n}" for n in range(4)]
