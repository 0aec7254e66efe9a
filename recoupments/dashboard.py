"""The recoupment panel of the operations dashboard (issue 18): Enrollment Operations' queue.

Two charts, one aggregate query each: the requests per status, and each business-day clock
of seed 004 read against today (overdue first). The clock rules are ``recoupments.clocks``'
(``CLOCKS``, ``overdue_q``, ``due_after``); this module only counts with them.
"""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from posc.charts import Bar, Chart
from posc.clock import today_eastern
from recoupments.clocks import CLOCKS, due_after, overdue_q
from recoupments.models import Recoupment, Status

SOON_DAYS = 2  # "due soon": within two business days after today


def _list(**params: str) -> str:
    """Return the admin's recoupment list filtered by *params*."""
    url = reverse("admin:recoupments_recoupment_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def status_chart() -> Chart:
    """The requests per status, every status shown (one query)."""
    counted = dict(Recoupment.objects.order_by().values_list("status").annotate(n=Count("pk")))
    bars = [Bar(label, counted.get(value, 0), _list(status__exact=value))
            for value, label in Status.choices]
    return Chart("recoupment-status", "Recoupment requests per status", bars,
                 heading="Requests", label_heading="Status")


def _buckets(today: datetime.date) -> dict[str, dict[str, tuple[Q, dict]]]:
    """Per clock: overdue, due today, due soon, later, each as (filter, list parameters)."""
    soon = due_after(today, SOON_DAYS)
    buckets = {}
    for name, clock in CLOCKS.items():
        running = {"status__in": ",".join(clock.active)}
        f = clock.field
        buckets[name] = {
            "overdue": (overdue_q(name, today), {"overdue": name}),
            "due today": (Q(status__in=clock.active, **{f: today}),
                          {**running, f: today.isoformat()}),
            f"due within {SOON_DAYS} business days": (
                Q(status__in=clock.active, **{f"{f}__gt": today, f"{f}__lte": soon}),
                {**running, f"{f}__gt": today.isoformat(), f"{f}__lte": soon.isoformat()}),
            "later": (Q(status__in=clock.active, **{f"{f}__gt": soon}),
                      {**running, f"{f}__gt": soon.isoformat()}),
        }
    return buckets


def ageing_chart(today: datetime.date) -> Chart:
    """The running requests against each clock's target, overdue first (one query)."""
    figures = [(name, bucket, q, params) for name, per_clock in _buckets(today).items()
               for bucket, (q, params) in per_clock.items()]
    counts = Recoupment.objects.aggregate(**{
        f"n{n}": Count("pk", filter=q) for n, (_, _, q, _) in enumerate(figures)})
    bars = [Bar(f"{CLOCKS[name].label}: {bucket}", counts[f"n{n}"], _list(**params),
                tone="alert" if bucket == "overdue" else "")
            for n, (name, bucket, _, params) in enumerate(figures)]
    return Chart("recoupment-clocks", "Recoupment clocks: ageing against each target", bars,
                 heading="Requests", label_heading="Clock and target",
                 note="Business days (Massachusetts state calendar); a clock counts the "
                      "requests in the statuses it runs in.")


def panel_context(*, request, now: datetime.datetime) -> dict:
    """The panel's charts on the Eastern date of *now*."""
    return {"charts": [ageing_chart(today_eastern(now)), status_chart()]}
