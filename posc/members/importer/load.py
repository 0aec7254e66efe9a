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


def _write_changes(cursor, *, rows: int, unchanged: int, now: datetime.datetime,
                   today: datetime.date) -> tuple[int, int, int]:
    """Upsert the *rows* staged members not matched by digest (*unchanged* were) and add
    the spans; remember the lines written (members.FeedLine); return created, updated, spans.

    Stamped *now* (the caller's clock, posc.clock), never the database server's clock.
    """
    stamp = {"now": now}
    created = updated = 0
    if rows:  # else every line was matched by its digest: no member to write
        cursor.execute(SQL["insert"], stamp)  # first: its anti-join reads members not yet updated
        created = cursor.rowcount
    if created < rows:  # else every member is new: nothing to compare
        cursor.execute(SQL["update"], stamp)
        updated = cursor.rowcount
    cursor.execute(SQL["insert_spans"], _PARAMS | stamp)  # every row: the spans may have changed
    spans = cursor.rowcount
    if rows:
        cursor.execute(SQL["forget_lines" if unchanged else "forget_all"])
        cursor.execute(SQL["remember_lines"], {"today": today})
    return created, updated, spans
