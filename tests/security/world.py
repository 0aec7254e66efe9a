"""One shared world for the access tests: the demo accounts and one object of each kind.

The accounts are made as ``seed_demo`` makes them (``account_seed`` over DEMO_ACCOUNTS,
groups from ``posc.roles.roles_sync``): every permission a role user has comes from its
group, so the tests prove the groups, not permissions granted for the test.

The world is built once per test module inside a transaction that is rolled back at the
end; each test runs in a savepoint of it (pytest-django's ``db``), so what a test writes
is undone and the next test sees the same world. Building it per test would cost more
than the ~2000 requests the access table makes.
"""

import uuid
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from crm_tracker.models import Case, SupervisorAssignment
from crm_tracker.services import case_intake
from enrollment.adjustments import adjustment_retro_enroll
from enrollment.audit_files import audit_file_cut
from enrollment.models import AuditFile834, Batch834, EnrollmentTransaction, Reconciliation
from enrollment.reconciliation import RosterRow, reconciliation_run
from enrollment.services import batch_cut, enrollment_submit
from posc import clock
from posc.members.demo import CCA_SCO, DEMO_ACCOUNTS, SWH_SCO
from posc.members.management.commands.seed_demo import account_seed
from posc.members.models import Member, MemberLink, Plan, Program
from posc.members.services import member_link
from posc.roles import roles_sync
from recoupments.models import Recoupment
from recoupments.services import recoupment_submit
from tests.crm_tracker.helpers import intake_kwargs
from tests.factories import MemberFactory
from tests.helpers import provider_user
from tests.recoupments.helpers import HOME_HEALTH, NOW, form_input
from tests.transactions import rolled_back

ANONYMOUS = "anonymous"


@dataclass
class World:
    users: dict[str, AbstractBaseUser]
    member: Member  # enrolled with CCA SCO by cca.sco (the accepted transaction below)
    eligible: Member  # SCO-eligible, enrolled nowhere
    transaction: EnrollmentTransaction  # cca.sco's accepted enrollment of ``member``
    batch: Batch834  # cca.sco's 834 batch holding that enrollment
    audit_file: AuditFile834  # CCA SCO's audit 834 on the day ``member``'s span starts
    reconciliation: Reconciliation  # cca.sco's roster for that month
    recoupment: Recoupment  # the hospital's request
    other_recoupment: Recoupment  # Example Home Health Agency's request (user "homehealth")
    case: Case  # opened by csr, in the QC queue; csr's Supervisor is supervisor
    sessions: dict[str, str] = field(default_factory=dict)  # username -> session key
    link: MemberLink | None = None  # ops linked two Member IDs of one person

    def client(self, role: str) -> Client:
        """Return a new test client signed in as *role* (anonymous: not signed in).

        Each user signs in once per world (a test's own writes are rolled back, the
        session row made here stays): about half the cost of a request, saved per request.
        """
        client = Client()
        if role != ANONYMOUS:
            if role not in self.sessions:
                client.force_login(self.users[role])
                self.sessions[role] = client.session.session_key
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def build_world() -> World:
    """Load the reference data, make the demo accounts and one object of each kind."""
    call_command("loaddata", "plans", "rate_cells", "crm_taxonomy", "crm_provider_terminations",
                 "edit_codes", "recoupment_mce_contacts", verbosity=0)
    groups = roles_sync()
    users = {a.username: account_seed(account=a, groups=groups)[0] for a in DEMO_ACCOUNTS}
    users["homehealth"] = provider_user("homehealth", HOME_HEALTH)
    SupervisorAssignment.objects.create(csr=users["csr"], supervisor=users["supervisor"])
    member, eligible = MemberFactory(), MemberFactory()
    txn = enrollment_submit(token=uuid.uuid4(), program=Program.SCO, provider_id=CCA_SCO,
                            member=member, last_name=member.last_name,
                            first_name=member.first_name, actor=users["cca.sco"],
                            today=clock.today())
    assert txn.accepted, txn.errors
    cca = Plan.objects.get(provider_id=CCA_SCO)
    batch = batch_cut(plan=cca)
    audit_file = audit_file_cut(plan=cca, as_of=txn.effective_date)
    reconciliation = reconciliation_run(
        plan=cca, month=txn.effective_date, token=uuid.uuid4(), actor=users["cca.sco"],
        file_name="roster.csv", roster=[RosterRow(row=2, member_id=eligible.member_id,
                                                  rate_cell="SCO-CW-GB",
                                                  start_date=txn.effective_date)])
    recoupment = recoupment_submit(actor=users["hospital"], data=form_input(), now=NOW)
    # An enrollment adjustment (issue 17 §1), with its 834 loop and capitation line.
    adjustment_retro_enroll(member=MemberFactory(), plan=Plan.objects.get(provider_id=SWH_SCO),
                            start_date=clock.today().replace(day=1), reason="Access table.",
                            reference=f"recoupment:{recoupment.pk}", token=uuid.uuid4(),
                            actor=users["ops"], today=clock.today())
    other = recoupment_submit(actor=users["homehealth"], data=form_input(
        provider_id=HOME_HEALTH, provider_name="Example Home Health Agency",
        provider_npi="1558598797", member_first_name="OTHERS"), now=NOW)
    case = case_intake(**intake_kwargs(actor=users["csr"]))
    # One row of each model of the admin that the flows above do not write (the access
    # table opens each model's change, delete and history pages on a real row).
    AccessAttempt.objects.create(username="nobody", ip_address="192.0.2.1", user_agent="test",
                                 http_accept="*/*", path_info="/login/", get_data="",
                                 post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(username="nobody", ip_address="192.0.2.1",
                                    user_agent="test", http_accept="*/*", path_info="/login/")
    # A task the tests' immediate backend cannot rebuild (it supports no run_after): the
    # admin shows its path, as for a task whose function is gone.
    DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}},
                                task_path="posc.no_such_module.email_send",
                                backend_name="default", run_after=clock.now())
    link = member_link(primary_id=MemberFactory().pk, secondary_id=MemberFactory().pk,
                       reason="Reported by the member's plan", actor=users["ops"], now=NOW)
    world = World(users=users, member=member, eligible=eligible, transaction=txn, batch=batch,
                  audit_file=audit_file, reconciliation=reconciliation,
                  recoupment=recoupment, other_recoupment=other, case=case, link=link)
    for username in users:
        world.client(username)  # sign in now, outside any test's savepoint
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Build the world once for the module; roll it back after the module's last test."""
    with django_db_blocker.unblock():
        with rolled_back():
            yield build_world()
