"""Write the staged feed: upsert the members and add their spans, or count what would change."""

import datetime

from posc.members.importer.staging import _PARAMS, SQL


def _count_changes(cursor, *, now: datetime.datetime) -> tuple[int, int, int]:
    """Return the members that would be created and updated, and the spans that would be added."""
    cursor.execute(SQL["count"])
    created, updated = cursor.fetchone()
    cursor.execute(SQL["count_spans"], _PARAMS | {"now": now})
    (spans,) = cursor.fetchone()
    return created, updated, spans


def _write_changes(cursor, *, rows: int, now: datetime.datetime) -> tuple[int, int, int]:
    """Upsert the *rows* staged members and add their spans; return created, updated, spans.

    Stamped *now* (the caller's clock, posc.clock), never the database server's clock.
    """
    stamp = {"now": now}
    cursor.execute(SQL["insert"], stamp)  # first: its anti-join then reads a table not yet updated
    created = cursor.rowcount
    updated = 0
    if created < rows:  # else every member is new: nothing to compare
        cursor.execute(SQL["update"], stamp)
        updated = cursor.rowcount
    cursor.execute(SQL["insert_spans"], _PARAMS | stamp)
    return created, updated, cursor.rowcount
