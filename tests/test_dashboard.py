"""The operations dashboard (issue 18 §2): the kernel's page, its charts, the enrollment panel.

The recoupment and tracker panels are tested beside their apps (tests/recoupments/,
tests/crm_tracker/test_dashboard.py). Here: the SVG and its table, the page showing each
role only its panels (403 for a role with none), the left-menu entry, and the enrollment
panel's numbers, one query per chart, each figure's link opening a list of that many rows.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from enrollment import dashboard as enrollment_dashboard
from enrollment.models import Batch834
from posc import clock
from posc.charts import Bar, Chart
from posc.members.demo import CCA_SCO
from posc.members.models import Plan
from posc.roles import (
    CSR,
    ENROLLMENT_OPERATIONS,
    QC_TEAM_LEAD,
    STATE_MONITOR,
    SUPERVISOR,
    roles_sync,
)
from tests.enrollment.helpers import accept
from tests.factories import UserFactory

# The panels each role sees (the apps register them: posc/registry.py DashboardPanel).
ROLE_PANELS = {
    ENROLLMENT_OPERATIONS: ["panel-enrollment", "panel-recoupments"],
    QC_TEAM_LEAD: ["panel-tracker-qc"],
    SUPERVISOR: ["panel-tracker-outreach"],
    STATE_MONITOR: ["panel-tracker-monitor"],
}
ALL_PANELS = sorted(p for panels in ROLE_PANELS.values() for p in panels)


def member_of(role: str, username: str):
    user = UserFactory(username=username, is_staff=role == ENROLLMENT_OPERATIONS)
    user.groups.add(Group.objects.get(name=role))
    return user


def panels_shown(html: str) -> list[str]:
    return sorted(p for p in ALL_PANELS if f'id="{p}"' in html)


class TestChart:
    chart = Chart("c1", "Cases <by> type", [Bar("MCT Span", 3, "/tracker/cases/?case_type=MCT"),
                                           Bar("For Cause", 0, "/x?a=1&b=2", tone="alert")],
                  heading="Cases", label_heading="Case type")

    def test_an_svg_image_named_by_its_title_and_its_numbers_as_a_linked_table(self):
        html = str(self.chart.html)
        assert '<svg class="chart" role="img" aria-labelledby="c1-title c1-desc"' in html
        assert '<title id="c1-title">Cases &lt;by&gt; type</title>' in html
        assert '<desc id="c1-desc">MCT Span: 3; For Cause: 0.</desc>' in html
        assert "<script" not in html and "style=" not in html  # CSP: no inline script or style
        assert ('<th scope="row">MCT Span</th><td class="num">'
                '<a href="/tracker/cases/?case_type=MCT">3</a>') in html
        assert '<a href="/x?a=1&amp;b=2">0</a>' in html
        svg = html[html.index("<svg"):html.index("</svg>")]
        assert "<a " not in svg  # an image's children are not reachable: links are in the table

    def test_the_longest_bar_fills_the_area_and_a_zero_bar_is_a_hairline(self):
        svg = str(self.chart.html)
        assert 'width="230" height="18" fill="#1f5f8b"' in svg
        assert 'width="1" height="18" fill="#a12622"' in svg

    def test_a_rate_is_drawn_against_its_whole_and_written_short(self):
        rate = Chart("c3", "Rates", [Bar("csr", 50, "/r", text="50% relabelled (1 True, 1 False)")],
                     unit="%", scale=100)
        svg = str(rate.html).split("</svg>")[0]
        assert 'width="115" height="18"' in svg and ">50%</text>" in svg
        assert "relabelled" not in svg.split("<desc")[0] + svg.split("</desc>")[1]

    def test_no_figures(self):
        html = str(Chart("c2", "Empty", []).html)
        assert "Nothing to show yet." in html and "<svg" not in html


@pytest.mark.django_db
class TestPage:
    @pytest.fixture(autouse=True)
    def roles(self, reference_data):
        roles_sync()

    @pytest.mark.parametrize("role", list(ROLE_PANELS))
    def test_each_queue_role_sees_its_own_panels_only(self, client, role):
        client.force_login(member_of(role, "someone"))
        response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        assert panels_shown(response.content.decode()) == ROLE_PANELS[role]

    def test_the_superuser_sees_every_panel(self, client):
        client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
        assert panels_shown(client.get(reverse("dashboard")).content.decode()) == ALL_PANELS

    def test_a_role_without_a_queue_panel_is_refused(self, client, cca_sco):
        for user in (member_of(CSR, "csr"), cca_sco):
            client.force_login(user)
            assert client.get(reverse("dashboard")).status_code == 403

    def test_the_left_menu_offers_the_dashboard_to_the_queue_roles_only(self, client):
        link = f'<a href="{reverse("dashboard")}">Dashboard</a>'
        client.force_login(member_of(STATE_MONITOR, "monitor"))
        assert link in client.get(reverse("home")).content.decode()
        client.force_login(member_of(CSR, "csr"))
        assert link not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
class TestEnrollmentPanel:
    @pytest.fixture
    def ops(self, reference_data):
        roles_sync()
        return member_of(ENROLLMENT_OPERATIONS, "ops")

    def test_transactions_per_plan_per_month(self, cca_sco, ops, client,
                                             django_assert_num_queries):
        for _ in range(2):
            accept(cca_sco)
        today = clock.today()
        with django_assert_num_queries(1):
            chart = enrollment_dashboard.transactions_chart(today)
        month = f"{today:%b %Y}"
        cca = Plan.objects.get(provider_id=CCA_SCO)
        assert [(b.label, b.value) for b in chart.bars] == [(f"{cca.name} ({CCA_SCO}), {month}", 2)]
        client.force_login(ops)
        for bar in chart.bars:
            assert client.get(bar.href).context["cl"].result_count == bar.value

    def test_a_month_with_nothing_sent_is_not_charted(self, cca_sco):
        accept(cca_sco)
        assert not enrollment_dashboard.transactions_chart(clock.today() + datetime.timedelta(
            days=31 * enrollment_dashboard.MONTHS)).bars

    def test_batches_waiting_for_their_999_overdue_first(self, ops, client,
                                                          django_assert_num_queries):
        cca = Plan.objects.get(provider_id=CCA_SCO)
        for number in (1, 2):
            Batch834.objects.create(plan=cca, number=number, loop_count=1)
        today = clock.today()
        with django_assert_num_queries(1):
            chart = enrollment_dashboard.batches_chart(today)
        assert [(b.label, b.value) for b in chart.bars] == [(f"{cca.name} ({CCA_SCO}): waiting", 2)]
        client.force_login(ops)
        assert client.get(chart.bars[0].href).context["cl"].result_count == 2
        later = enrollment_dashboard.batches_chart(today + datetime.timedelta(days=10))
        assert [(b.label, b.value, b.tone) for b in later.bars] == [
            (f"{cca.name} ({CCA_SCO}): overdue", 2, "alert"),
            (f"{cca.name} ({CCA_SCO}): waiting", 2, "")]


def test_subtract_business_days_steps_over_weekends_and_holidays():
    from posc.business_days import add_business_days, subtract_business_days

    monday = datetime.date(2026, 12, 7)
    assert subtract_business_days(monday, 1) == datetime.date(2026, 12, 4)
    assert subtract_business_days(monday, 5) == datetime.date(2026, 11, 30)
    # Christmas (Friday) is skipped; adding back returns to the day (the inverse).
    assert subtract_business_days(datetime.date(2026, 12, 28), 1) == datetime.date(2026, 12, 24)
    for back in range(12):
        assert add_business_days(subtract_business_days(monday, back), back) == monday
