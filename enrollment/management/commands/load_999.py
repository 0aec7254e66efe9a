"""Load the 999 (or TA1) a plan returned for one of its 834 files (issue 17).

For a plan's automation: the same checks as the upload on 834 Files, for one plan.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from enrollment.ack_services import acknowledgment_load
from posc.exceptions import DomainError
from posc.members.models import Plan
from posc.mmis.x12_999 import MAX_BYTES


class Command(BaseCommand):
    help = "Load a plan's 999 or TA1 acknowledgment file and show the batch's new status."

    def add_arguments(self, parser):
        parser.add_argument("--provider-id", required=True,
                            help="the plan's provider ID: the file must come from this plan")
        parser.add_argument("file", help="the 999 or TA1 file")

    def handle(self, *args, provider_id: str, file: str, **options):
        plan = Plan.objects.filter(provider_id=provider_id.strip().upper()).first()
        if plan is None:
            raise CommandError(f"no plan has provider ID {provider_id}")
        path = Path(file)
        try:
            with path.open("rb") as stream:
                data = stream.read(MAX_BYTES + 1)  # bounded: one byte more says "too large"
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        try:
            ack = acknowledgment_load(data=data, filename=path.name, plans=[plan], actor=None)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc}") from None
        errors = ack.errors.count()
        self.stdout.write(f"loaded {ack.get_kind_display()} for batch {ack.batch.number} of "
                          f"{plan.provider_id}: {ack.get_outcome_display()}"
                          + (f", {errors} segment{'s' if errors != 1 else ''} in error"
                             if errors else ""))
