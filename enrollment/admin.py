"""Admin for Enrollment Operations: transactions and 834 batches, read-only."""

from django.contrib import admin

from audit.admin import AuditedAdminMixin
from enrollment.models import Batch834, EnrollmentTransaction
from posc.members.admin import ReadOnlyAdminMixin


@admin.register(EnrollmentTransaction)
class EnrollmentTransactionAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """What was sent to MMIS and what it answered; history is never edited."""

    list_display = ["reference", "kind", "status", "member", "plan", "effective_date",
                    "requested_by", "created_at", "batch_number"]
    list_filter = ["kind", "status", "plan", "cancellation"]
    search_fields = ["=reference", "=member__member_id", "member__last_name",
                     "member__first_name"]
    list_select_related = ["member", "plan", "requested_by", "entry__batch"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    exclude = ["token"]

    @admin.display(description="834 batch", ordering="entry__batch__number")
    def batch_number(self, obj: EnrollmentTransaction) -> str:
        entry = getattr(obj, "entry", None) if obj.accepted else None
        if entry is None:
            return "—"
        return str(entry.batch.number) if entry.batch else "pending"


@admin.register(Batch834)
class Batch834Admin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["plan", "number", "loop_count", "created_at", "cut_by", "sha256"]
    list_filter = ["plan"]
    list_select_related = ["plan", "cut_by"]
