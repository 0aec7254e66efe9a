"""Hostile input, shared by the property tests: text, dates and values of the wrong type."""

import datetime

from hypothesis import strategies as st

# X12 delimiters of our 834 (element, repetition, component, terminator), the segment end,
# and characters that break CSV, HTML, SQL LIKE patterns, spreadsheets and logs.
X12_DELIMITERS = "*^:~\n"
SPECIALS = X12_DELIMITERS + "\x00\r\t\x0b\x0c\x1b\x7f\x85\u2028\ufeff\"',;%_\\<>&=+-@'`"
NON_ASCII = "ÉéÑñÜüßØøŁłÆæŒœÞþÐðıİ‘’“”–—李王Σπ한😀\u0301\u200b\u00a0"

# Any character a browser could send (UTF-8 cannot carry a lone surrogate).
_any_char = st.characters(exclude_categories=("Cs",))
_hostile_char = st.one_of(st.sampled_from(SPECIALS + NON_ASCII), _any_char,
                          st.sampled_from("ABCXYZabcxyz0123456789 "))


def hostile_text(*, min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    """Return text rich in delimiters, control characters and non-ASCII letters."""
    return st.text(_hostile_char, min_size=min_size, max_size=max_size)


def long_text() -> st.SearchStrategy[str]:
    """Return a value far longer than any field allows (built, not drawn char by char)."""
    return st.builds(lambda piece, times: piece * times,
                     st.text(_hostile_char, min_size=1, max_size=5),
                     st.integers(min_value=50, max_value=3000))


def any_text(*, max_size: int = 40) -> st.SearchStrategy[str]:
    """Return hostile text: usually short, sometimes very long, sometimes empty or blank."""
    return st.one_of(hostile_text(max_size=max_size), long_text(),
                     st.sampled_from(["", " ", "\x00", "~", "*", ":", "^", "~\n", "NUL\x00X"]))


EDGE_DATES = (datetime.date(1, 1, 1), datetime.date(9999, 12, 31), datetime.date(2024, 2, 29),
              datetime.date(2000, 2, 29), datetime.date(1900, 3, 1), datetime.date(1969, 12, 31),
              datetime.date(1970, 1, 1), datetime.date(2038, 1, 19))
_BAD_DATES_ISO = ("2023-02-29", "1900-02-29", "0000-01-01", "2024-13-01", "2024-00-10",
                  "2024-04-31", "99999-01-01", "2024-1-1", "-001-01-01", "2024-02-30",
                  "２０２４-０１-０１")
_BAD_DATES_US = ("02/29/2023", "02/29/1900", "13/01/2024", "00/10/2024", "04/31/2024",
                 "01/01/0000", "1/1/99999", "2/30/2024", "12/31/99999", "１２/３１/２０２０")


def edge_dates() -> st.SearchStrategy[datetime.date]:
    """Return dates at the edges of the calendar, or anywhere in it."""
    return st.one_of(st.sampled_from(EDGE_DATES), st.dates())


def iso_date_text() -> st.SearchStrategy[str]:
    """Return YYYY-MM-DD text: valid edge dates, impossible dates, junk."""
    return st.one_of(edge_dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
                     st.sampled_from(_BAD_DATES_ISO), any_text(max_size=12))


def us_date_text() -> st.SearchStrategy[str]:
    """Return MM/DD/YYYY text: valid edge dates, impossible dates, other formats, junk."""
    return st.one_of(edge_dates().map(lambda d: f"{d.month:02d}/{d.day:02d}/{d.year:04d}"),
                     edge_dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
                     st.sampled_from(_BAD_DATES_US), any_text(max_size=12))


def number_text() -> st.SearchStrategy[str]:
    """Return numbers as a form would receive them: huge, negative, NaN, exponents, junk."""
    return st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.integers(min_value=-10**30, max_value=10**30).map(str),
        st.floats().map(repr),
        st.sampled_from(["0", "0.00", "-1", "1e999", "NaN", "Infinity", "$1,000,000,000.00",
                         "12.345", "$", ",", "1,2,3", "0x10", "１２３"]),
        any_text(max_size=12))


def form_value(*, valid: list[str] | tuple[str, ...] = ()) -> st.SearchStrategy:
    """Return a posted value: one of *valid*, hostile text, or a list (the wrong type)."""
    single = st.one_of(st.sampled_from(list(valid)), any_text()) if valid else any_text()
    return st.one_of(single, single, st.lists(any_text(max_size=10), max_size=3))
