"""The permissions each role needs in this app (merged into posc.roles.ROLE_PERMISSIONS).

Enrollment Operations make the enrollment adjustments (issue 17 §1) and export their
capitation lines per plan and month, the documentation to MMIS. The adjustments are
history: nobody changes or deletes one.
"""

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "Enrollment Operations": [
        "enrollment.view_enrollmentadjustment",
        "enrollment.make_adjustment",
        "enrollment.view_capitationadjustment",
        "enrollment.export_capitation",
    ],
}
