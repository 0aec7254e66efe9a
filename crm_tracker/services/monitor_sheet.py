"""The State Monitor's updated spreadsheet, recorded as MMIS results: every row or none."""

import datetime
import io

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from crm_tracker.models import Case
from crm_tracker.selectors import monitor_queue
from crm_tracker.services.changes import require
from crm_tracker.services.steps import mmis_record
from crm_tracker.sheet_reader import (
    Problem,
    SheetImport,
    case_numbers,
    rejected,
    rows_check,
    sheet_read,
)
from crm_tracker.workflow import TRANSITIONS, Move
from posc.exceptions import DomainError


def monitor_sheet_import(*, file: io.IOBase, actor: AbstractBaseUser,
                         today: datetime.date, now: datetime.datetime) -> SheetImport:
    """Record the MMIS results of the State Monitor's updated sheet: all rows or none.

    The sheet is the exported xlsx or CSV. Every cell is checked first; any problem refuses
    the whole sheet with the list of problems (row and column). Rows with an empty MMIS
    Result are left in the queue; rows already recorded with the same values are skipped.
    """
    require(actor, TRANSITIONS[Move.MMIS_RESULT].permission)
    rows = sheet_read(file)
    with transaction.atomic(durable=True):
        queue = {c.case_number: c for c in monitor_queue().select_for_update(of=("self",))}
        done = {c.case_number: c for c in Case.objects.filter(
            case_number__in=case_numbers(rows) - set(queue)).exclude(mmis_result="")}
        checked, skipped, problems = rows_check(rows, queue=queue, done=done, today=today)
        if not problems:
            for row in checked:
                try:
                    mmis_record(case=row.case, processed=row.processed,
                                processed_on=row.processed_on, reason=row.reason,
                                actor=actor, today=today, now=now)
                except DomainError as exc:
                    problems.append(Problem(row.row, "", exc.message))
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise rejected(problems)
    return SheetImport(updated=len(checked), skipped=skipped)
