"""Create the audit table's monthly partitions ahead of time (issue 19 §3).

The table is partitioned by Boston month (audit/migrations/0002). A month nobody created
goes to the DEFAULT partition, so an audit row is never refused (a refused row would roll
back the clerk's write), but a search of that month no longer reads one small partition
and the month cannot be archived by detaching it. ``manage.py audit_partitions`` queues
this task once a month (README, "The audit table's partitions").

The work is done by the database function ``audit_partitions_ensure``: it creates each
missing month as the table's owner (the runtime role, as which db_worker runs, may not),
with the append-only triggers, and moves that month's rows out of DEFAULT into it.
"""

import datetime
import logging

from django.db import connection, transaction
from django.tasks import task

logger = logging.getLogger(__name__)

ZONE = "America/New_York"  # the months of audit/migrations/0002 (settings.TIME_ZONE)
MAX_MONTHS = 120  # what audit_partitions_ensure accepts


def partitions_ensure(*, today: datetime.date, months: int) -> dict:
    """Create the partitions of *today*'s month and the *months* after it that are missing.

    Idempotent: a month that has its partition is left alone. Return the partitions made
    (with the rows moved into each out of DEFAULT) and the rows DEFAULT still holds, by
    month (months outside the range asked for; run again with an earlier *today*).
    """
    if not 0 <= months < MAX_MONTHS:
        raise ValueError(f"months ahead must be 0 to {MAX_MONTHS - 1}, not {months}")
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute("SELECT partition, moved FROM audit_partitions_ensure(%s, %s)",
                       [today, months + 1])
        created = [{"partition": name, "moved": moved} for name, moved in cursor.fetchall()]
        cursor.execute(
            "SELECT to_char(at AT TIME ZONE %s, 'YYYY-MM') AS month, count(*) "
            "FROM audit_auditevent_default GROUP BY month ORDER BY month", [ZONE])
        left = dict(cursor.fetchall())
    for made in created:
        logger.info("created audit partition %s (%s rows moved from DEFAULT)",
                    made["partition"], made["moved"])
    for month, count in left.items():
        logger.warning("%s audit rows of %s are in the DEFAULT partition: run manage.py "
                       "audit_partitions --date %s-01 --months 0", count, month, month)
    return {"today": today.isoformat(), "created": created, "default_rows": left}


@task
def partitions_ahead(*, today: str, months: int) -> dict:
    """The task: ``partitions_ensure`` of *today* (ISO date, from the caller's clock)."""
    return partitions_ensure(today=datetime.date.fromisoformat(today), months=months)
