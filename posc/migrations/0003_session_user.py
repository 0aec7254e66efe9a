"""The signed-in user's id in a column of the session row, for the session's own SELECT.

posc.sessions.db reads the session, the user, their links and permissions in one statement
by joining on this column (docs/performance.md, "Page throughput"). It is a hint only:
the user id that counts is the one in the signed session data (django.contrib.auth), and
the joined row is used only when the two agree. Written by every session UPDATE; a row
written another way (Django's INSERT of a new session) has none until then.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("posc", "0002_database_jit_off"), ("sessions", "0001_initial")]

    operations = [
        migrations.RunSQL("ALTER TABLE django_session ADD COLUMN posc_user_id bigint",
                          reverse_sql="ALTER TABLE django_session DROP COLUMN posc_user_id"),
    ]
