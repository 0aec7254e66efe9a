"""The daily 834 batch of every SCO and One Care plan, as tasks of Django's tasks API.

mmis-rules.md: "The daily task cuts one batch per plan; the command does the same on
demand." ``batch_daily`` cuts like ``export_834`` and writes the file to ``X12_OUTBOX``.
It is safe to run twice for one plan, on two workers at once, or again after a worker
died half way: ``batch_cut`` numbers under a lock on the plan (a second cut finds nothing
pending and takes no number), and a batch is written by whichever run holds its row, so
every batch reaches the outbox once, under its own number.
"""

import datetime
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.tasks import TaskResult, task
from django.template.defaultfilters import pluralize

from enrollment.audit_files import audit_file_cut, audit_file_write_once
from enrollment.services import batch_cut, batch_unwritten_write
from posc.members.models import Plan, Program

logger = logging.getLogger(__name__)

# Only SCO and One Care plans are enrolled through the portal, so only they get an 834.
DAILY_834_PROGRAMS = Program.integrated()


def daily_plans() -> QuerySet[Plan]:
    """Return the plans that get a daily 834 batch, by provider ID."""
    return Plan.objects.filter(program__in=DAILY_834_PROGRAMS).order_by("provider_id")


def _unwritten_write(*, plan: Plan, outbox: Path) -> list[dict[str, Any]]:
    """Write every batch of *plan* that was cut but never written; describe each one written."""
    written = []
    for batch, path, sha in batch_unwritten_write(plan=plan,
                                                  path_for=lambda b: outbox / b.filename):
        logger.info("wrote 834 batch %s for %s (%s member%s) to %s", batch.number,
                    plan.provider_id, batch.loop_count, pluralize(batch.loop_count), path)
        written.append({"number": batch.number, "loops": batch.loop_count, "file": str(path),
                        "sha256": sha})
    return written


@task
def batch_daily(*, provider_id: str) -> dict[str, Any]:
    """Cut the plan's pending transactions into its next 834 batch and write it to the outbox.

    With nothing pending no number is taken and no file written (as ``export_834``).
    Return the number cut (or None) and the files written, for the task result.
    """
    plan = Plan.objects.get(provider_id=provider_id)
    cut = batch_cut(plan=plan)
    written = _unwritten_write(plan=plan, outbox=Path(settings.X12_OUTBOX))
    return {"provider_id": provider_id, "cut": cut.number if cut else None, "written": written}


def batch_daily_enqueue() -> list[tuple[Plan, TaskResult]]:
    """Queue one ``batch_daily`` task per SCO and One Care plan; return each plan's result.

    The immediate backend (development, tests) runs each task here and now; the database
    backend (production) leaves them for ``manage.py db_worker``.
    """
    return [(plan, batch_daily.enqueue(provider_id=plan.provider_id)) for plan in daily_plans()]



@task
def audit_file_monthly(*, provider_id: str, as_of: str) -> dict[str, Any]:
    """Write the plan's full-file (audit) 834 of *as_of* (ISO date) to the outbox.

    Safe to run twice: the file of a plan and date is numbered once (``audit_file_cut``)
    and written once (``audit_file_write_once``). None when nobody is in force that day.
    """
    plan = Plan.objects.get(provider_id=provider_id)
    audit_file = audit_file_cut(plan=plan, as_of=datetime.date.fromisoformat(as_of))
    if audit_file is None:
        return {"provider_id": provider_id, "as_of": as_of, "number": None, "written": None}
    path = Path(settings.X12_OUTBOX) / audit_file.filename
    sha = audit_file_write_once(audit_file=audit_file, path=path)
    if sha is not None:
        logger.info("wrote 834 audit file %s for %s (%s member%s) to %s", audit_file.number,
                    provider_id, audit_file.loop_count, pluralize(audit_file.loop_count), path)
    return {"provider_id": provider_id, "as_of": as_of, "number": audit_file.number,
            "loops": audit_file.loop_count,
            "written": {"file": str(path), "sha256": sha} if sha else None}


def audit_file_enqueue(*, as_of: datetime.date,
                       provider_id: str | None = None) -> list[tuple[Plan, TaskResult]]:
    """Queue one ``audit_file_monthly`` task per SCO and One Care plan (or the one named)."""
    plans = daily_plans()
    if provider_id is not None:
        plans = plans.filter(provider_id=provider_id)
    return [(plan, audit_file_monthly.enqueue(provider_id=plan.provider_id,
                                              as_of=as_of.isoformat()))
            for plan in plans]
