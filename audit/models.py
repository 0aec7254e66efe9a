"""AuditEvent: one row per member read or written, never changed and never deleted.

HIPAA 45 CFR 164.312(b) asks for a record of activity in systems that hold ePHI; ASVS
4.0.3 7.3.3 asks that the record be protected from modification. A row is refused an
UPDATE or DELETE three times over: by the model and its QuerySet (posc.history, as every
history table), and by PostgreSQL triggers (migration 0001), so no code path can change one.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from posc.history import AppendOnlyError, AppendOnlyModel


class AuditImmutable(AppendOnlyError):
    """Someone tried to change or delete an audit row (a bug: the portal never does)."""


class Action(models.TextChoices):
    SEARCH = "SEARCH", "Search"
    VIEW = "VIEW", "View"
    DOWNLOAD = "DOWNLOAD", "Download"
    EXPORT = "EXPORT", "Export"
    CREATE = "CREATE", "Create"
    CHANGE = "CHANGE", "Change"
    DELETE = "DELETE", "Delete"
    IMPORT = "IMPORT", "Import"


class AuditEvent(AppendOnlyModel):
    """Who (user, address) did what (action) to which object, for which member, when."""

    # audit.services stamps every row with Python's clock (posc/clock.py: the truth); the
    # database default only dates a row written some other way.
    at = models.DateTimeField(db_default=Now(), editable=False, db_index=False)
    # The user row may go one day; the row keeps its id and name as they were (no FK
    # constraint, nothing cascades into this table).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.DO_NOTHING, db_constraint=False,
                             db_index=False, related_name="+")
    username = models.CharField(max_length=150)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=10, choices=Action)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    member_id = models.CharField("member ID", max_length=12, blank=True)
    path = models.CharField(max_length=255, blank=True)
    detail = models.CharField(max_length=255, blank=True)

    append_only_error = AuditImmutable

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["member_id", "-at"], name="audit_member_at"),
            models.Index(fields=["username", "-at"], name="audit_username_at"),
            models.Index(fields=["user", "-at"], name="audit_user_at"),
            models.Index(fields=["-at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        # ui.md: MM/DD/YYYY, Eastern time, as the admin shows every date.
        at = timezone.localtime(self.at)
        return f"{at:%m/%d/%Y %H:%M:%S} {self.username} {self.action} {self.object_type}"
