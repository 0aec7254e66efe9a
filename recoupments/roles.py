"""The permissions each role needs in this app (merged into posc.roles.ROLE_PERMISSIONS).

Enrollment Operations work recoupments in the admin: they read requests, make each move
of seed 004 (one custom permission per move) and keep the edit codes and MCE contacts.
Nobody edits or deletes a request in the admin; providers act through the portal, gated
by their ProviderLink.
"""

MOVE_PERMISSIONS = [
    "recoupments.confirm_complete",
    "recoupments.return_incomplete",
    "recoupments.record_research",
    "recoupments.approve",
    "recoupments.record_mce_update",
    "recoupments.record_denied_claim",
    "recoupments.send_claims_support",
    "recoupments.confirm_payment",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "Enrollment Operations": [
        "recoupments.view_recoupment",
        *MOVE_PERMISSIONS,
        "recoupments.view_editcode",
        "recoupments.add_editcode",
        "recoupments.change_editcode",
        "recoupments.view_mcecontact",
        "recoupments.add_mcecontact",
        "recoupments.change_mcecontact",
    ],
}
