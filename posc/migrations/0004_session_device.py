"""The second-factor device's id in a column of the session row, for the session's own SELECT.

posc.sessions.db joins the session's TOTP device on this column, so that a page past the
second factor reads its session, user, links, permissions and device in one statement
(docs/performance.md, "Page throughput"). A hint only, like posc_user_id (0003): the
device that counts is the one the signed session data names (django_otp), and the joined
row is used only when the two agree. Written by every session UPDATE.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("posc", "0003_session_user")]

    operations = [
        migrations.RunSQL("ALTER TABLE django_session ADD COLUMN posc_device_id bigint",
                          reverse_sql="ALTER TABLE django_session DROP COLUMN posc_device_id"),
    ]
