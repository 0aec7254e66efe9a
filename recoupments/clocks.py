"""The recoupment clocks: when each target is set, when it runs and how it reads (seed 004).

Seed 004: research takes "no more than five business days"; the MCEs and MBHP report
within 10 business days of the approval; payment "can take up to 15 business days from
the date of submission". Pure functions: the caller passes the moment (``now``) or the
Eastern date (``today``) it read once; nothing here reads the clock or the database.
"""

import datetime
from typing import NamedTuple

from django.conf import settings
from django.db.models import Case, F, Q, When
from django.db.models.functions import Least

from recoupments import business_days
from recoupments.models import PAYMENT_DAYS, RESEARCH_DAYS, Recoupment, Status


class Clock(NamedTuple):
    field: str  # the request's due date of this clock
    active: tuple[str, ...]  # the statuses it runs in
    label: str


# Which statuses each clock runs in (seed 004: 5 days research, 10 days MCE, 15 days paid).
RESEARCH_ACTIVE = (Status.SUBMITTED, Status.RESEARCH)
MCE_ACTIVE = (Status.MCE_REPROCESSING,)
PAYMENT_ACTIVE = tuple(s for s in Status.values
                       if s not in (Status.PAID, Status.RETURNED, Status.CLOSED))
CLOCKS = {
    "research": Clock("research_due", RESEARCH_ACTIVE, "5-day research"),
    "mce": Clock("mce_update_due", MCE_ACTIVE, "10-day MCE updates"),
    "payment": Clock("payment_due", PAYMENT_ACTIVE, "15-day payment"),
}


# ----------------------------------------------------------------------------- targets

def _suffolk() -> bool:
    """Return whether Suffolk-only holidays close the office (domain.md E3 [I]: configurable)."""
    return settings.RECOUPMENT_SUFFOLK_HOLIDAYS


def receipt_day(now: datetime.datetime) -> datetime.date:
    """Return day 0 of a clock started at *now* (after the close of business: the next day)."""
    close = datetime.time.fromisoformat(settings.RECOUPMENT_CLOSE_OF_BUSINESS)
    return business_days.receipt_day(now, close=close, suffolk=_suffolk())


def due_after(day0: datetime.date, count: int) -> datetime.date:
    """Return the target *count* business days after *day0*."""
    return business_days.add_business_days(day0, count, suffolk=_suffolk())


def start_clocks(recoupment: Recoupment, now: datetime.datetime) -> None:
    """Day 0 is the (re)submission's receipt day; the 5- and 15-day targets run from it."""
    recoupment.submitted_at = now
    recoupment.received_on = receipt_day(now)
    recoupment.research_due = due_after(recoupment.received_on, RESEARCH_DAYS)
    recoupment.payment_due = due_after(recoupment.received_on, PAYMENT_DAYS)


# ----------------------------------------------------------------------------- reading them

def clock_text(recoupment: Recoupment, clock: str, today: datetime.date) -> str:
    """Return "3 days left", "due today", "OVERDUE by 2 days", "met" or "—" for one clock."""
    field, active, _ = CLOCKS[clock]
    due = getattr(recoupment, field)
    if due is None:
        return "—"
    if recoupment.status not in active:
        if recoupment.status == Status.RETURNED:
            return "paused (returned)"
        return "closed" if recoupment.status == Status.CLOSED else "met"
    left = business_days.business_days_left(today, due)
    if left < 0:
        return f"OVERDUE by {-left} business day{'s' if left < -1 else ''} ({due:%m/%d/%Y})"
    if left == 0:
        return f"due today ({due:%m/%d/%Y})"
    return f"{left} business day{'s' if left > 1 else ''} left ({due:%m/%d/%Y})"


def _running(recoupment: Recoupment) -> list[tuple[datetime.date, str, str]]:
    """Return (due, clock, label) of each clock running in the request's status."""
    return [(getattr(recoupment, clock.field), name, clock.label)
            for name, clock in CLOCKS.items()
            if recoupment.status in clock.active and getattr(recoupment, clock.field)]


def next_target_text(recoupment: Recoupment, today: datetime.date) -> str:
    """Return the clock due first: "5-day research: 2 business days left (12/01/2026)"."""
    running = _running(recoupment)
    if not running:
        return clock_text(recoupment, "payment", today)
    _, name, label = min(running)
    return f"{label}: {clock_text(recoupment, name, today)}"


def overdue_labels(recoupment: Recoupment, today: datetime.date) -> list[str]:
    """Return the labels of the running clocks whose target is before *today*."""
    return [label for due, _, label in _running(recoupment) if due < today]


# ----------------------------------------------------------------------------- in queries

def overdue_q(clock: str, today: datetime.date) -> Q:
    """Return the filter of the requests whose *clock* runs and is past its target."""
    field, active, _ = CLOCKS[clock]
    return Q(status__in=active, **{f"{field}__lt": today})


def next_due_expression() -> Least:
    """Return the earliest due date among the clocks running in the request's status."""
    return Least(*(Case(When(status__in=active, then=F(field)))
                   for field, active, _ in CLOCKS.values()))


# Issue 18: the dashboard's ageing bands of a running clock, overdue first; "soon" is
# within SOON_DAYS business days after today.
SOON_DAYS = 2
DUE_BANDS = {"overdue": "overdue", "today": "due today",
             "soon": f"due within {SOON_DAYS} business days", "later": "later"}


def due_q(clock: str, band: str, today: datetime.date) -> Q:
    """Return the filter of the requests whose running *clock* is in *band* on *today*."""
    field, active, _ = CLOCKS[clock]
    if band == "overdue":
        return overdue_q(clock, today)
    soon = due_after(today, SOON_DAYS)
    dates = {"today": {field: today},
             "soon": {f"{field}__gt": today, f"{field}__lte": soon},
             "later": {f"{field}__gt": soon}}[band]
    return Q(status__in=active, **dates)
