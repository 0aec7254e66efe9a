"""The tracker's dashboard panels (issue 18 §2): QC, Supervisor outreach, State Monitor queue.

Each chart is one query; each figure links to a tracker list narrowed to exactly the cases
it counts (the list's rows are the figure). The charts take the day they are read on, so
the ageing is checked on the fixtures' day and a month later, without touching the clock.
"""

import datetime
from collections import Counter

import pytest
from django.urls import reverse

from crm_tracker import dashboard
from crm_tracker.models import Case, CaseType
from crm_tracker.services import case_vet
from tests.crm_tracker.helpers import NOW, TODAY

MONTH_LATER = TODAY + datetime.timedelta(days=30)


@pytest.fixture
def false_case(new_case, qc, supervisor):
    """A case vetted False: waiting for the Supervisor's 1st outreach attempt."""
    return case_vet(now=NOW, case=new_case(), true_case=False, reason="Not a true case.",
                    actor=qc)


def figures(chart) -> dict[str, int]:
    return {bar.label: bar.value for bar in chart.bars}


def rows_behind(client, bar) -> int:
    """Return how many cases the figure's list shows."""
    response = client.get(bar.href)
    assert response.status_code == 200, bar.href
    return len(response.context["cases"])


def test_cases_per_type_and_disposition(true_case, false_case, new_case, qc, client_for,
                                        django_assert_num_queries):
    new_case(case_type=CaseType.FOR_CAUSE)
    with django_assert_num_queries(1):
        chart = dashboard.cases_chart()
    expected = Counter(f"{CaseType(c.case_type).label}: {c.disposition.name}"
                       for c in Case.objects.select_related("disposition"))
    assert figures(chart) == dict(expected) and sum(expected.values()) == 3
    client = client_for(qc)
    for bar in chart.bars:
        assert rows_behind(client, bar) == bar.value, bar.label


def test_vetting_and_relabel_rate_per_csr_per_month(true_case, false_case,
                                                    django_assert_num_queries):
    with django_assert_num_queries(1):
        chart = dashboard.vetting_chart(TODAY)
    assert [(b.label, b.value, b.figure) for b in chart.bars] == [
        ("csr, Nov 2026", 50, "50% relabelled (1 True, 1 False)")]
    assert chart.bars[0].href == reverse("crm_tracker:reports")
    assert not dashboard.vetting_chart(TODAY + datetime.timedelta(days=120)).bars


def test_outreach_due_then_overdue(false_case, supervisor, client_for,
                                   django_assert_num_queries):
    client = client_for(supervisor)
    with django_assert_num_queries(1):
        chart = dashboard.outreach_chart(supervisor, TODAY)
    assert figures(chart) == {"1st attempt: overdue": 0, "2nd attempt: overdue": 0,
                              "1st attempt: due": 1, "2nd attempt: due": 0}
    for bar in chart.bars:
        assert rows_behind(client, bar) == bar.value, bar.label
    later = dashboard.outreach_chart(supervisor, MONTH_LATER)
    assert figures(later)["1st attempt: overdue"] == 1 and figures(later)["1st attempt: due"] == 0
    for bar in later.bars:
        assert rows_behind(client, bar) == bar.value, bar.label


def test_another_supervisors_outreach_is_not_counted(false_case, taxonomy):
    from posc.roles import SUPERVISOR
    from tests.factories import UserFactory

    other = UserFactory(username="other.supervisor")
    other.groups.add(taxonomy[SUPERVISOR])
    assert not any(bar.value for bar in dashboard.outreach_chart(other, TODAY).bars)


def test_state_monitor_queue_by_age(true_case, monitor, client_for, django_assert_num_queries):
    client = client_for(monitor)
    with django_assert_num_queries(1):
        chart = dashboard.monitor_chart(TODAY)
    assert figures(chart) == {"over 10 business days": 0, "6 to 10 business days": 0,
                              "2 to 5 business days": 0, "0 to 1 business days": 1}
    later = dashboard.monitor_chart(MONTH_LATER)
    assert figures(later)["over 10 business days"] == 1
    for bar in chart.bars + later.bars:
        assert rows_behind(client, bar) == bar.value, bar.label


def test_a_bad_narrowing_shows_the_whole_list_and_says_so(true_case, monitor, client_for):
    client = client_for(monitor)
    response = client.get(reverse("crm_tracker:monitor_queue"), {"arrived_from": "yesterday"})
    assert len(response.context["cases"]) == 1
    assert "not valid" in response.content.decode()
