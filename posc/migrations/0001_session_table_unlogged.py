"""Keep the session table out of PostgreSQL's write-ahead log.

Every signed-in request may update its session row (posc.sessions.db). A commit that
touched only unlogged tables does not wait for the log to reach the disk, which was the
larger part of a Member Search POST under load (30 % → 41 % of the minimal view's
throughput: docs/performance.md). The cost: after a database crash, or on a standby after
a fail-over, the table is empty and everyone signs in again. Nothing else is unlogged:
enrollments, recoupments, tracker cases and audit rows stay fully durable.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sessions", "0001_initial")]

    operations = [
        migrations.RunSQL("ALTER TABLE django_session SET UNLOGGED",
                          reverse_sql="ALTER TABLE django_session SET LOGGED"),
    ]
