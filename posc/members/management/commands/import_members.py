"""python manage.py import_members PATH.csv [--dry-run] (contracts/member-feed.md)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import pluralize

from posc import clock
from posc.exceptions import ImportRejected
from posc.members.importer import members_import

# member-feed.md: print at most 50 problems, then a count.
SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = "Load the MMIS member eligibility feed (CSV): upsert members and spans, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the feed, a UTF-8 CSV file with a header row")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the whole file and write nothing")

    def handle(self, *args, path: str, dry_run: bool, **options) -> None:
        try:
            now = clock.now()
            result = members_import(path=path, dry_run=dry_run, today=clock.today_eastern(now),
                                    now=now, progress=self._progress)
        except ImportRejected as rejected:
            problems = rejected.extra["problems"]
            for problem in problems[:SHOWN_PROBLEMS]:
                self.stderr.write(problem)
            if len(problems) > SHOWN_PROBLEMS:
                self.stderr.write(f"… and {len(problems) - SHOWN_PROBLEMS} more problem"
                                  f"{pluralize(len(problems) - SHOWN_PROBLEMS)}")
            raise CommandError(rejected.message) from None
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror or error}") from None
        if dry_run:
            self.stdout.write(
                f"dry run: {result.rows} member{pluralize(result.rows)} checked, no problems "
                f"({result.created} would be created, {result.updated} updated); nothing written")
        else:
            self.stdout.write(f"imported {result.rows} member{pluralize(result.rows)} "
                              f"({result.created} created, {result.updated} updated)")

    def _progress(self, rows: int) -> None:
        """Tell the operator how far a long file has got."""
        self.stderr.write(f"checked {rows:,} row{pluralize(rows)}")
