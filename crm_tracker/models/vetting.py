"""QC's bulk vetting: one verdict and reason given to several cases at once (issue 13)."""

from django.conf import settings
from django.db import models

from crm_tracker.models.case import Case, Vetting
from posc.history import AppendOnlyModel


class VettingBatch(AppendOnlyModel):
    """Several cases vetted together from the QC Queue; each case keeps its own history.

    The batch records the page's one-time token, so that a second post of the same page
    (a double-click, a reload) returns this batch instead of vetting anything again.
    """

    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    vetted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="vetted by")
    vetted_at = models.DateTimeField("vetted at")
    vetting = models.CharField("QC vetting", max_length=5, choices=Vetting)
    reason = models.TextField("QC vetting reason")
    cases = models.ManyToManyField(Case, related_name="vetting_batches")

    class Meta:
        ordering = ["-vetted_at", "-pk"]
        default_permissions = ("view",)
        verbose_name = "QC vetting batch"
        verbose_name_plural = "QC vetting batches"

    def __str__(self) -> str:
        return (f"{self.get_vetting_display()} by {self.vetted_by} at "
                f"{self.vetted_at:%m/%d/%Y %H:%M}")
