"""The business-day calendar of the recoupment clocks (domain.md E3; seed 004's 5/10/15 days)."""

import datetime
from zoneinfo import ZoneInfo

import holidays
import pytest

from recoupments.business_days import (
    add_business_days,
    business_days_left,
    is_business_day,
    next_business_day,
    receipt_day,
)

D = datetime.date
EASTERN = ZoneInfo("America/New_York")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=EASTERN)


@pytest.mark.parametrize("day, business", [
    (D(2026, 4, 20), False),   # Patriots' Day (3rd Monday in April)
    (D(2025, 4, 21), False),   # Patriots' Day 2025
    (D(2026, 7, 3), True),     # Friday before a Saturday July 4th: MA offices are open
    (D(2026, 7, 4), False),    # Saturday (and Independence Day)
    (D(2027, 7, 5), False),    # Sunday July 4th 2027 is observed on Monday
    (D(2026, 11, 26), False),  # Thanksgiving
    (D(2026, 11, 27), True),   # the day after Thanksgiving is not a state holiday
    (D(2026, 6, 19), False),   # Juneteenth
    (D(2026, 3, 17), True),    # Evacuation Day: state offices stay open
    (D(2026, 6, 17), True),    # Bunker Hill Day: likewise
    (D(2026, 12, 25), False),  # Christmas
    (D(2027, 1, 1), False),    # New Year's Day
    (D(2021, 12, 31), True),   # Friday before a Saturday New Year's Day: no observance
    (D(2026, 11, 22), False),  # a Sunday
    (D(2026, 11, 23), True),   # an ordinary Monday
])
def test_business_days(day, business):
    assert is_business_day(day) is business


def test_saturday_july_fourth_differs_from_the_federal_calendar():
    # The federal calendar observes it on Friday 07/03/2026; Massachusetts does not.
    assert D(2026, 7, 3) in holidays.US(years=2026)
    assert is_business_day(D(2026, 7, 3))
    assert add_business_days(D(2026, 7, 2), 1) == D(2026, 7, 3)
    assert add_business_days(D(2026, 7, 2), 2) == D(2026, 7, 6)


def test_suffolk_days_are_holidays_only_when_configured():
    assert not is_business_day(D(2026, 3, 17), suffolk=True)
    assert not is_business_day(D(2026, 6, 17), suffolk=True)
    assert add_business_days(D(2026, 3, 16), 1, suffolk=True) == D(2026, 3, 18)


def test_patriots_day_is_skipped():
    # Friday 04/17/2026 + 1 business day skips the weekend and Patriots' Day (04/20).
    assert add_business_days(D(2026, 4, 17), 1) == D(2026, 4, 21)
    assert add_business_days(D(2026, 4, 17), 5) == D(2026, 4, 27)


def test_thanksgiving_is_skipped():
    # Day 0 Monday 11/23/2026: five business days end Tuesday 12/01 (11/26 skipped).
    assert add_business_days(D(2026, 11, 23), 5) == D(2026, 12, 1)
    assert next_business_day(D(2026, 11, 25)) == D(2026, 11, 27)


@pytest.mark.parametrize("moment, day0", [
    (at(2026, 11, 20, 16, 59), D(2026, 11, 20)),  # Friday before 5 pm: Friday
    (at(2026, 11, 20, 17, 0), D(2026, 11, 20)),   # 5:00 pm sharp is still the close
    (at(2026, 11, 20, 17, 1), D(2026, 11, 23)),   # 5:01 pm Friday: next business day
    (at(2026, 11, 21, 9, 0), D(2026, 11, 23)),    # Saturday: Monday
    (at(2026, 11, 25, 17, 1), D(2026, 11, 27)),   # Wednesday evening before Thanksgiving
    (at(2026, 4, 17, 17, 1), D(2026, 4, 21)),     # Friday evening before Patriots' Day
    (at(2026, 12, 31, 17, 30), D(2027, 1, 4)),    # year end: New Year's Day, then weekend
    (at(2026, 12, 31, 9, 0), D(2026, 12, 31)),
])
def test_receipt_day(moment, day0):
    assert receipt_day(moment) == day0


def test_receipt_day_converts_to_eastern_time():
    # 21:01 UTC on Friday 07/10/2026 is 5:01 pm EDT; 22:01 UTC on 11/20/2026 is 5:01 pm EST.
    def utc(*args):
        return datetime.datetime(*args, tzinfo=datetime.UTC)

    assert receipt_day(utc(2026, 7, 10, 21, 1)) == D(2026, 7, 13)
    assert receipt_day(utc(2026, 11, 20, 21, 1)) == D(2026, 11, 20)
    assert receipt_day(utc(2026, 11, 20, 22, 1)) == D(2026, 11, 23)


def test_close_of_business_is_configurable():
    assert receipt_day(at(2026, 11, 20, 16, 31), close=datetime.time(16, 30)) == D(2026, 11, 23)


@pytest.mark.parametrize("start, count, due", [
    (D(2026, 12, 24), 5, D(2027, 1, 4)),    # Christmas and New Year's Day across the year end
    (D(2026, 12, 31), 1, D(2027, 1, 4)),
    (D(2021, 12, 30), 1, D(2021, 12, 31)),  # 2022's Saturday New Year's Day moves nothing
    (D(2026, 11, 23), 15, D(2026, 12, 15)),
    (D(2026, 11, 23), 0, D(2026, 11, 23)),
])
def test_add_business_days_across_year_ends(start, count, due):
    assert add_business_days(start, count) == due


@pytest.mark.parametrize("today, due, left", [
    (D(2026, 12, 1), D(2026, 12, 1), 0),
    (D(2026, 11, 25), D(2026, 12, 1), 3),    # 11/27, 11/30, 12/01
    (D(2026, 12, 2), D(2026, 12, 1), -1),
    (D(2026, 12, 7), D(2026, 12, 1), -4),    # 12/02, 03, 04, 07
    (D(2026, 12, 5), D(2026, 12, 4), -1),    # a Saturday after a Friday due date
])
def test_business_days_left(today, due, left):
    assert business_days_left(today, due) == left
