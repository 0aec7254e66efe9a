"""Write the 999 (or TA1) a plan's translator would return for one of its 834 batches.

For demos and tests (issue 17): accepting the batch, noting errors in named member loops
(accepted with errors), rejecting named loops, or rejecting the interchange with a TA1.
A loop is named by its transaction reference (ENR-…, DIS-…) or its member ID.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from enrollment.ack_services import batch_loop_positions
from enrollment.models import Batch834, EnrollmentTransaction
from posc.clock import EASTERN
from posc.clock import now as clock_now
from posc.members.models import Plan
from posc.mmis.x12_999_codes import INTERCHANGE_NOTES
from posc.mmis.x12_999_write import AckSpec, LoopError, render_999


class Command(BaseCommand):
    help = "Write the 999 (or TA1) a plan would return for one of its 834 batches."

    def add_arguments(self, parser):
        parser.add_argument("--provider-id", required=True, help="the plan's provider ID")
        parser.add_argument("--batch", type=int, required=True, help="the batch number")
        parser.add_argument("--reject-loop", action="append", default=[], metavar="REF",
                            help="reject the batch naming this loop (reference or member ID)")
        parser.add_argument("--error-loop", action="append", default=[], metavar="REF",
                            help="accept the batch with an error noted in this loop")
        parser.add_argument("--ta1-reject", metavar="NOTE",
                            help="reject the interchange with a TA1 (TA105 note, e.g. 022)")
        parser.add_argument("--output", help="the file to write (standard output otherwise)")

    def handle(self, *args, provider_id, batch, reject_loop, error_loop, ta1_reject, output,
               **options):
        plan = Plan.objects.filter(provider_id=provider_id.strip().upper()).first()
        if plan is None:
            raise CommandError(f"no plan has provider ID {provider_id}")
        found = Batch834.objects.filter(plan=plan, number=batch).first()
        if found is None:
            raise CommandError(f"{plan.provider_id} has no batch {batch}")
        found.plan = plan
        if reject_loop and error_loop:
            raise CommandError("give --reject-loop or --error-loop, not both")
        if ta1_reject is not None and ta1_reject not in INTERCHANGE_NOTES:
            raise CommandError(f"--ta1-reject {ta1_reject!r} is not a TA105 note code")
        named = reject_loop or error_loop
        spec = AckSpec(
            sender_id=plan.provider_id, receiver_id=settings.X12_SENDER_ID,
            control=found.number, answered_control=found.number,
            created_at=clock_now().astimezone(EASTERN).replace(tzinfo=None),
            errors=self._loop_errors(found, named) if named else (),
            reject=bool(reject_loop), ta1_reject_note=ta1_reject or "")
        text = render_999(spec)
        if output:
            Path(output).write_text(text, encoding="ascii")
            self.stdout.write(f"wrote the acknowledgment of batch {batch} to {output}")
        else:
            self.stdout.write(text, ending="")

    def _loop_errors(self, batch: Batch834, named: list[str]) -> tuple[LoopError, ...]:
        """Return a LoopError at the REF*0F of each named loop (a reference or member ID)."""
        starts, loops = batch_loop_positions(batch)
        references = dict(EnrollmentTransaction.objects.filter(
            pk__in=[pk for pk, _ in loops]).values_list("reference", "pk"))
        errors = []
        for ref in named:
            ref = ref.strip().upper()
            index = next((i for i, (pk, member_id) in enumerate(loops)
                          if member_id == ref or references.get(ref) == pk), None)
            if index is None:
                raise CommandError(f"batch {batch.number} has no loop {ref}")
            errors.append(LoopError(position=starts[index] + 1, member_id=loops[index][1]))
        return tuple(errors)
