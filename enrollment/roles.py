"""The permissions each role needs in this app (merged into posc.roles.ROLE_PERMISSIONS).

The kernel's own list already lets Enrollment Operations view transactions and 834 batches
in the admin; issue 17 adds the plans' acknowledgments, read-only, and sending a rejected
batch again (the admin action on 834 batches). Plan staff need no permission: the 834
Files pages are gated by their plan links.

Enrollment Operations make the enrollment adjustments (issue 17 §1) and export their
capitation lines per plan and month, the documentation to MMIS. The adjustments are
history: nobody changes or deletes one.
"""

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "Enrollment Operations": [
        "enrollment.view_acknowledgment",
        "enrollment.view_acknowledgmenterror",
        "enrollment.resend_batch834",
        "enrollment.view_enrollmentadjustment",
        "enrollment.make_adjustment",
        "enrollment.view_capitationadjustment",
        "enrollment.export_capitation",
    ],
}
