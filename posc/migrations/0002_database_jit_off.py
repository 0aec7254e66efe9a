"""Turn JIT off for every connection to the portal's database, pooled or not.

The settings pass `-c jit=off` when connecting (posc/settings/base.py, docs/performance.md:
a tracker case read spent 17 ms compiling for 0.3 ms of work), but PgBouncer in transaction
pooling (DB_POOL_MODE=transaction) cannot pass startup options, so the database carries the
setting itself. Only the database's owner (or a superuser) may set it: a role that may not
is told so, and the README's production recipe has the statement for the owner to run.
"""

from django.db import migrations

FORWARD = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'JIT stays on: only the owner of database % may run ALTER DATABASE % SET jit = off',
        current_database(), current_database();
END
$$;
"""

REVERSE = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I RESET jit', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    NULL;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("posc", "0001_session_table_unlogged")]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=REVERSE)]
