"""Effective dates, ages and the MM/DD/YYYY format of the MMIS stub (mmis-rules.md Dates)."""

from datetime import date

import pytest

from posc.mmis.dates import (
    age_on,
    disenrollment_effective_date,
    enrollment_effective_date,
    format_date,
    last_day_of_month,
)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 1), date(2026, 12, 1)),
        (date(2026, 11, 22), date(2026, 12, 1)),
        (date(2026, 11, 30), date(2026, 12, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
        (date(2028, 2, 29), date(2028, 3, 1)),
        (date(2027, 2, 28), date(2027, 3, 1)),
        (date(2026, 1, 31), date(2026, 2, 1)),
    ],
)
def test_enrollment_takes_effect_on_the_first_of_next_month(today: date, expected: date) -> None:
    assert enrollment_effective_date(today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 11, 22), date(2026, 11, 30)),
        (date(2026, 12, 31), date(2026, 12, 31)),
        (date(2026, 12, 1), date(2026, 12, 31)),
        (date(2028, 2, 10), date(2028, 2, 29)),
        (date(2027, 2, 10), date(2027, 2, 28)),
        (date(2100, 2, 1), date(2100, 2, 28)),
        (date(2000, 2, 1), date(2000, 2, 29)),
        (date(2026, 4, 15), date(2026, 4, 30)),
    ],
)
def test_disenrollment_takes_effect_on_the_last_day_of_the_month(
    today: date, expected: date
) -> None:
    assert disenrollment_effective_date(today) == expected
    assert last_day_of_month(today) == expected


@pytest.mark.parametrize(
    ("born", "day", "expected"),
    [
        (date(1961, 11, 20), date(2026, 11, 19), 64),
        (date(1961, 11, 20), date(2026, 11, 20), 65),
        (date(1961, 11, 20), date(2026, 12, 1), 65),
        (date(1961, 12, 2), date(2026, 12, 1), 64),
        # A 29 February birthday is reached on 1 March in a common year, 29 February in a leap year.
        (date(1960, 2, 29), date(2025, 2, 28), 64),
        (date(1960, 2, 29), date(2025, 3, 1), 65),
        (date(1964, 2, 29), date(2028, 2, 28), 63),
        (date(1964, 2, 29), date(2028, 2, 29), 64),
        (date(2005, 1, 1), date(2026, 1, 1), 21),
        (date(2005, 1, 2), date(2026, 1, 1), 20),
    ],
)
def test_age_is_counted_in_whole_years(born: date, day: date, expected: int) -> None:
    assert age_on(born, day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 1), "12/01/2026"),
        (date(2027, 1, 9), "01/09/2027"),
        (date(2028, 2, 29), "02/29/2028"),
    ],
)
def test_dates_are_shown_month_day_year(day: date, expected: str) -> None:
    assert format_date(day) == expected
