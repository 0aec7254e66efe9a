"""Admin for Enrollment Operations: transactions and 834 batches, read-only.

Issue 17: the 834 batch list shows each batch's acknowledgment status, filters the batches
a plan has not acknowledged after two business days, and sends a rejected batch again.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.admin import AuditedAdminMixin
from enrollment import admin_adjustments  # noqa: F401  (registers the adjustment admins)
from enrollment.ack_services import batch_resend
from enrollment.models import Acknowledgment, Batch834, BatchStatus, EnrollmentTransaction
from enrollment.selectors import (
    ACK_DUE_BUSINESS_DAYS,
    ack_overdue_before,
    batch_status_annotate,
)
from posc.clock import today as clock_today
from posc.exceptions import DomainError
from posc.members.admin import ReadOnlyAdminMixin, ReadOnlyInline


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


OVERDUE = "OVERDUE"


class AcknowledgmentStatusFilter(admin.SimpleListFilter):
    """The batch's status, and the batches still Sent after two business days."""

    title = "acknowledgment"
    parameter_name = "ack"

    def lookups(self, request, model_admin):
        return [*BatchStatus.choices,
                (OVERDUE, f"No acknowledgment after {ACK_DUE_BUSINESS_DAYS} business days")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == OVERDUE:
            before = ack_overdue_before(today=clock_today())
            return queryset.filter(ack_status=BatchStatus.SENT.value, created_at__lt=before)
        if value in BatchStatus.values:
            return queryset.filter(ack_status=value)
        return queryset


class AcknowledgmentInline(ReadOnlyInline):
    model = Acknowledgment
    fields = ["created_at", "kind", "outcome", "reason", "filename", "loaded_by", "errors_named"]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]

    @admin.display(description="member loops in error")
    def errors_named(self, obj: Acknowledgment) -> str:
        errors = list(obj.errors.all()[:20])
        return "; ".join(f"{e.member_id or e.segment_id}: {e.reason}" for e in errors) or "—"


@admin.register(Batch834)
class Batch834Admin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["plan", "number", "loop_count", "created_at", "status", "resend_of",
                    "cut_by", "sha256"]
    list_filter = [AcknowledgmentStatusFilter, "plan"]
    list_select_related = ["plan", "cut_by", "resend_of"]
    inlines = [AcknowledgmentInline]
    actions = ["resend_action"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Batch834]:
        return batch_status_annotate(super().get_queryset(request))

    @admin.display(description="status", ordering="ack_status")
    def status(self, obj: Batch834) -> str:
        return BatchStatus(obj.ack_status).label

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("enrollment.resend_batch834")

    @admin.action(description="Send the selected rejected batches again",
                  permissions=["resend"])
    def resend_action(self, request: HttpRequest, queryset: QuerySet[Batch834]) -> None:
        for batch in queryset.order_by("plan", "number"):
            try:
                again = batch_resend(batch=batch, actor=request.user)
            except DomainError as refusal:
                self.message_user(request, refusal.message, messages.ERROR)
            else:
                self.message_user(request, f"Batch {batch.number} of {batch.plan.provider_id} "
                                           f"sent again as batch {again.number}.",
                                  messages.SUCCESS)
