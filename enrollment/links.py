"""What the enrollment app offers the other apps about adjustments, through the kernel.

Registered from ``EnrollmentConfig.ready()`` (posc.registry.adjustments_register): a
recoupment lists the adjustments made for it and links to the page that starts one,
without importing this app (docs/architecture.md).
"""

import datetime
from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import reverse

from posc.registry import AdjustmentHooks, AdjustmentRow


def adjustments_made_for(reference: str) -> list[AdjustmentRow]:
    """Return the adjustments whose reference is *reference* (e.g. ``recoupment:12``)."""
    from enrollment.adjustments import adjustment_summary
    from enrollment.models import EnrollmentAdjustment

    rows = (EnrollmentAdjustment.objects.filter(reference=reference)
            .select_related("from_plan", "to_plan").order_by("created_at"))
    return [AdjustmentRow(
        number=a.number, move=a.get_move_display(), member_id=a.member_id,
        summary=adjustment_summary(a),
        url=reverse("admin:enrollment_enrollmentadjustment_change", args=[a.pk]))
        for a in rows]


def adjustment_start_url(*, reference: str, member_ids: Iterable[str],
                         dates: Iterable[datetime.date]) -> str:
    """Return the start page pre-filled with the members, the reference and the dates."""
    query = [("member", m) for m in member_ids] + [("reference", reference)] * bool(reference)
    query += [("date", d.isoformat()) for d in dates]
    return reverse("admin:enrollment_enrollmentadjustment_start") + "?" + urlencode(query)


HOOKS = AdjustmentHooks(made_for=adjustments_made_for, start_url=adjustment_start_url,
                        permission="enrollment.make_adjustment")
