"""Massachusetts business days for the recoupment clocks: pure functions, the clock passed in.

domain.md E3: business days are weekdays that are not Massachusetts state legal holidays
(G.L. c.4 §7 cl.18, as the ``holidays`` package lists them for US/MA). A Saturday holiday
is not moved to Friday; a Sunday holiday is observed on Monday. Day 0 is the receipt date;
a request received after the close of business counts as received the next business day.
"""

import datetime
from functools import lru_cache

import holidays

from posc.clock import EASTERN

# domain.md E3 [I]: the CSC's hours are Mon–Fri 8–5, so 5:00 pm Eastern closes the day.
CLOSE_OF_BUSINESS = datetime.time(17, 0)
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


def receipt_day(moment: datetime.datetime, *, close: datetime.time = CLOSE_OF_BUSINESS,
                suffolk: bool = False) -> datetime.date:
    """Return day 0 of the clocks for a request received at *moment* (an aware datetime)."""
    local = moment.astimezone(EASTERN)
    day = local.date()
    if is_business_day(day, suffolk=suffolk) and local.time().replace(tzinfo=None) <= close:
        return day
    return next_business_day(day, suffolk=suffolk)


def add_business_days(day: datetime.date, count: int, *, suffolk: bool = False) -> datetime.date:
    """Return the date *count* business days after *day* (day 0)."""
    for _ in range(count):
        day = next_business_day(day, suffolk=suffolk)
    return day


def business_days_left(today: datetime.date, due: datetime.date, *,
                       suffolk: bool = False) -> int:
    """Return the business days from *today* to *due*: 0 on the due date, negative when late."""
    if today == due:
        return 0
    start, end, sign = (today, due, 1) if today < due else (due, today, -1)
    count = 0
    day = start
    while True:
        day = next_business_day(day, suffolk=suffolk)
        if day > end:
            break
        count += 1
    # Overdue counts every business day past the due date; a due date on a holiday that
    # has passed is overdue from the next business day.
    return sign * count if sign > 0 else -max(count, 1)
