"""Massachusetts business days: pure functions, the day passed in (no clock read here).

domain.md E3: business days are weekdays that are not Massachusetts state legal holidays
(G.L. c.4 §7 cl.18, as the ``holidays`` package lists them for US/MA). A Saturday holiday
is not moved to Friday; a Sunday holiday is observed on Monday. Used by the recoupment
clocks (recoupments/business_days.py) and the 834 acknowledgment watch (enrollment).
"""

import datetime
from functools import lru_cache

import holidays

# domain.md E3: Evacuation Day and Bunker Hill Day are Suffolk-only holidays on which state
# offices stay open; they are business days unless the flag says otherwise.
SUFFOLK_DAYS = ((3, 17), (6, 17))


@lru_cache(maxsize=128)
def _holidays(year: int, suffolk: bool) -> frozenset[datetime.date]:
    """Return the year's state holidays (with Sunday→Monday observances)."""
    # holidays 0.108+: for MA the observance rule is SUN_TO_NEXT_MON only (domain.md E3).
    days = set(holidays.US(subdiv="MA", years=year))
    if suffolk:
        for month, day in SUFFOLK_DAYS:
            date = datetime.date(year, month, day)
            days.add(date + datetime.timedelta(days=1) if date.weekday() == 6 else date)
    return frozenset(days)


def is_business_day(day: datetime.date, *, suffolk: bool = False) -> bool:
    """Return True when *day* is a weekday and not a Massachusetts state holiday."""
    return day.weekday() < 5 and day not in _holidays(day.year, suffolk)


def next_business_day(day: datetime.date, *, suffolk: bool = False) -> datetime.date:
    """Return the first business day strictly after *day*."""
    day += datetime.timedelta(days=1)
    while not is_business_day(day, suffolk=suffolk):
        day += datetime.timedelta(days=1)
    return day


def add_business_days(day: datetime.date, count: int, *, suffolk: bool = False) -> datetime.date:
    """Return the date *count* business days after *day* (day 0)."""
    for _ in range(count):
        day = next_business_day(day, suffolk=suffolk)
    return day


def subtract_business_days(day: datetime.date, count: int, *,
                           suffolk: bool = False) -> datetime.date:
    """Return the business day *count* business days before *day* (day *count* of it).

    The inverse of ``add_business_days`` for the ageing of queues (issue 18): a case that
    arrived on the returned day or later has waited at most *count* business days.
    """
    for _ in range(count):
        day -= datetime.timedelta(days=1)
        while not is_business_day(day, suffolk=suffolk):
            day -= datetime.timedelta(days=1)
    return day
