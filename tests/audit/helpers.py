"""What the audit tests share: the client address they log in from and the rows written."""

from audit.models import AuditEvent

ADDRESS = "203.0.113.7"  # TEST-NET-3 (RFC 5737): no real client


def rows(**filters) -> list[tuple]:
    """Return the audit rows as (username, address, action, object type, object ID, member ID)."""
    return list(AuditEvent.objects.filter(**filters).order_by("pk").values_list(
        "username", "client_address", "action", "object_type", "object_id", "member_id"))
