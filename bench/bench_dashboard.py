"""The operations dashboard's latency on real volumes (issue 18 §2; run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/posc_bench \\
        .venv/bin/python bench/bench_dashboard.py

Fills a scratch database once (bulk SQL: COPY for the members, INSERT … SELECT from
generate_series for the rest) with 1,000,000 members, 100,000 enrollment transactions over
six months, 1,200 834 batches still waiting for their 999, 10,000 recoupments in every
status with due dates around today, and 50,000 tracker cases in every queue with their
history rows (created, waiting in, QC's True/False). Then it times GET /dashboard/ for
each queue role (Enrollment Operations, QC Team Lead, Supervisor, State Monitor), signed
in past the second factor, through the whole middleware stack in-process. Prints p50/p95/
max in milliseconds per role and overall. Target (issue 18): p95 ≤ 150 ms.
"""

import argparse
import time

from django_setup import django_ready, ensure_members, percentiles, second_factor_passed
from machine import print_machine

CSRS = 20  # bench.csr0 … bench.csr19; the first four are bench.supervisor's team


def users() -> dict:
    """Return the four queue roles' bench users, and the CSRs (made once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from crm_tracker.models import SupervisorAssignment
    from posc.roles import (
        CSR,
        ENROLLMENT_OPERATIONS,
        QC_TEAM_LEAD,
        STATE_MONITOR,
        SUPERVISOR,
        roles_sync,
    )

    roles_sync()
    made = {}
    for username, role in (("bench.ops", ENROLLMENT_OPERATIONS), ("bench.qc", QC_TEAM_LEAD),
                           ("bench.supervisor", SUPERVISOR), ("bench.monitor", STATE_MONITOR),
                           *((f"bench.csr{n}", CSR) for n in range(CSRS))):
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": role == ENROLLMENT_OPERATIONS})
        user.groups.add(Group.objects.get(name=role))
        made[username] = user
    for n in range(CSRS):
        supervisor = made["bench.supervisor"] if n < 4 else made["bench.qc"]  # others: no team
        SupervisorAssignment.objects.get_or_create(csr=made[f"bench.csr{n}"],
                                                   defaults={"supervisor": supervisor})
    return made


def fill(made: dict, *, transactions: int, recoupments: int, cases: int) -> None:
    """Add the bench rows once (a second run finds them and adds nothing)."""
    from django.db import connection

    csr_ids = "ARRAY[" + ",".join(str(made[f"bench.csr{n}"].pk) for n in range(CSRS)) + "]"
    ops, supervisor = made["bench.ops"].pk, made["bench.supervisor"].pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM enrollment_enrollmenttransaction")
        if cursor.fetchone()[0] < transactions:
            print(f"adding {transactions:,} transactions …")
            cursor.execute(f"""
                INSERT INTO enrollment_enrollmenttransaction (created_at, updated_at, reference,
                  token, kind, status, request_date, effective_date, reason, cancellation, codes,
                  errors, loop_x12, loop_segments, member_id, plan_id, requested_by_id)
                SELECT now() - (g % 180) * interval '1 day', now(), 'BENCH' || g,
                  gen_random_uuid(), 'ENROLL', 'ACCEPTED', current_date, current_date, '',
                  false, '{{}}', '[]', 'INS*Y*18*021*28*A***AC~', 1,
                  lpad((500000000000 + g % 1000000)::text, 12, '0'), 1 + g % 9, {ops}
                FROM generate_series(1, {transactions}) g""")
            cursor.execute("""
                INSERT INTO enrollment_batch834 (created_at, updated_at, number, loop_count,
                  sha256, plan_id)
                SELECT now() - (g % 30) * interval '1 day', now(), 1 + g / 9, 80, '',
                  1 + g % 9 FROM generate_series(0, 1199) g""")
        cursor.execute("SELECT count(*) FROM recoupments_recoupment")
        if cursor.fetchone()[0] < recoupments:
            print(f"adding {recoupments:,} recoupments …")
            statuses = ("SUBMITTED", "RETURNED", "RESEARCH", "APPROVAL", "MCE_REPROCESSING",
                        "MASSHEALTH_BILLING", "OVERRIDE_REQUESTED", "PAID", "CLOSED")
            array = "ARRAY[" + ",".join(f"'{s}'" for s in statuses) + "]"
            cursor.execute(f"""
                INSERT INTO recoupments_recoupment (created_at, updated_at, reference, status,
                  contact_email, provider_id, provider_name, provider_npi, member_first_name,
                  member_last_name, member_ids, submitted_at, received_on, missing_fields,
                  enrollments_documented, enrollment_adjustments, approval_path,
                  mce_instructions, capitation_adjustment_note, capitation_reconciliation_note,
                  research_due, mce_update_due, payment_due, submitted_by_id)
                SELECT now(), now(), 'RCP-BENCH-' || g, ({array})[1 + g % 9],
                  'bench@provider.example', '100000101A', 'Bench Hospital', '', 'PAT', 'BENCH',
                  ARRAY['100000000001'], now() - (g % 40) * interval '1 day',
                  current_date - g % 40, '{{}}', '', '',
                  CASE WHEN g % 9 IN (4, 5, 6, 7) THEN 'A' ELSE '' END, '', '', '',
                  current_date - 10 + g % 20, current_date - 10 + g % 25,
                  current_date - 20 + g % 40, {ops}
                FROM generate_series(1, {recoupments}) g""")
        cursor.execute("SELECT count(*) FROM crm_tracker_case")
        if cursor.fetchone()[0] < cases:
            print(f"adding {cases:,} tracker cases and their history …")
            cursor.execute(f"""
                INSERT INTO crm_tracker_case (case_type, subject, crm_documentation,
                  participant_names, masshealth_id, ssn, requested_provider_name,
                  for_cause_reason, current_mco_auto_assigned, consumer_issues_resolved,
                  supervisor_requested, vetting, vetting_reason, mmis_result,
                  not_processed_reason, outreach_attempts, outreach_first_notes,
                  outreach_second_notes, created_at, updated_at, created_by_id,
                  outreach_supervisor_id, status_id, category_id, child_disposition_id,
                  csr_disposition_id, disposition_id, owner_queue_id, work_queue_id,
                  record_type_id, sub_category_id, outreach_first_contact,
                  outreach_first_outcome, outreach_second_contact, outreach_second_outcome)
                SELECT (ARRAY['ANGELA_MELODY','MCT_SPAN','FOR_CAUSE','INCORRECT_SELECTION'])
                    [1 + g % 4], 'Bench', '', 'BENCH, PAT', lpad((900000100000 + g)::text, 12,
                    '0'), '900' || lpad((g % 999999 + 1)::text, 6, '0'), '', '', false, false,
                  false, '', '', '', '', CASE WHEN c.id = 6 THEN 1 ELSE 0 END, '', '',
                  now() - (g % 90) * interval '1 day', now(), ({csr_ids})[1 + g % {CSRS}],
                  CASE WHEN c.work_queue_id = 5 THEN {supervisor} END, c.status_id,
                  c.category_id, c.child_disposition_id, c.disposition_id, c.disposition_id,
                  c.owner_queue_id, c.work_queue_id, c.record_type_id, c.sub_category_id,
                  '', '', '', ''
                FROM generate_series(1, {cases}) g
                JOIN crm_tracker_taxonomycombination c ON c.id = 1 + g % 7""")
            cursor.execute(f"""
                INSERT INTO crm_tracker_casehistory (field, old_value, new_value, changed_at,
                  reason, case_id, changed_by_id)
                SELECT 'created', '', c.case_number::text, c.created_at, '', c.id,
                  c.created_by_id FROM crm_tracker_case c
                UNION ALL
                SELECT 'work_queue', 'MCO Tracker QC', q.name,
                  c.created_at + interval '1 day', '', c.id, {made['bench.qc'].pk}
                FROM crm_tracker_case c JOIN crm_tracker_queue q ON q.id = c.work_queue_id
                WHERE q.name <> 'MCO Tracker QC'
                UNION ALL
                SELECT 'disposition', 'Plan Selected in Error', d.name,
                  c.created_at + interval '1 day', '', c.id, {made['bench.qc'].pk}
                FROM crm_tracker_case c JOIN crm_tracker_disposition d ON d.id = c.disposition_id
                WHERE d.name IN ('Plan Selection Corrected', 'Outreach Required')""")
        for table in ("enrollment_enrollmenttransaction", "enrollment_batch834",
                      "recoupments_recoupment", "crm_tracker_case", "crm_tracker_casehistory"):
            cursor.execute(f"ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--recoupments", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=100, help="per role")
    args = parser.parse_args()
    django_ready()
    from django.core.management import call_command
    from django.test import Client

    call_command("loaddata", "crm_taxonomy", "crm_provider_terminations", verbosity=0)
    ensure_members(args.members)
    made = users()
    fill(made, transactions=args.transactions, recoupments=args.recoupments, cases=args.cases)
    print_machine()
    every = []
    for username in ("bench.ops", "bench.qc", "bench.supervisor", "bench.monitor"):
        client = Client()
        client.force_login(made[username])
        session = client.session
        second_factor_passed(made[username], session)
        session.save()
        for _ in range(5):  # warm-up: templates compiled, connections open
            assert client.get("/dashboard/").status_code == 200
        samples = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get("/dashboard/")
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        every += samples
        cut = percentiles(samples)
        print(f"{username:18} p50 {cut['p50']:6.1f} ms  p95 {cut['p95']:6.1f} ms  "
              f"max {cut['max']:6.1f} ms  ({args.requests} requests)")
    cut = percentiles(every)
    print(f"{'every role':18} p50 {cut['p50']:6.1f} ms  p95 {cut['p95']:6.1f} ms  "
          f"max {cut['max']:6.1f} ms  (target: p95 ≤ 150 ms)")


if __name__ == "__main__":
    main()
