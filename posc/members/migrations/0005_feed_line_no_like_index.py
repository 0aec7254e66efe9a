"""Drop the varchar_pattern_ops ``_like`` index Django adds to FeedLine's member ID.

As in 0003: no query runs LIKE on a member ID, and this index only slows the import's
write of a million remembered lines (measured: 3.6-4.5 s with it, 2.8-2.9 s without, 1M rows
into a copy of the table, load 3.7-4.1). 0004 tried this, but Django creates that index
from deferred SQL at the end of a migration, after 0004's own statements had run: the drop
found nothing. A migration of its own runs after it.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0004_feed_line'),
    ]

    operations = [
        migrations.RunSQL("DROP INDEX IF EXISTS members_feedline_member_id_83044874_like",
                          migrations.RunSQL.noop),
    ]
