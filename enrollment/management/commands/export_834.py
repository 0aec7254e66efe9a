"""Cut a plan's next 834 batch, or write an earlier batch again (mmis-rules.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from enrollment.models import Batch834
from enrollment.services import batch_cut, batch_unwritten_write, batch_write
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
        path = Path(output)
        if batch is not None:
            found = Batch834.objects.filter(plan=plan, number=batch).first()
            if found is None:
                raise CommandError(f"{plan.provider_id} has no batch {batch}")
            sha = batch_write(batch=found, path=path)
        else:
            # A batch cut by a run that died before (or while) writing it goes out first,
            # under the number it took, before a new one is cut: a rerun after a crash gives
            # the same file and control numbers, with no gap and no reuse.
            written = batch_unwritten_write(plan=plan, path_for=lambda _: path, limit=1)
            if written:
                self.stdout.write(f"batch {written[0][0].number} for {plan.provider_id} was cut "
                                  "but never written: writing it before cutting another")
            else:
                cut = batch_cut(plan=plan)
                if cut is None:
                    held = (Batch834.objects.filter(plan=plan, sha256="").order_by("number")
                            .values_list("number", flat=True).first())
                    if held is not None:  # locked by a live run (or one the server has not
                        # yet seen die): nothing new to cut, but the plan's file is not out
                        raise CommandError(f"batch {held} for {plan.provider_id} is being "
                                           "written by another run")
                    self.stdout.write(f"no pending transactions for {plan.provider_id}")
                    return
                written = batch_unwritten_write(plan=plan, path_for=lambda _: path, limit=1)
                if not written:  # the daily task took it between the cut and now
                    raise CommandError(f"batch {cut.number} for {plan.provider_id} is being "
                                       "written by another run")
            found, _, sha = written[0]
        self.stdout.write(f"wrote batch {found.number} for {plan.provider_id} "
                          f"({found.loop_count} member{pluralize(found.loop_count)}) to {output} "
                          f"sha256 {sha}")
