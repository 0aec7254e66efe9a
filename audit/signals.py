"""Every add, change and delete in the admin writes an audit row (in the admin's transaction).

The admin logs each one in a LogEntry; a receiver turns it into an AuditEvent. Deleting
several rows at once is logged with bulk_create (no signal): audit.admin's
"delete selected" action records those.
"""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save
from django.dispatch import receiver

from audit.models import Action
from audit.services import record

ADMIN_ACTIONS = {ADDITION: Action.CREATE, CHANGE: Action.CHANGE, DELETION: Action.DELETE}


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_log_entry")
def admin_log_entry_recorded(sender, instance: LogEntry, created: bool, raw: bool = False,
                             **kwargs) -> None:
    """Record the admin action a new LogEntry describes."""
    if not created or raw:
        return
    # get_for_id reads ContentType's cache: no query.
    model = (ContentType.objects.get_for_id(instance.content_type_id).model_class()
             if instance.content_type_id else None)
    object_type = str(model._meta.verbose_name) if model else "unknown"
    member_ids = [instance.object_id] if model and model._meta.label == "members.Member" else []
    record(ADMIN_ACTIONS.get(instance.action_flag, Action.CHANGE), object_type,
           instance.object_id or "", member_ids=member_ids,
           detail=f"admin: {instance.get_change_message()}")
