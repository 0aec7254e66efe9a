"""The recoupment panel of the dashboard (issue 18 §2): counts per status and per clock.

Each chart is one query; each figure links to the admin's list of exactly those requests.
The dates are set around the clock's today, as the admin's overdue filter reads it.
"""

import datetime

import pytest

from posc import clock
from recoupments import dashboard
from recoupments.clocks import due_after
from recoupments.models import Status
from tests.recoupments.factories import RecoupmentFactory


@pytest.fixture
def requests(recoupment_data):
    """Four requests: research overdue, research due today, an MCE clock overdue, and paid."""
    today = clock.today()
    soon, later = due_after(today, 1), due_after(today, 5)
    long_ago = today - datetime.timedelta(days=365)  # replace(year=...) fails on Feb 29
    RecoupmentFactory(status=Status.SUBMITTED, research_due=long_ago, payment_due=later)
    RecoupmentFactory(status=Status.RESEARCH, research_due=today, payment_due=soon)
    RecoupmentFactory(status=Status.MCE_REPROCESSING, research_due=long_ago,
                      mce_update_due=long_ago, payment_due=soon)
    RecoupmentFactory(status=Status.PAID, research_due=long_ago, payment_due=long_ago)
    return today


def figures(chart) -> dict[str, int]:
    return {bar.label: bar.value for bar in chart.bars}


def test_each_clock_overdue_first(requests, ops, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        chart = dashboard.ageing_chart(requests)
    within = "due within 2 business days"
    assert list(figures(chart).items()) == [
        ("5-day research: overdue", 1), ("5-day research: due today", 1),
        (f"5-day research: {within}", 0), ("5-day research: later", 0),
        ("10-day MCE updates: overdue", 1), ("10-day MCE updates: due today", 0),
        (f"10-day MCE updates: {within}", 0), ("10-day MCE updates: later", 0),
        ("15-day payment: overdue", 0), ("15-day payment: due today", 0),
        (f"15-day payment: {within}", 2), ("15-day payment: later", 1)]
    assert [b.tone for b in chart.bars if b.label.endswith("overdue")] == ["alert"] * 3
    client.force_login(ops)
    for bar in chart.bars:
        listed = client.get(bar.href)
        assert listed.status_code == 200, bar.href
        assert listed.context["cl"].result_count == bar.value, bar.label


def test_requests_per_status(requests, ops, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        chart = dashboard.status_chart()
    counted = figures(chart)
    assert list(counted) == list(Status.labels)  # every status, zeros included
    assert {label: n for label, n in counted.items() if n} == {
        Status.SUBMITTED.label: 1, Status.RESEARCH.label: 1, Status.MCE_REPROCESSING.label: 1,
        Status.PAID.label: 1}
    client.force_login(ops)
    for bar in chart.bars:
        assert client.get(bar.href).context["cl"].result_count == bar.value, bar.label
