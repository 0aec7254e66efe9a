"""The digests of the feed lines the import wrote (issue 19 §2: a real re-import saving)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_span_exclusion_btree_gist'),
    ]

    operations = [
        migrations.CreateModel(
            name='FeedLine',
            fields=[
                ('member', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='members.member')),
                ('digest', models.UUIDField()),
                ('current_plan_provider_id', models.CharField(blank=True, max_length=10)),
                ('current_plan_start', models.DateField(blank=True, null=True)),
                ('checked_on', models.DateField()),
            ],
        ),
        # Unlogged: no write-ahead log for a million rows per import. After a crash the table
        # is empty and the next import checks every line again: a lost digest costs time only.
        migrations.RunSQL("ALTER TABLE members_feedline SET UNLOGGED",
                          "ALTER TABLE members_feedline SET LOGGED"),
    ]
