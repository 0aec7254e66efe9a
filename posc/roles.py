"""The portal's roles as Django groups, with the model permissions their work needs and no more.

demo-data.md: "Roles are Django groups with the permissions their work needs and no more."
The permissions are data: the kernel's own here, each app's added by its ``AppConfig.ready()``
(posc.registry.roles_register); ``role_permissions`` merges them and ``roles_sync`` makes the
groups match.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from posc import registry

PROVIDER_STAFF = "Provider staff"
ENROLLMENT_OPERATIONS = "Enrollment Operations"
CSR = "CSR"
QC_TEAM_LEAD = "QC Team Lead"
STATE_MONITOR = "State Monitor"
SUPERVISOR = "Supervisor"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Provider panels are gated by the user's ProviderLink, not by model permissions.
    PROVIDER_STAFF: [],
    # Reads members, spans, transactions and 834 batches in the admin; links and unlinks a
    # member's several Member IDs; maintains the reference data (plans, service areas, rate
    # cells). Never deletes: spans and transactions are history, and plans are referenced
    # by them.
    ENROLLMENT_OPERATIONS: [
        "members.view_member",
        "members.view_enrollmentspan",
        # Job aid "Reporting Multiple IDs" (seed 004): they record that two Member IDs are
        # one person (add) and undo it (change: the link is kept, marked unlinked).
        "members.view_memberlink",
        "members.add_memberlink",
        "members.change_memberlink",
        "members.view_memberlinkevent",
        "enrollment.view_enrollmenttransaction",
        "enrollment.view_batch834",
        # Every plan's reconciliations (issue 17): the last one per plan and its differences.
        "enrollment.view_reconciliation",
        "members.view_plan",
        "members.add_plan",
        "members.change_plan",
        "members.view_servicearea",
        "members.add_servicearea",
        "members.change_servicearea",
        "members.view_ratecell",
        "members.add_ratecell",
        "members.change_ratecell",
        # The audit log, read-only: nobody holds add, change or delete (HIPAA 45 CFR 164.312(b)).
        "audit.view_auditevent",
    ],
    # CSR, QC Team Lead, State Monitor and Supervisor work in the CRM tracker; their
    # permissions, and Enrollment Operations' recoupment permissions, come from the apps
    # (role_permissions).
    CSR: [],
    QC_TEAM_LEAD: [],
    STATE_MONITOR: [],
    SUPERVISOR: [],
}


def role_permissions() -> dict[str, list[str]]:
    """Return every role with the kernel's permissions followed by those the apps registered."""
    merged = {role: list(perms) for role, perms in ROLE_PERMISSIONS.items()}
    for role, perms in registry.role_permissions().items():
        merged[role] = merged[role] + perms  # KeyError: an app names a role the kernel lacks
    return merged


class UnknownPermission(LookupError):
    """A permission named in role_permissions() does not exist (app not migrated?)."""


def _permission(name: str) -> Permission:
    """Return the Permission for ``"app_label.codename"``."""
    app_label, _, codename = name.partition(".")
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist:
        raise UnknownPermission(f"no permission {name!r}; run migrate first") from None


@transaction.atomic
def roles_sync() -> dict[str, Group]:
    """Create or update one group per role so that it holds exactly role_permissions()."""
    groups = {}
    for name, perm_names in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=name)
        # set() only adds and removes the difference, so a second run writes nothing.
        group.permissions.set([_permission(p) for p in perm_names])
        groups[name] = group
    return groups


roles_sync.alters_data = True
