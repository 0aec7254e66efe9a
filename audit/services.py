"""Write audit rows: ``record`` one object, or ``record_each`` of many, in one INSERT.

Called from views for reads and from services for writes (inside the service's own
transaction, so a write rolled back leaves no audit row, and an audit row that cannot be
written rolls the write back). HIPAA 45 CFR 164.312(b); ASVS 4.0.3 7.1.3, 7.1.4.
"""

import functools
from collections.abc import Iterable

from django.db import connections, models, router

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

    One INSERT (of up to 1,000 rows), no SELECT. Return the number of rows written.
    """
    actor = current_actor(user)
    alias = router.db_for_write(AuditEvent)
    connection = connections[alias]
    at, user_id, client_address = (field.get_db_prep_save(value, connection) for field, value in
                                   zip(_prepared_fields(), (current_moment(), actor.user_id,
                                                            actor.client_address)))
    action, object_type, detail = str(action), object_type[:40], detail[:255]
    rows = [(at, user_id, actor.username, client_address, action, object_type,
             str(object_id)[:64], member_id[:12], actor.path, detail)
            for object_id, member_ids in objects
            for member_id in dict.fromkeys(m for m in member_ids if m) or [""]]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            batch = rows[start:start + _BATCH]
            cursor.execute(_insert_sql(alias, len(batch)), [v for row in batch for v in row])
    return len(rows)


# The columns record_each writes, in the order of its parameters.
_COLUMNS = ("at", "user", "username", "client_address", "action", "object_type", "object_id",
            "member_id", "path", "detail")


@functools.cache
def _prepared_fields() -> tuple:
    """Return the fields whose values record_each hands over through the field (the rest are
    plain text): the moment, the user's id, the client address."""
    return tuple(AuditEvent._meta.get_field(name) for name in ("at", "user", "client_address"))


_BATCH = 1000  # rows per INSERT: 10,000 parameters, well under PostgreSQL's 65,535


@functools.lru_cache(maxsize=32)
def _insert_sql(alias: str, rows: int) -> str:
    """Return the INSERT of *rows* audit rows: one plain statement, nothing returned.

    Every page with member data writes one row inside its request (HIPAA 45 CFR 164.312(b));
    the ORM's bulk_create built the same INSERT on every call, with RETURNING the ids no
    caller reads (docs/performance.md). Cached per row count: a page writes one row, a list
    one per member shown.
    """
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(AuditEvent._meta.get_field(name).column) for name in _COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    return (f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) VALUES "
            + ", ".join([one] * rows))


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
