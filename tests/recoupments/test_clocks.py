"""The clock rules (recoupments/clocks.py): pure functions of a request and the day given."""

import datetime

import pytest

from recoupments.clocks import (
    clock_text,
    next_target_text,
    overdue_labels,
    start_clocks,
)
from recoupments.models import Recoupment, Status
from tests.recoupments.helpers import EASTERN

# Tuesday 12/01/2026: the research target of a request received Monday 11/23/2026.
DUE = datetime.date(2026, 12, 1)


def _request(status: str, **dues) -> Recoupment:
    """Return an unsaved request in *status* with the given due dates."""
    return Recoupment(status=status, research_due=dues.get("research", DUE),
                      mce_update_due=dues.get("mce"), payment_due=dues.get("payment", DUE))


@pytest.mark.parametrize("status, today, text", [
    (Status.SUBMITTED, datetime.date(2026, 11, 27), "2 business days left (12/01/2026)"),
    (Status.RESEARCH, datetime.date(2026, 11, 30), "1 business day left (12/01/2026)"),
    (Status.RESEARCH, DUE, "due today (12/01/2026)"),
    (Status.RESEARCH, datetime.date(2026, 12, 2), "OVERDUE by 1 business day (12/01/2026)"),
    (Status.SUBMITTED, datetime.date(2026, 12, 4), "OVERDUE by 3 business days (12/01/2026)"),
    # The research clock stops once research is recorded, pauses while the form is returned.
    (Status.APPROVAL, datetime.date(2026, 12, 4), "met"),
    (Status.RETURNED, datetime.date(2026, 12, 4), "paused (returned)"),
    (Status.CLOSED, datetime.date(2026, 12, 4), "closed"),
])
def test_research_clock_text(status, today, text):
    assert clock_text(_request(status), "research", today) == text


def test_a_clock_without_a_target_reads_as_a_dash():
    assert clock_text(_request(Status.MCE_REPROCESSING), "mce", DUE) == "—"


def test_the_next_target_is_the_running_clock_due_first():
    mce_due, payment_due = datetime.date(2026, 12, 7), datetime.date(2026, 12, 15)
    request = _request(Status.MCE_REPROCESSING, mce=mce_due, payment=payment_due)
    assert next_target_text(request, datetime.date(2026, 12, 4)) == (
        "10-day MCE updates: 1 business day left (12/07/2026)")
    # Once paid, no clock runs: the payment clock says it was met.
    request.status = Status.PAID
    assert next_target_text(request, datetime.date(2026, 12, 4)) == "met"


@pytest.mark.parametrize("status, today, late", [
    (Status.SUBMITTED, DUE, []),
    (Status.SUBMITTED, datetime.date(2026, 12, 2), ["5-day research", "15-day payment"]),
    (Status.APPROVAL, datetime.date(2026, 12, 2), ["15-day payment"]),
    (Status.PAID, datetime.date(2026, 12, 2), []),
])
def test_overdue_labels_name_each_running_clock_past_its_target(status, today, late):
    assert overdue_labels(_request(status), today) == late


@pytest.mark.parametrize("submitted, day0, research_due", [
    # 5:00 pm is still the business day; 5:01 pm is received the next business day.
    (datetime.datetime(2026, 11, 20, 17, 0), datetime.date(2026, 11, 20),
     datetime.date(2026, 11, 30)),
    (datetime.datetime(2026, 11, 20, 17, 1), datetime.date(2026, 11, 23),
     datetime.date(2026, 12, 1)),
    # A Saturday submission starts on Monday.
    (datetime.datetime(2026, 11, 21, 9, 0), datetime.date(2026, 11, 23),
     datetime.date(2026, 12, 1)),
])
def test_start_clocks_sets_day_zero_and_the_targets(submitted, day0, research_due):
    request = Recoupment()
    start_clocks(request, submitted.replace(tzinfo=EASTERN))
    assert (request.received_on, request.research_due) == (day0, research_due)
    assert request.submitted_at == submitted.replace(tzinfo=EASTERN)
