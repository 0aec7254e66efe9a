"""Turn JIT off for every connection to the portal's database, pooled or not.

The settings pass `-c jit=off` when connecting (posc/settings/base.py, docs/performance.md:
a tracker case read spent 17 ms compiling for 0.3 ms of work), but PgBouncer in transaction
pooling (DB_POOL_MODE=transaction) cannot pass startup options, so the database carries the
setting itself. Only the database's owner (or a superuser) may set it: migrated by another
role, this says so and changes nothing, and the owner runs the statement (README, Production).
"""

import sys

from django.db import migrations

MAY_ALTER_DATABASE = """
SELECT pg_has_role(current_user, d.datdba, 'MEMBER')
       OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
  FROM pg_database d WHERE d.datname = current_database()
"""


def jit_set(schema_editor, value: str | None) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        [name] = cursor.fetchone()
        cursor.execute(MAY_ALTER_DATABASE)
        [allowed] = cursor.fetchone()
        setting = f"SET jit = {value}" if value else "RESET jit"
        statement = f"ALTER DATABASE {schema_editor.quote_name(name)} {setting}"
        if allowed:
            cursor.execute(statement)
        else:
            sys.stderr.write(f"\n  JIT unchanged: only the owner of database {name} may run "
                             f"{statement}\n")


def jit_off(apps, schema_editor) -> None:
    jit_set(schema_editor, "off")


def jit_reset(apps, schema_editor) -> None:
    jit_set(schema_editor, None)


class Migration(migrations.Migration):
    dependencies = [("posc", "0001_session_table_unlogged")]

    operations = [migrations.RunPython(jit_off, reverse_code=jit_reset)]
