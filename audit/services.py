"""Write audit rows: ``record`` one object, or ``record_each`` of many, in one INSERT.

Called from views for reads and from services for writes (inside the service's own
transaction, so a write rolled back leaves no audit row, and an audit row that cannot be
written rolls the write back). HIPAA 45 CFR 164.312(b); ASVS 4.0.3 7.1.3, 7.1.4.
"""

from collections.abc import Iterable

from django.db import models

from audit.context import current_actor, current_moment
from audit.models import Action, AuditEvent


def member_ids_of(obj: models.Model, *, follow: bool = True) -> list[str]:
    """Return the MassHealth member IDs a row is about (none when it is about no member).

    A row without its own (a case's history row) takes those of the related rows already
    loaded with it (select_related): never a query.
    """
    # A Member's own key is member_id, so the first name below covers it.
    for name in ("member_id", "masshealth_id"):
        value = getattr(obj, name, None)
        if isinstance(value, str) and value:
            return [value]
    value = getattr(obj, "member_ids", None)
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str) and v]
    if follow:
        return [m for related in obj._state.fields_cache.values()
                if isinstance(related, models.Model)
                for m in member_ids_of(related, follow=False)]
    return []


def record_each(action: Action, object_type: str, objects: Iterable[tuple[str, Iterable[str]]],
                *, detail: str = "", user=None) -> int:
    """Write one row per member of each ``(object_id, member_ids)`` (one row for no member).

    One INSERT, no SELECT. Return the number of rows written.
    """
    actor = current_actor(user)
    at = current_moment()
    rows = []
    for object_id, member_ids in objects:
        for member_id in dict.fromkeys(m for m in member_ids if m) or [""]:
            rows.append(AuditEvent(
                at=at, user_id=actor.user_id, username=actor.username,
                client_address=actor.client_address, action=action,
                object_type=object_type[:40], object_id=str(object_id)[:64],
                member_id=member_id[:12], path=actor.path, detail=detail[:255]))
    AuditEvent.objects.bulk_create(rows)
    return len(rows)


def record(action: Action, object_type: str, object_id: str = "", *,
           member_ids: Iterable[str] = (), detail: str = "", user=None) -> int:
    """Write the audit rows of one action on one object (or a list, *object_id* empty)."""
    return record_each(action, object_type, [(object_id, member_ids)], detail=detail, user=user)


def record_list(action: Action, object_type: str, objs: Iterable[models.Model], *,
                detail: str = "", user=None) -> int:
    """Write one row per member listed on a page (or one row when it lists none)."""
    objs = list(objs)
    member_ids = [m for obj in objs for m in member_ids_of(obj)]
    return record(action, object_type, member_ids=member_ids, user=user,
                  detail=detail or f"list of {len(objs)}")


record_each.alters_data = True
record.alters_data = True
record_list.alters_data = True
