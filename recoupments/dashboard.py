"""The recoupment panel of the operations dashboard (issue 18): Enrollment Operations' queue.

Two charts, one aggregate query each: the requests per status, and each business-day clock
of seed 004 read against today (overdue first). The clock rules are ``recoupments.clocks``'
(``CLOCKS``, ``DUE_BANDS``, ``due_q``); this module only counts with them.
"""

import datetime
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from posc.charts import Bar, Chart
from posc.clock import today_eastern
from recoupments.clocks import CLOCKS, DUE_BANDS, due_q
from recoupments.models import Recoupment, Status


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


def ageing_chart(today: datetime.date) -> Chart:
    """The running requests against each clock's target, overdue first (one query)."""
    figures = [(name, band) for name in CLOCKS for band in DUE_BANDS]
    counts = Recoupment.objects.aggregate(**{
        f"n{n}": Count("pk", filter=due_q(name, band, today))
        for n, (name, band) in enumerate(figures)})
    bars = [Bar(f"{CLOCKS[name].label}: {DUE_BANDS[band]}", counts[f"n{n}"],
                _list(due=f"{name}:{band}"), tone="alert" if band == "overdue" else "")
            for n, (name, band) in enumerate(figures)]
    return Chart("recoupment-clocks", "Recoupment clocks: ageing against each target", bars,
                 heading="Requests", label_heading="Clock and target",
                 note="Business days (Massachusetts state calendar); a clock counts the "
                      "requests in the statuses it runs in.")


def panel_context(*, request, now: datetime.datetime) -> dict:
    """The panel's charts on the Eastern date of *now*."""
    return {"charts": [ageing_chart(today_eastern(now)), status_chart()]}
