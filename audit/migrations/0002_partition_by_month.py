"""Partition audit_auditevent by month of ``at`` (issue 19 §3: the audit table at scale).

Every page with member data writes audit rows and they are kept six years (45 CFR
164.316(b)(2)), so this becomes the largest table. A month is one partition: a search of
one month reads one partition's indexes (pruning), and a partition past the retention
period is archived by detaching it (README, "Archiving an old audit partition").

- The key in the database is (id, at): a partitioned table's unique keys must hold the
  partition key. Django still calls ``id`` the primary key; ids stay unique because they
  come from one sequence. PostgreSQL 15 allows no identity column on a partitioned table
  (17 does), so the identity becomes a sequence owned by the column, continuing its count.
- A DEFAULT partition takes a row of a month nobody created yet: a refused audit row
  would roll back the clerk's write (audit/services.py).
- ``audit_partitions_ensure(first_month, months)`` creates the missing months (the task
  ``audit.tasks.partitions_ahead`` calls it). It is SECURITY DEFINER: the runtime role
  (``create_runtime_role``) owns no table and may not create a partition itself, and a
  partition created by the owner leaves the runtime role no way to switch its triggers
  off. A month's rows that landed in DEFAULT are moved into the new partition.
- The triggers of 0001: the row trigger on the parent is cloned on every partition, also
  those attached later; a statement (TRUNCATE) trigger is not, so each partition gets its
  own (PostgreSQL docs, CREATE TRIGGER: "Statement-level triggers on a partitioned table
  are not fired for its partitions when the partition is truncated directly").
- Months are Boston months (settings.TIME_ZONE), as the admin's date filter cuts them.
"""

from django.db import migrations

ZONE = "America/New_York"  # posc/settings/base.py TIME_ZONE, fixed here as migrations are

ENSURE_SQL = f"""
CREATE FUNCTION audit_partitions_ensure(first_month date, months integer)
RETURNS TABLE (partition text, moved bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    month date;
    lo timestamptz;
    hi timestamptz;
    role_oid oid;
BEGIN
    IF months < 1 OR months > 120 THEN
        RAISE EXCEPTION 'months must be 1 to 120, not %', months;
    END IF;
    FOR i IN 0 .. months - 1 LOOP
        month := date_trunc('month', first_month)::date + make_interval(months => i);
        partition := 'audit_auditevent_p' || to_char(month, 'YYYYMM');
        CONTINUE WHEN to_regclass(partition) IS NOT NULL;
        lo := month::timestamp AT TIME ZONE '{ZONE}';
        hi := (month + interval '1 month')::timestamp AT TIME ZONE '{ZONE}';
        -- Built beside the table, filled, then attached: ATTACH locks the parent in SHARE
        -- UPDATE EXCLUSIVE mode, so clerks' audit rows keep going in meanwhile.
        EXECUTE format('CREATE TABLE %I (LIKE audit_auditevent INCLUDING DEFAULTS)', partition);
        EXECUTE format('CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_event_immutable()', partition);
        -- Rows of this month written while it had no partition: out of DEFAULT, into it
        -- (ATTACH refuses while DEFAULT holds one). Only the owner, here, may do so.
        moved := 0;
        IF EXISTS (SELECT FROM audit_auditevent_default WHERE at >= lo AND at < hi) THEN
            ALTER TABLE audit_auditevent_default DISABLE TRIGGER audit_event_no_update_delete;
            EXECUTE format('WITH m AS (DELETE FROM audit_auditevent_default WHERE at >= %L '
                           'AND at < %L RETURNING *) INSERT INTO %I SELECT * FROM m',
                           lo, hi, partition);
            GET DIAGNOSTICS moved = ROW_COUNT;
            ALTER TABLE audit_auditevent_default ENABLE TRIGGER audit_event_no_update_delete;
        END IF;
        EXECUTE format('ALTER TABLE audit_auditevent ATTACH PARTITION %I '
                       'FOR VALUES FROM (%L) TO (%L)', partition, lo, hi);
        -- Whoever may write the parent (the runtime role) may append to and read a
        -- partition, nothing more, as on the parent (create_runtime_role).
        FOR role_oid IN SELECT DISTINCT a.grantee FROM pg_class c,
                aclexplode(c.relacl) a WHERE c.oid = partition::regclass
                AND a.grantee <> c.relowner AND a.grantee <> 0 LOOP
            EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON %I '
                           'FROM %s', partition, role_oid::regrole);
        END LOOP;
        RETURN NEXT;
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION audit_partitions_ensure(date, integer) FROM PUBLIC;
"""

FORWARD_SQL = f"""
LOCK TABLE audit_auditevent IN ACCESS EXCLUSIVE MODE;
ALTER TABLE audit_auditevent RENAME TO audit_auditevent_unpartitioned;
DO $$
DECLARE next_id bigint;
BEGIN
    -- Continue the identity's count: an id is never given twice.
    next_id := nextval(pg_get_serial_sequence('audit_auditevent_unpartitioned', 'id'));
    ALTER TABLE audit_auditevent_unpartitioned ALTER COLUMN id DROP IDENTITY;
    CREATE SEQUENCE audit_auditevent_id_seq;
    PERFORM setval('audit_auditevent_id_seq', next_id, false);
END
$$;
DROP INDEX audit_member_at, audit_username_at, audit_user_at, audit_at;
ALTER TABLE audit_auditevent_unpartitioned
    RENAME CONSTRAINT audit_auditevent_pkey TO audit_auditevent_unpartitioned_pkey;

CREATE TABLE audit_auditevent (LIKE audit_auditevent_unpartitioned INCLUDING DEFAULTS)
    PARTITION BY RANGE (at);
ALTER TABLE audit_auditevent ALTER COLUMN id SET DEFAULT nextval('audit_auditevent_id_seq');
ALTER SEQUENCE audit_auditevent_id_seq OWNED BY audit_auditevent.id;
CREATE TABLE audit_auditevent_default PARTITION OF audit_auditevent DEFAULT;
CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_immutable();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_immutable();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent_default
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_immutable();
{ENSURE_SQL}
-- The months of the rows there are, through three months ahead of today.
DO $$
DECLARE
    first_month date := date_trunc('month', LEAST(
        (SELECT min(at) FROM audit_auditevent_unpartitioned), now()) AT TIME ZONE '{ZONE}');
    last_month date := date_trunc('month', now() AT TIME ZONE '{ZONE}') + interval '3 month';
BEGIN
    PERFORM audit_partitions_ensure(first_month, 1 + (extract(year FROM last_month) * 12
        + extract(month FROM last_month) - extract(year FROM first_month) * 12
        - extract(month FROM first_month))::integer);
END
$$;
INSERT INTO audit_auditevent SELECT * FROM audit_auditevent_unpartitioned;
DROP TABLE audit_auditevent_unpartitioned;

-- Built once the rows are in (faster than row by row); each cascades to every partition,
-- those attached later included. Same names and columns as 0001's, for Django's state.
ALTER TABLE audit_auditevent ADD CONSTRAINT audit_auditevent_pkey PRIMARY KEY (id, at);
CREATE INDEX audit_member_at ON audit_auditevent (member_id, at DESC);
CREATE INDEX audit_username_at ON audit_auditevent (username, at DESC);
CREATE INDEX audit_user_at ON audit_auditevent (user_id, at DESC);
CREATE INDEX audit_at ON audit_auditevent (at DESC);
"""

REVERSE_SQL = """
LOCK TABLE audit_auditevent IN ACCESS EXCLUSIVE MODE;
DROP FUNCTION audit_partitions_ensure(date, integer);
CREATE TABLE audit_auditevent_unpartitioned (LIKE audit_auditevent INCLUDING DEFAULTS);
ALTER TABLE audit_auditevent_unpartitioned ALTER COLUMN id DROP DEFAULT;
INSERT INTO audit_auditevent_unpartitioned SELECT * FROM audit_auditevent;
DO $$
DECLARE next_id bigint;
BEGIN
    next_id := nextval('audit_auditevent_id_seq');
    DROP TABLE audit_auditevent;  -- its partitions and its sequence with it
    ALTER TABLE audit_auditevent_unpartitioned RENAME TO audit_auditevent;
    EXECUTE format('ALTER TABLE audit_auditevent ALTER COLUMN id '
                   'ADD GENERATED BY DEFAULT AS IDENTITY (START WITH %s)', next_id);
END
$$;
ALTER TABLE audit_auditevent ADD CONSTRAINT audit_auditevent_pkey PRIMARY KEY (id);
CREATE INDEX audit_member_at ON audit_auditevent (member_id, at DESC);
CREATE INDEX audit_username_at ON audit_auditevent (username, at DESC);
CREATE INDEX audit_user_at ON audit_auditevent (user_id, at DESC);
CREATE INDEX audit_at ON audit_auditevent (at DESC);
CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_immutable();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_immutable();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(FORWARD_SQL, REVERSE_SQL),
    ]
