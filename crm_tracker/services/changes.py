"""What every tracker service shares: the lock, the move's guard, history rows, the audit row.

Each service changes a case in this order (docs/architecture.md, the write shape): lock
it, guard the move (crm_tracker.workflow), change its fields, write one CaseHistory row per
changed field, then the audit row, in one transaction (domain.md G, "Cases with History").
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from crm_tracker.models import (
    TAXONOMY_FIELDS,
    Case,
    CaseHistory,
    CaseType,
    ForCauseReason,
    MmisResult,
    OutreachOutcome,
    TaxonomyCombination,
    Vetting,
    mask_ssn,
)
from crm_tracker.workflow import TRANSITIONS, actor_refusal, waiting_in
from posc.exceptions import InvalidTransition


def require(actor: AbstractBaseUser, permission: str) -> None:
    """Refuse an *actor* without *permission* (a codename on Case), before reading input."""
    if not actor.has_perm(f"crm_tracker.{permission}"):
        raise PermissionDenied(f"You may not do this (needs {permission}).")


def display_value(field: str, value: Any) -> str:
    """Return *value* as a history row shows it; the SSN masked to its last four digits."""
    if value is None or value == "":
        return ""
    if field == "ssn":
        return mask_ssn(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%m/%d/%Y %I:%M %p")
    if isinstance(value, datetime.date):
        return value.strftime("%m/%d/%Y")
    choices = {"case_type": CaseType, "for_cause_reason": ForCauseReason,
               "vetting": Vetting, "mmis_result": MmisResult,
               "outreach_first_outcome": OutreachOutcome,
               "outreach_second_outcome": OutreachOutcome}
    if field in choices:
        return str(choices[field](value).label)
    if isinstance(value, AbstractBaseUser):
        return value.get_username()
    return str(value)


def same(old: Any, new: Any) -> bool:
    """Return True when *old* and *new* are one value (a related object by its key)."""
    if isinstance(old, models.Model) or isinstance(new, models.Model):
        return getattr(old, "pk", None) == getattr(new, "pk", None)
    return old == new


def locked(case: Case) -> Case:
    """Return *case* read again under a row lock, with what the guards read."""
    return Case.objects.select_for_update(of=("self",)).select_related(
        "work_queue", "status", "created_by").get(pk=case.pk)


def guard(case: Case, move: str, actor: AbstractBaseUser) -> None:
    """Refuse *move* unless *case* waits in the move's queue and *actor* may make it."""
    transition = TRANSITIONS[move]
    if waiting_in(case) != transition.source:
        where = waiting_in(case) or "no queue"
        raise InvalidTransition(f"Case {case.number} is waiting in {where}, not in "
                                f"{transition.source}: it cannot be {transition.verb} now.")
    if refusal := actor_refusal(case, move, actor):
        raise PermissionDenied(refusal)


def taxonomy_changes(combination: TaxonomyCombination, *, case: Case,
                     now: datetime.datetime, hand_on: bool = True) -> dict[str, Any]:
    """Return the field values a combination sets: taxonomy, Status, Owner, next queue."""
    changes: dict[str, Any] = {f: getattr(combination, f) for f in TAXONOMY_FIELDS}
    changes |= {"status": combination.status, "owner_queue": combination.owner_queue,
                "owner_user": None}
    if hand_on:
        changes["work_queue"] = combination.work_queue
    if combination.status.is_closed:
        changes["closed_at"] = case.closed_at or now
    else:
        changes["closed_at"] = None
    return changes


def change(case: Case, changes: Mapping[str, Any], *, actor: AbstractBaseUser, reason: str,
           now: datetime.datetime, step: str) -> None:
    """Set the changed fields of *case*, save it, then its history rows and the audit row."""
    rows = []
    for field, new in changes.items():
        old = getattr(case, field)
        if same(old, new):
            continue
        setattr(case, field, new)
        rows.append(CaseHistory(
            case=case, field=field, old_value=display_value(field, old)[:255],
            new_value=display_value(field, new)[:255], changed_by=actor, changed_at=now,
            reason=reason[:255]))
    case.save()
    CaseHistory.objects.bulk_create(rows)
    # HIPAA 45 CFR 164.312(b): the change is audited in the step's transaction.
    audit_record(AuditAction.CHANGE, "tracker case", case.number,
                 member_ids=[case.masshealth_id], user=actor,
                 detail=f"{step}: {', '.join(row.field for row in rows) or 'no change'}")
