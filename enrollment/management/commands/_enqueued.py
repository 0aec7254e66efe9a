"""What the commands that queue a task per plan share (Django lists no module named "_…")."""

from collections.abc import Callable, Iterable

from django.core.management.base import BaseCommand, CommandError
from django.tasks import TaskResultStatus


def enqueued_report(command: BaseCommand, enqueued: Iterable, *, what: str,
                    report: Callable[[dict], None]) -> None:
    """Say, for each (plan, task result), whether the task was queued, failed or ran
    (*report* describes what it did); raise CommandError naming the plans that failed."""
    failed = []
    for plan, result in enqueued:
        if not result.is_finished:  # a database queue: a db_worker will run it
            command.stdout.write(f"queued the {what} of {plan.provider_id} (task {result.id})")
        elif result.status == TaskResultStatus.FAILED:
            failed.append(plan.provider_id)
            command.stderr.write(f"the {what} of {plan.provider_id} failed:\n"
                                 f"{result.errors[-1].traceback}")
        else:
            report(result.return_value)
    if failed:
        raise CommandError(f"the {what} failed for {', '.join(failed)}")
