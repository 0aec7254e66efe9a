"""Least privilege in the roles themselves (posc/roles.py) and in what a role's pages show.

HIPAA 45 CFR 164.308(a)(4) and 164.312(a)(1); OWASP ASVS 4.0.3 4.1.3: every role holds
the permissions its work needs and no more. The access table (test_url_access.py) proves
where each role may go; these rules hold for the grants themselves.
"""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

from crm_tracker.models import SupervisorAssignment
from crm_tracker.services import case_intake, case_vet
from posc.members.demo import DEMO_ACCOUNTS
from posc.roles import CSR, ENROLLMENT_OPERATIONS, PROVIDER_STAFF, SUPERVISOR, role_permissions
from tests.crm_tracker.helpers import NOW, intake_kwargs
from tests.factories import UserFactory
from tests.security.world import World, world  # noqa: F401  (world is a fixture)

# The kernel's permissions and those the apps registered in AppConfig.ready().
ROLE_PERMISSIONS = role_permissions()

pytestmark = pytest.mark.django_db

MODEL_PERMISSIONS = {f"{model._meta.app_label}.{action}_{model._meta.model_name}"
                     for model in apps.get_models()
                     for action in ("view", "add", "change", "delete")}
GRANTS = [(role, perm) for role, perms in ROLE_PERMISSIONS.items() for perm in perms]


@pytest.mark.parametrize("role, perm", GRANTS)
def test_no_role_deletes_or_administers_accounts_or_logs(role, perm):
    """Records are history (never deleted); accounts, lockouts and the audit log are the
    superuser's; the audit log is read-only for everyone (HIPAA 45 CFR 164.312(b))."""
    app_label, codename = perm.split(".")
    assert not codename.startswith("delete_"), perm
    assert app_label not in ("auth", "axes", "sessions", "contenttypes", "admin"), perm
    if app_label == "audit":
        assert codename.startswith("view_"), perm


def test_provider_staff_get_no_permission():
    """Provider panels are gated by the user's ProviderLink, never by a model permission."""
    assert ROLE_PERMISSIONS[PROVIDER_STAFF] == []


def test_only_enrollment_operations_and_the_superuser_enter_the_admin():
    """The admin is for Enrollment Operations; every other role works in the portal."""
    staff = {a.role for a in DEMO_ACCOUNTS if a.is_staff}
    assert staff == {ENROLLMENT_OPERATIONS, "superuser"}
    # A role outside the admin holds no model permission (it could not use one), only the
    # custom permissions its portal pages check.
    for role, perms in ROLE_PERMISSIONS.items():
        if role != ENROLLMENT_OPERATIONS:
            assert not [p for p in perms if p in MODEL_PERMISSIONS], role


def test_the_groups_hold_exactly_role_permissions(world: World):
    """What the users got from roles_sync is ROLE_PERMISSIONS, no more."""
    for account in DEMO_ACCOUNTS:
        user = world.users[account.username]
        if account.is_superuser:
            continue
        granted = {f"{p.content_type.app_label}.{p.codename}"
                   for g in user.groups.all() for p in g.permissions.all()}
        assert granted == set(ROLE_PERMISSIONS[account.role]), account.username
        assert not user.user_permissions.exists()


def test_a_supervisor_sees_only_the_own_teams_relabel_rates(world: World):
    """Reports: a Supervisor's CSR rows are the team's; QC sees every CSR.

    Before the fix the page listed every CSR's relabel rate to every Supervisor (another
    team's staff performance), though the role is "sees the team's relabel rates"
    (crm_tracker/roles.py).
    """
    other_csr = UserFactory(username="csr.otherteam")
    other_csr.groups.add(Group.objects.get(name=CSR))
    other_supervisor = UserFactory(username="supervisor.otherteam")
    other_supervisor.groups.add(Group.objects.get(name=SUPERVISOR))
    SupervisorAssignment.objects.create(csr=other_csr, supervisor=other_supervisor)
    qc = world.users["qc"]
    for user in (world.users["csr"], other_csr):
        case = (world.case if user == world.users["csr"]
                else case_intake(**intake_kwargs(actor=user)))
        case_vet(now=NOW, case=case, true_case=False, reason="Not a tracker case.", actor=qc)
    supervisor_page = world.client("supervisor").get(reverse("crm_tracker:reports"))
    qc_page = world.client("qc").get(reverse("crm_tracker:reports"))
    assert [r.group for r in supervisor_page.context["by_csr"]] == ["csr"]
    assert [r.group for r in qc_page.context["by_csr"]] == ["csr", "csr.otherteam"]
