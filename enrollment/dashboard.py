"""The enrollment panel of the operations dashboard (issue 18): Enrollment Operations' queue.

Two charts, one aggregate query each: the enrollment transactions per plan per month (the
last ``MONTHS`` months), and the 834 batches waiting for their plan's acknowledgment, on time
or overdue. The acknowledgment rules are ``enrollment.selectors``' (``batch_status_annotate``,
``ack_overdue_before``); this module only counts with them.
"""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse

from enrollment.models import Batch834, BatchStatus, EnrollmentTransaction
from enrollment.selectors import ACK_DUE_BUSINESS_DAYS, ack_overdue_before, batch_status_annotate
from posc.charts import Bar, Chart
from posc.clock import EASTERN, today_eastern

MONTHS = 3  # this month and the two before it


def _admin_list(model: str, **params: str) -> str:
    return f"{reverse(f'admin:enrollment_{model}_changelist')}?{urlencode(params)}"


def _month_start(day: datetime.date, back: int) -> datetime.datetime:
    """Return midnight Eastern of the first day of the month *back* months before *day*'s."""
    month = day.year * 12 + day.month - 1 - back
    return datetime.datetime(month // 12, month % 12 + 1, 1, tzinfo=EASTERN)


def transactions_chart(today: datetime.date) -> Chart:
    """Enrollment and disenrollment transactions per plan per month, newest month first."""
    since = _month_start(today, MONTHS - 1)
    rows = (EnrollmentTransaction.objects.filter(created_at__gte=since).order_by()
            .annotate(month=TruncMonth("created_at", tzinfo=EASTERN))
            .values_list("plan_id", "plan__provider_id", "plan__name", "month")
            .annotate(n=Count("pk")))
    bars = []
    for plan_id, provider_id, name, month, n in sorted(rows, key=lambda r: (-r[3].timestamp(),
                                                                             r[1])):
        start = month.astimezone(EASTERN).date()
        end = _month_start(start, -1)
        bars.append(Bar(f"{name} ({provider_id}), {start:%b %Y}", n, _admin_list(
            "enrollmenttransaction", plan__id__exact=str(plan_id),
            created_at__gte=month.isoformat(), created_at__lt=end.isoformat())))
    return Chart("enrollment-transactions", "Enrollment transactions per plan per month", bars,
                 heading="Transactions", label_heading="Plan and month",
                 note=f"Sent to MMIS in the last {MONTHS} months (Eastern time), accepted "
                      "and rejected.")


def batches_chart(today: datetime.date) -> Chart:
    """The 834 batches still waiting for their plan's 999 per plan: overdue first."""
    before = ack_overdue_before(today=today)
    rows = (batch_status_annotate(Batch834.objects.order_by())
            .filter(ack_status=BatchStatus.SENT.value)
            .values_list("plan_id", "plan__provider_id", "plan__name")
            .annotate(waiting=Count("pk"), overdue=Count("pk", filter=Q(created_at__lt=before)))
            .order_by("plan__provider_id"))
    rows = list(rows)
    bars = [Bar(f"{name} ({provider_id}): overdue", overdue,
                _admin_list("batch834", ack="OVERDUE", plan__id__exact=str(plan_id)),
                tone="alert")
            for plan_id, provider_id, name, _, overdue in rows if overdue]
    bars += [Bar(f"{name} ({provider_id}): waiting", waiting,
                 _admin_list("batch834", ack=BatchStatus.SENT.value,
                             plan__id__exact=str(plan_id)))
             for plan_id, provider_id, name, waiting, _ in rows]
    return Chart("enrollment-batches", "834 batches waiting for the plan's acknowledgment",
                 bars, heading="Batches", label_heading="Plan",
                 note=f"Sent, with no 999 yet; overdue after {ACK_DUE_BUSINESS_DAYS} business "
                      "days. Waiting counts every batch still Sent, the overdue ones included.")


def panel_context(*, request, now: datetime.datetime) -> dict:
    """The panel's charts on the Eastern date of *now*."""
    today = today_eastern(now)
    return {"charts": [batches_chart(today), transactions_chart(today)]}
