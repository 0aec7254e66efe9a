"""The permissions each role needs in this app (merged into posc.roles.ROLE_PERMISSIONS).

The kernel's own list already lets Enrollment Operations view transactions and 834 batches
in the admin; issue 17 adds the plans' acknowledgments, read-only, and sending a rejected
batch again (the admin action on 834 batches). Plan staff need no permission: the 834
Files pages are gated by their plan links.
"""

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "Enrollment Operations": [
        "enrollment.view_acknowledgment",
        "enrollment.view_acknowledgmenterror",
        "enrollment.resend_batch834",
    ],
}
