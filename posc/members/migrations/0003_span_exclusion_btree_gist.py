"""Make members and spans cheaper to write (issue 19 §2, docs/performance.md).

1. span_no_overlap_integrated becomes ``member_id::bigint WITH =, daterange WITH &&`` with
   the btree_gist extension: the same spans are refused (int8range(m, m, '[]') overlaps
   int8range(n, n, '[]') exactly when m = n), and inserting a span costs 30-45 % less.
   The extension is PostgreSQL contrib; it is trusted (PostgreSQL 13+), so a database owner
   may create it. On a server that does not offer it (pg_available_extensions), or where
   it may not be created, the database keeps the int8range form: same semantics, slower.
   The migration state always records the new form; ``span_exclusion_form`` tells which
   form a database holds. Once the server offers btree_gist, migrating back to 0002 and
   forward again installs it.
2. The spans' own index on plan_id goes: span_plan_start_idx (plan_id, start_date) serves
   every lookup by plan.
3. The varchar_pattern_ops ``_like`` indexes Django adds to the member ID columns go: they
   serve only ``LIKE 'prefix%'``, which no query of the portal runs on a member ID (the
   admin's "=member_id" search is an exact match). Django would create them again if a
   later migration changed the type of those columns.
"""

import logging

import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models, transaction
from django.db.utils import DatabaseError

logger = logging.getLogger(__name__)

NAME = "span_no_overlap_integrated"
_CONDITION = models.Q(("cancelled", False), ("program__in", ("SCO", "ONE_CARE")))
_DATES = (models.Func(models.F("start_date"), models.F("end_date"), models.Value("[]"),
                      function="daterange",
                      output_field=django.contrib.postgres.fields.ranges.DateRangeField()), "&&")
_MEMBER = django.db.models.functions.comparison.Cast("member", models.BigIntegerField())
BTREE_GIST = django.contrib.postgres.constraints.ExclusionConstraint(
    condition=_CONDITION, expressions=[(_MEMBER, "="), _DATES], name=NAME)
INT8RANGE = django.contrib.postgres.constraints.ExclusionConstraint(
    condition=_CONDITION,
    expressions=[(models.Func(_MEMBER, _MEMBER, models.Value("[]"), function="int8range"), "&&"),
                 _DATES],
    name=NAME)

_LIKE = (("members_member", "members_member_member_id_25cf1a2b_like"),
         ("members_enrollmentspan", "members_enrollmentspan_member_id_bba30e54_like"))


def span_exclusion_form(cursor) -> str:
    """Return "btree_gist" or "int8range": the form of span_no_overlap_integrated in use."""
    cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
                   [NAME])
    (definition,) = cursor.fetchone()
    return "int8range" if "int8range" in definition else "btree_gist"


def _btree_gist(schema_editor) -> bool:
    """Create btree_gist if the server offers it; return True when it is installed."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT installed_version IS NOT NULL FROM pg_available_extensions"
                       " WHERE name = 'btree_gist'")
        found = cursor.fetchone()
        if found is None:
            logger.warning("btree_gist is not available on this server: %s keeps its "
                           "int8range form (same spans refused, slower inserts)", NAME)
            return False
        if found[0]:
            return True
        try:
            with transaction.atomic(using=connection.alias):  # a savepoint
                # Through the schema editor: sqlmigrate shows it and does not run it.
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        except DatabaseError as error:  # e.g. a role that may not create extensions
            logger.warning("btree_gist could not be created (%s): %s keeps its int8range "
                           "form (same spans refused, slower inserts)", error, NAME)
            return False
    return True


class SpanExclusionBtreeGist(migrations.operations.base.Operation):
    """Replace the int8range exclusion with the btree_gist one where the server allows."""

    reversible = True

    def state_forwards(self, app_label, state):
        state.remove_constraint(app_label, "enrollmentspan", NAME)
        state.add_constraint(app_label, "enrollmentspan", BTREE_GIST)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, "enrollmentspan")
        if self.allow_migrate_model(schema_editor.connection.alias, model) and \
                _btree_gist(schema_editor):
            schema_editor.remove_constraint(model, INT8RANGE)
            schema_editor.add_constraint(model, BTREE_GIST)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, "enrollmentspan")
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        with schema_editor.connection.cursor() as cursor:
            form = span_exclusion_form(cursor)
        if form == "btree_gist":  # the extension stays: something else may use it
            schema_editor.remove_constraint(model, BTREE_GIST)
            schema_editor.add_constraint(model, INT8RANGE)

    def describe(self):
        return f"Use btree_gist for {NAME} where the server has it"


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0002_member_links"),
    ]

    operations = [
        SpanExclusionBtreeGist(),
        migrations.AlterField(
            model_name="enrollmentspan",
            name="plan",
            field=models.ForeignKey(db_index=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="spans", to="members.plan"),
        ),
        migrations.RunSQL(
            [f"DROP INDEX IF EXISTS {index}" for _, index in _LIKE],
            [f"CREATE INDEX IF NOT EXISTS {index} ON {table} (member_id varchar_pattern_ops)"
             for table, index in _LIKE],
        ),
    ]
