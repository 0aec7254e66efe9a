"""Cut a plan's next 834 batch, or write an earlier batch again (mmis-rules.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from enrollment.models import Batch834
from enrollment.services import batch_cut, batch_write
from posc.members.models import Plan


class Command(BaseCommand):
    help = "Write a plan's 834: a new batch of pending transactions, or batch N again."

    def add_arguments(self, parser):
        parser.add_argument("--provider-id", required=True, help="the plan's provider ID")
        parser.add_argument("--output", required=True, help="the file to write")
        parser.add_argument("--batch", type=int, help="write this batch number again")

    def handle(self, *args, provider_id: str, output: str, batch: int | None, **options):
        plan = Plan.objects.filter(provider_id=provider_id.strip().upper()).first()
        if plan is None:
            raise CommandError(f"no plan has provider ID {provider_id}")
        if batch is not None:
            found = Batch834.objects.filter(plan=plan, number=batch).first()
            if found is None:
                raise CommandError(f"{plan.provider_id} has no batch {batch}")
        else:
            found = batch_cut(plan=plan)
            if found is None:
                self.stdout.write(f"no pending transactions for {plan.provider_id}")
                return
        sha = batch_write(batch=found, path=Path(output))
        self.stdout.write(f"wrote batch {found.number} for {plan.provider_id} "
                          f"({found.loop_count} members) to {output} sha256 {sha}")
