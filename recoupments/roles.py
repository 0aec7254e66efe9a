"""The permissions each role needs in this app (merged into posc.roles.ROLE_PERMISSIONS)."""

ROLE_PERMISSIONS: dict[str, list[str]] = {}
