"""The tracker's panels of the operations dashboard (issue 18): QC, Supervisors, State Monitors.

Each chart is one aggregate query over the tracker's own queues (``selectors``: the queues,
``queue_arrival``) and rules (``workflow``); every figure links to the case list it counts,
narrowed by the parameters ``selectors.cases_narrowed`` reads.
"""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse

from crm_tracker import selectors
from crm_tracker.models import Case, CaseHistory, CaseType
from crm_tracker.workflow import OUTREACH_DUE_BUSINESS_DAYS
from posc.business_days import subtract_business_days
from posc.charts import Bar, Chart
from posc.clock import EASTERN, today_eastern

VETTING_MONTHS = 3  # the relabel rates of this month and the two before it
# Age in a queue: (label, arrived before this many business days ago, and not before this
# many); None: no bound. Oldest first.
AGES = (("over 10 business days", 10, None), ("6 to 10 business days", 5, 10),
        ("2 to 5 business days", 1, 5), ("0 to 1 business days", None, 1))


def _url(name: str, **params) -> str:
    params = {k: v for k, v in params.items() if v not in ("", None)}
    return reverse(f"crm_tracker:{name}") + (f"?{urlencode(params)}" if params else "")


def _day(today: datetime.date, back: int | None) -> datetime.date | None:
    return None if back is None else subtract_business_days(today, back)


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=EASTERN)


def _arrival_q(start: datetime.date | None, end: datetime.date | None) -> Q:
    """The cases that came to their queue on or after *start* and before *end*."""
    q = Q()
    if start is not None:
        q &= Q(arrived__gte=_midnight(start))
    if end is not None:
        q &= Q(arrived__lt=_midnight(end))
    return q


def _ages(today: datetime.date):
    """Yield (label, first day, day after the last) of each age band, oldest first."""
    for label, before, since in AGES:
        yield label, _day(today, since), _day(today, before)


def _with_arrival(cases):
    """Return *cases* with ``arrived``, read once per case however many bands count it.

    ``distinct()`` makes Django aggregate over a subquery that selects the arrival once;
    counted straight, PostgreSQL ran the arrival's subquery once per band and case.
    """
    return (cases.order_by().annotate(arrived=selectors.queue_arrival())
            .values("pk", "arrived", "outreach_attempts").distinct())


def _iso(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


# ----------------------------------------------------------------------------- QC Team Lead

def cases_chart() -> Chart:
    """Every case per case type and its Disposition now, largest first within a type."""
    rows = (Case.objects.order_by().values_list("case_type", "disposition__name")
            .annotate(n=Count("pk")))
    order = {value: n for n, value in enumerate(CaseType.values)}
    bars = [Bar(f"{CaseType(t).label}: {d or 'no disposition'}", n,
                _url("case_list", case_type=t, disposition=d))
            for t, d, n in sorted(rows, key=lambda r: (order[r[0]], -r[2], r[1] or ""))]
    return Chart("tracker-cases", "Tracker cases per case type and disposition", bars,
                 heading="Cases", label_heading="Case type and disposition")


def vetting_chart(today: datetime.date) -> Chart:
    """QC's vetting per CSR per month: True and False cases, and the relabel rate.

    The marks are relabel_rates' (selectors): the history rows setting the True or False
    disposition; a case QC set False is relabelled.
    """
    month = today.year * 12 + today.month - 1 - (VETTING_MONTHS - 1)
    since = _midnight(datetime.date(month // 12, month % 12 + 1, 1))
    rows = (CaseHistory.objects.filter(
        field="disposition", changed_at__gte=since,
        new_value__in=(selectors.TRUE_DISPOSITION, selectors.FALSE_DISPOSITION))
        .order_by().annotate(month=TruncMonth("changed_at", tzinfo=EASTERN))
        .values_list("case__created_by__username", "month")
        .annotate(true=Count("case", distinct=True,
                             filter=Q(new_value=selectors.TRUE_DISPOSITION)),
                  false=Count("case", distinct=True,
                              filter=Q(new_value=selectors.FALSE_DISPOSITION))))
    bars = []
    for csr, at, true, false in sorted(rows, key=lambda r: (r[0], -r[1].timestamp())):
        vetted = true + false
        rate = round(100 * false / vetted) if vetted else 0
        bars.append(Bar(f"{csr}, {at.astimezone(EASTERN):%b %Y}", rate, _url("reports"),
                        text=f"{rate}% relabelled ({true} True, {false} False)"))
    return Chart("tracker-vetting", "QC vetting and relabel rate per CSR per month", bars,
                 heading="Relabel rate", label_heading="CSR and month", unit="%", scale=100,
                 note="A case QC set False (Outreach Required) is relabelled; the month is "
                      "the vetting's. The Tracker Reports page has the rates overall.")


def qc_context(*, request, now: datetime.datetime) -> dict:
    return {"charts": [cases_chart(), vetting_chart(today_eastern(now))]}


# ----------------------------------------------------------------------------- Supervisor

def outreach_chart(user, today: datetime.date) -> Chart:
    """The Supervisor's outreach queue per attempt, overdue first."""
    late = subtract_business_days(today, OUTREACH_DUE_BUSINESS_DAYS)
    cases = _with_arrival(selectors.outreach_queue(user=user))
    figures = [(f"{label} attempt: {state}", attempts, q, band, state == "overdue")
               for state, q, band in (("overdue", _arrival_q(None, late), (None, late)),
                                      ("due", _arrival_q(late, None), (late, None)))
               for label, attempts in (("1st", 0), ("2nd", 1))]
    counts = cases.aggregate(**{
        str(n): Count("pk", filter=q & Q(outreach_attempts=attempts))
        for n, (_, attempts, q, _, _) in enumerate(figures)})
    bars = [Bar(label, counts[str(n)], _url("outreach_queue", attempts=attempts,
                                            arrived_from=_iso(start), arrived_before=_iso(end)),
                tone="alert" if overdue else "")
            for n, (label, attempts, _, (start, end), overdue) in enumerate(figures)]
    return Chart("tracker-outreach", "Your team's outreach: due and overdue", bars,
                 heading="Cases", label_heading="Attempt",
                 note=f"Overdue: waiting more than {OUTREACH_DUE_BUSINESS_DAYS} business days "
                      "in your Outreach Queue.")


def supervisor_context(*, request, now: datetime.datetime) -> dict:
    return {"charts": [outreach_chart(request.user, today_eastern(now))]}


# ----------------------------------------------------------------------------- State Monitor

def monitor_chart(today: datetime.date) -> Chart:
    """The State Monitor queue by how long each case has waited in it, oldest first."""
    bands = list(_ages(today))
    counts = _with_arrival(selectors.monitor_queue()).aggregate(**{
            str(n): Count("pk", filter=_arrival_q(start, end))
            for n, (_, start, end) in enumerate(bands)})
    bars = [Bar(label, counts[str(n)], _url("monitor_queue", arrived_from=_iso(start),
                                            arrived_before=_iso(end)),
                tone="alert" if n == 0 else "")
            for n, (label, start, end) in enumerate(bands)]
    return Chart("tracker-monitor", "State Monitor queue by age", bars, heading="Cases",
                 label_heading="Waiting", note="Business days since the case came to the queue.")


def monitor_context(*, request, now: datetime.datetime) -> dict:
    return {"charts": [monitor_chart(today_eastern(now))]}
