"""Create the role the portal runs as: everyday reads and writes, and no power over the log.

The role that runs migrations owns the tables, and a table's owner can switch its triggers
off (``ALTER TABLE audit_auditevent DISABLE TRIGGER USER``) and then change or delete audit
rows (issue 15). The portal's processes (gunicorn, db_worker) connect as this role instead:
it owns nothing, may SELECT, INSERT, UPDATE and DELETE the portal's tables, and may only
INSERT and SELECT the audit log (HIPAA 45 CFR 164.312(b); ASVS 4.0.3 7.3.3). Run it as the
migration role after ``migrate``: default privileges give it the tables later migrations
create too. See docs/security.md.

    DATABASE_URL=<migration role> POSC_RUNTIME_PASSWORD=… manage.py create_runtime_role posc_app
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

AUDIT_TABLE = "audit_auditevent"


def runtime_role_statements(role: str, database: str,
                            partitions: list[str] = ()) -> list[sql.Composed]:
    """Return the statements that create (or update) *role* with the runtime privileges.

    *partitions*: the audit table's partitions (audit/migrations/0002). The grants on all
    tables reach them too, so each is refused what the parent is; those made later by
    ``audit_partitions_ensure`` get the same refusal when they are made.
    """
    r = sql.Identifier(role)
    audit_only_appended = [
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}"
                ).format(sql.Identifier(table), r) for table in partitions]
    return [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), r),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
                ).format(r),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(r),
        # The audit log: append and read only. No TRUNCATE, and not the owner: no trigger
        # can be switched off.
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}"
                ).format(sql.Identifier(AUDIT_TABLE), r),
        *audit_only_appended,
        # The monthly task (audit.tasks.partitions_ahead) runs in db_worker as this role; the
        # function creates partitions as their owner (SECURITY DEFINER), nothing else.
        sql.SQL("GRANT EXECUTE ON FUNCTION audit_partitions_ensure(date, integer) TO {}"
                ).format(r),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE "
                "ON TABLES TO {}").format(r),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES "
                "TO {}").format(r),
    ]


class Command(BaseCommand):
    help = ("Create or update the runtime role: DML on the portal's tables, INSERT and SELECT "
            "only on the audit log. Run as the migration role (the tables' owner).")

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the portal's processes connect as")
        parser.add_argument("--password-env", default="POSC_RUNTIME_PASSWORD",
                            help="the environment variable holding its password")

    def handle(self, *args, role: str, password_env: str, **options):
        password = os.environ.get(password_env, "")
        if len(password) < 16:
            raise CommandError(f"Set {password_env} to the role's password (16+ characters).")
        if role == connection.settings_dict["USER"]:
            raise CommandError("The runtime role must not be the migration role.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            statements = [sql.SQL(f"{verb} ROLE {{}} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                                  "NOBYPASSRLS NOINHERIT PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password))]
            cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits "
                           "WHERE inhparent = %s::regclass ORDER BY 1", [AUDIT_TABLE])
            partitions = [name for (name,) in cursor.fetchall()]
            statements += runtime_role_statements(role, connection.settings_dict["NAME"],
                                                  partitions)
            raw = connection.connection
            for statement in statements:
                cursor.execute(statement.as_string(raw))
        self.stdout.write(f"Runtime role {role}: {verb.lower()}d; the audit log is INSERT and "
                          "SELECT only.")
