"""Queue the daily 834 batch of every SCO and One Care plan (cron or a systemd timer runs it)."""

from django.core.management.base import BaseCommand
from django.template.defaultfilters import pluralize

from enrollment.management.commands._enqueued import enqueued_report
from enrollment.tasks import batch_daily_enqueue


class Command(BaseCommand):
    help = ("Queue one 834 batch task per SCO and One Care plan; with the immediate backend "
            "the batches are cut and written at once.")

    def handle(self, *args, **options):
        enqueued_report(self, batch_daily_enqueue(), what="834 batch", report=self._report)

    def _report(self, outcome: dict) -> None:
        """Print what one batch task did, in export_834's words."""
        if outcome["cut"] is None and not outcome["written"]:
            self.stdout.write(f"no pending transactions for {outcome['provider_id']}")
        for batch in outcome["written"]:
            loops = batch["loops"]
            self.stdout.write(f"wrote batch {batch['number']} for {outcome['provider_id']} "
                              f"({loops} member{pluralize(loops)}) to {batch['file']} "
                              f"sha256 {batch['sha256']}")
