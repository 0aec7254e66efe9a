"""Queue the daily 834 batch of every SCO and One Care plan (cron or a systemd timer runs it)."""

from django.core.management.base import BaseCommand, CommandError
from django.tasks import TaskResultStatus
from django.template.defaultfilters import pluralize

from enrollment.tasks import batch_daily_enqueue


class Command(BaseCommand):
    help = ("Queue one 834 batch task per SCO and One Care plan; with the immediate backend "
            "the batches are cut and written at once.")

    def handle(self, *args, **options):
        failed = []
        for plan, result in batch_daily_enqueue():
            if not result.is_finished:  # a database queue: a db_worker will run it
                self.stdout.write(f"queued the 834 batch of {plan.provider_id} (task {result.id})")
            elif result.status == TaskResultStatus.FAILED:
                failed.append(plan.provider_id)
                self.stderr.write(f"the 834 batch of {plan.provider_id} failed:\n"
                                  f"{result.errors[-1].traceback}")
            else:
                self._report(result.return_value)
        if failed:
            raise CommandError(f"the 834 batch failed for {', '.join(failed)}")

    def _report(self, outcome: dict) -> None:
        """Print what one batch task did, in export_834's words."""
        if outcome["cut"] is None and not outcome["written"]:
            self.stdout.write(f"no pending transactions for {outcome['provider_id']}")
        for batch in outcome["written"]:
            loops = batch["loops"]
            self.stdout.write(f"wrote batch {batch['number']} for {outcome['provider_id']} "
                              f"({loops} member{pluralize(loops)}) to {batch['file']} "
                              f"sha256 {batch['sha256']}")
