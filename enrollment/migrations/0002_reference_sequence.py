from django.db import migrations


class Migration(migrations.Migration):
    """A sequence for transaction references: unique and never reused, even across rollbacks."""

    dependencies = [("enrollment", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS enrollment_reference_seq",
            "DROP SEQUENCE IF EXISTS enrollment_reference_seq",
        ),
    ]
