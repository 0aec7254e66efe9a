"""Dependent picklists on the intake page: only what the matrix allows the role (issue 13, 10).

The page offers only the taxonomy values of the combinations the user's role applies to the
case type, hands the combinations to static/js/taxonomy.js as data (never as inline code:
the CSP allows none), and lists only the provider terminations whose choice period includes
today. The server still refuses anything else posted.
"""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from crm_tracker.models import (
    TAXONOMY_FIELDS,
    Case,
    CaseType,
    ProviderTermination,
    Step,
    TaxonomyCombination,
)
from crm_tracker.taxonomy import offered_combinations
from posc import clock
from posc.members.models import Plan
from tests.crm_tracker.helpers import intake_post

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """Collect each <select>'s option labels and every <script> tag's attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.options: dict[str, list[str]] = {}
        self.scripts: list[dict] = []
        self._select = self._option = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs["name"]
            self.options[self._select] = []
        elif tag == "option" and self._select:
            self._option = ""
        elif tag == "script":
            self.scripts.append(attrs)

    def handle_data(self, data):
        if self._option is not None:
            self._option += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            if self._option.strip() != "---------":
                self.options[self._select].append(self._option.strip())
            self._option = None
        elif tag == "select":
            self._select = None


def _intake_page(client, slug: str) -> tuple[_Page, str]:
    html = client.get(reverse("crm_tracker:case_intake", args=[slug])).content.decode()
    return _Page(html), html


@pytest.mark.parametrize("slug,sub_categories,dispositions", [
    ("mct-span", ["NA"], ["Plan Selected in Error"]),
    ("for-cause-reason", ["NA"], ["Plan Selected in Error"]),
    ("incorrect-selection", ["NA"], ["Plan Selected in Error"]),
    ("angela-melody", ["Angela Melody"], ["Question Answered", "MCO Updated"]),
])
def test_the_csr_is_offered_only_the_intake_values_of_the_case_type(
        csr, client_for, slug, sub_categories, dispositions):
    """No QC value (Plan Selection Corrected…) and no Supervisor value (Outreach…)."""
    page, _ = _intake_page(client_for(csr), slug)
    assert page.options["record_type"] == ["Medicaid"]
    assert page.options["category"] == ["MCO Plan Shopping"]
    assert page.options["sub_category"] == sub_categories
    assert page.options["disposition"] == dispositions
    assert page.options["child_disposition"] == ["NA"]


def test_the_page_hands_the_combinations_to_a_static_script(csr, client_for):
    page, html = _intake_page(client_for(csr), "angela-melody")
    data = re.search(r'<script id="taxonomy-combinations" type="application/json">(.*?)</script>',
                     html).group(1)
    offered = json.loads(data)
    assert offered["levels"] == list(TAXONOMY_FIELDS)
    rows = TaxonomyCombination.objects.filter(step=Step.INTAKE,
                                              sub_category__name="Angela Melody")
    assert sorted(offered["combinations"]) == sorted(
        [str(getattr(row, f"{f}_id")) for f in TAXONOMY_FIELDS] for row in rows)
    # CSP: every script is a file of ours or a JSON block, which the browser never runs.
    assert {"src": "/static/js/taxonomy.js", "defer": None} in page.scripts
    assert all("src" in s or s.get("type") == "application/json" for s in page.scripts)


@pytest.mark.parametrize("role,dispositions", [
    ("csr", {"Plan Selected in Error"}),
    ("qc", {"Plan Selection Corrected", "Outreach Required"}),
    ("supervisor", {"Outreach 1st Attempt", "Outreach Max Attempts"}),
])
def test_each_role_is_offered_only_its_own_steps_values(request, role, dispositions):
    user = request.getfixturevalue(role)
    rows = offered_combinations(user=user, case_type=CaseType.MCT_SPAN, steps=tuple(Step))
    assert {row.disposition.name for row in rows} == dispositions


def test_a_qc_value_posted_by_a_csr_is_refused_and_nothing_saved(csr, client_for):
    post = intake_post(CaseType.MCT_SPAN)
    post["disposition"] = TaxonomyCombination.objects.get(step=Step.QC_TRUE).disposition_id
    response = client_for(csr).post(reverse("crm_tracker:case_intake", args=["mct-span"]), post)
    assert response.status_code == 200
    assert "Choose one of the Disposition values offered for MCT Span cases" in (
        response.content.decode())
    assert not Case.objects.exists()


@pytest.fixture
def terminations(taxonomy):
    """Three providers leaving an MCO, their choice periods around the pages' today."""
    today = clock.today()
    day = datetime.timedelta(days=1)
    plan = Plan.objects.get(provider_id="130000002A")

    def leaving(name: str, start: datetime.date, end: datetime.date) -> ProviderTermination:
        return ProviderTermination.objects.create(plan=plan, provider_name=name,
                                                  choice_period_start=start,
                                                  choice_period_end=end)

    return {"expired": leaving("Expired Family Practice", today - 90 * day, today - day),
            "current": leaving("Current Family Practice", today, today + 30 * day),
            "future": leaving("Future Family Practice", today + day, today + 60 * day)}


def test_expired_angela_melody_terminations_are_not_offered(csr, client_for, terminations):
    page, _ = _intake_page(client_for(csr), "angela-melody")
    offered = " | ".join(page.options["provider_termination"])
    assert "Current Family Practice" in offered
    assert "Expired Family Practice" not in offered
    assert "Future Family Practice" not in offered


def test_an_expired_termination_posted_is_refused_with_the_way_out(csr, client_for,
                                                                  terminations):
    post = intake_post(CaseType.ANGELA_MELODY, requested_provider_name="Example Family Doctors",
                 provider_termination=terminations["expired"].pk)
    response = client_for(csr).post(reverse("crm_tracker:case_intake", args=["angela-melody"]),
                                    post)
    assert "Choose a provider whose choice period includes today. After the period, use For " \
           "Cause Reason if a for-cause reason applies." in response.content.decode()
    assert not Case.objects.exists()
