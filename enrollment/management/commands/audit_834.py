"""Write the full-file (audit) 834 of every SCO and One Care plan on a date (docs/834.md).

Cron or a systemd timer runs it on the 1st of each month; by hand it takes any date.
"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from enrollment.audit_files import audit_file_cut, audit_file_write
from enrollment.management.commands._enqueued import enqueued_report
from enrollment.tasks import audit_file_enqueue
from posc import clock
from posc.exceptions import DomainError
from posc.members.models import Plan, Program


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = ("Write the audit 834 (every member in force, INS03 030) of each SCO and One Care "
            "plan on --date (default today): queued per plan to the outbox, or one plan's "
            "to --output.")

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_date, help="the day members are in force, "
                            "YYYY-MM-DD (default: today in Boston)")
        parser.add_argument("--provider-id", help="only this plan")
        parser.add_argument("--output", help="write the plan's file here (needs --provider-id)")

    def handle(self, *args, date: datetime.date | None, provider_id: str | None,
               output: str | None, **options):
        as_of = date or clock.today()
        plan = None
        if provider_id is not None:
            plan = Plan.objects.filter(provider_id=provider_id.strip().upper(),
                                       program__in=Program.integrated()).first()
            if plan is None:
                raise CommandError(f"no SCO or One Care plan has provider ID {provider_id}")
        if output is not None:
            if plan is None:
                raise CommandError("--output needs --provider-id")
            self._one(plan=plan, as_of=as_of, path=Path(output))
            return
        enqueued_report(self, audit_file_enqueue(as_of=as_of,
                                                 provider_id=plan and plan.provider_id),
                        what="audit 834", report=self._report)

    def _one(self, *, plan: Plan, as_of: datetime.date, path: Path) -> None:
        audit_file = audit_file_cut(plan=plan, as_of=as_of)
        if audit_file is None:
            self.stdout.write(f"no member in force with {plan.provider_id} on {as_of:%m/%d/%Y}")
            return
        try:
            sha = audit_file_write(audit_file=audit_file, path=path)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self._wrote(plan.provider_id, audit_file.number, audit_file.loop_count, path, sha)

    def _report(self, outcome: dict) -> None:
        if outcome["number"] is None:
            self.stdout.write(f"no member in force with {outcome['provider_id']} on "
                              f"{datetime.date.fromisoformat(outcome['as_of']):%m/%d/%Y}")
        elif outcome["written"] is None:
            self.stdout.write(f"audit file {outcome['number']} for {outcome['provider_id']} "
                              "was already written")
        else:
            self._wrote(outcome["provider_id"], outcome["number"], outcome["loops"],
                        outcome["written"]["file"], outcome["written"]["sha256"])

    def _wrote(self, provider_id: str, number: int, loops: int, path, sha: str) -> None:
        self.stdout.write(f"wrote audit file {number} for {provider_id} ({loops} "
                          f"member{pluralize(loops)}) to {path} sha256 {sha}")
