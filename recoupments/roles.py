"""The permissions each role needs in this app (merged into posc.roles.ROLE_PERMISSIONS).

Enrollment Operations work recoupments in the admin: they read requests, make each move
of seed 004 (one custom permission per kind of move, ``workflow.MOVE_PERMISSIONS``) and keep
the edit codes and MCE contacts. Nobody edits or deletes a request in the admin; providers
act through the portal, gated by their ProviderLink.
"""

from recoupments.models import MOVE_PERMISSIONS

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "Enrollment Operations": [
        "recoupments.view_recoupment",
        *(f"recoupments.{codename}" for codename in MOVE_PERMISSIONS),
        "recoupments.view_editcode",
        "recoupments.add_editcode",
        "recoupments.change_editcode",
        "recoupments.view_mcecontact",
        "recoupments.add_mcecontact",
        "recoupments.change_mcecontact",
    ],
}
