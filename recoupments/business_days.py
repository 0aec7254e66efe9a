"""Massachusetts business days for the recoupment clocks: pure functions, the clock passed in.

The calendar itself (weekdays less state holidays) is the kernel's, posc/business_days.py.

domain.md E3: business days are weekdays that are not Massachusetts state legal holidays
(G.L. c.4 §7 cl.18, as the ``holidays`` package lists them for US/MA). A Saturday holiday
is not moved to Friday; a Sunday holiday is observed on Monday. Day 0 is the receipt date;
a request received after the close of business counts as received the next business day.
"""

import datetime

from posc.business_days import (  # noqa: F401  (the recoupment modules import them from here)
    SUFFOLK_DAYS,
    add_business_days,
    is_business_day,
    next_business_day,
)
from posc.clock import EASTERN

# domain.md E3 [I]: the CSC's hours are Mon–Fri 8–5, so 5:00 pm Eastern closes the day.
CLOSE_OF_BUSINESS = datetime.time(17, 0)


def receipt_day(moment: datetime.datetime, *, close: datetime.time = CLOSE_OF_BUSINESS,
                suffolk: bool = False) -> datetime.date:
    """Return day 0 of the clocks for a request received at *moment* (an aware datetime)."""
    local = moment.astimezone(EASTERN)
    day = local.date()
    if is_business_day(day, suffolk=suffolk) and local.time().replace(tzinfo=None) <= close:
        return day
    return next_business_day(day, suffolk=suffolk)


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
