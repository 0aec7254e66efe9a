"""Calendar arithmetic of the MMIS stub: effective dates, ages, the POSC date format.

Pure functions over ``datetime.date``; today's date is always an argument (mmis-rules.md).
"""

import calendar
import datetime


def last_day_of_month(day: datetime.date) -> datetime.date:
    """Return the last calendar day of *day*'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def enrollment_effective_date(today: datetime.date) -> datetime.date:
    """Return the date an enrollment requested on *today* takes effect."""
    # mmis-rules.md Dates; domain.md C1: the first calendar day of the following month.
    return last_day_of_month(today) + datetime.timedelta(days=1)


def disenrollment_effective_date(today: datetime.date) -> datetime.date:
    """Return the date a disenrollment requested on *today* takes effect (coverage ends)."""
    # mmis-rules.md Dates; domain.md C1: the last calendar day of the current month.
    return last_day_of_month(today)


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Return the age in whole years on *day* of someone born on *date_of_birth*."""
    # A 29 February birthday is reached on 1 March in common years: (2, 28) < (2, 29).
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def format_date(day: datetime.date) -> str:
    """Return *day* as the POSC shows dates, ``MM/DD/YYYY`` (ui.md Screen conventions)."""
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"


def iso_date_or_none(value: str | None) -> datetime.date | None:
    """Return the date written ``YYYY-MM-DD`` in *value*, or None when *value* is empty."""
    return datetime.date.fromisoformat(value) if value else None
