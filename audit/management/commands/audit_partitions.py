"""Create the audit table's monthly partitions ahead (issue 19 §3; cron runs it monthly).

    manage.py audit_partitions [--date YYYY-MM-DD] [--months 3]

Queues ``audit.tasks.partitions_ahead``: the partitions of --date's month (default today
in Boston) and the --months after it that are missing. Safe to run again: a month that
exists is left alone. With the immediate backend (development) it runs here and now.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.tasks import TaskResultStatus

from audit.tasks import MAX_MONTHS, partitions_ahead
from posc import clock


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {value!r}") from None


def _months(value: str) -> int:
    if not value.isdigit() or int(value) >= MAX_MONTHS:
        raise CommandError(f"--months must be a whole number 0 to {MAX_MONTHS - 1}, "
                           f"not {value!r}")
    return int(value)


class Command(BaseCommand):
    help = ("Create the audit table's partitions of the month of --date (default today) and "
            "of the --months after it (default 3), those missing; queued as a task.")

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_date, help="a day of the first month, YYYY-MM-DD "
                            "(default: today in Boston)")
        parser.add_argument("--months", type=_months, default=3,
                            help="months ahead of that one (default 3)")

    def handle(self, *args, date: datetime.date | None, months: int, **options):
        result = partitions_ahead.enqueue(today=(date or clock.today()).isoformat(),
                                          months=months)
        if not result.is_finished:  # a database queue: a db_worker will run it
            self.stdout.write(f"queued the audit partitions task (task {result.id})")
            return
        if result.status == TaskResultStatus.FAILED:
            raise CommandError(f"the audit partitions task failed:\n"
                               f"{result.errors[-1].traceback}")
        outcome = result.return_value
        for made in outcome["created"]:
            self.stdout.write(f"created {made['partition']}"
                              + (f" ({made['moved']} rows moved from DEFAULT)"
                                 if made["moved"] else ""))
        if not outcome["created"]:
            self.stdout.write("every month asked for has its partition")
        for month, count in outcome["default_rows"].items():
            self.stderr.write(f"{count} audit rows of {month} are in the DEFAULT partition: "
                              f"run audit_partitions --date {month}-01 --months 0")
