"""demo_seed: the CSR's Supervisor and a case at each stage; twice changes nothing."""

import io

import pytest
from django.core.management import call_command

from crm_tracker import demo
from crm_tracker.models import Case, CaseHistory, SupervisorAssignment, TaxonomyCombination
from tests.crm_tracker.helpers import NOW

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_cases_at_each_stage_once(csr, qc, supervisor):
    SupervisorAssignment.objects.all().delete()
    summary = demo.demo_seed(stdout=io.StringIO(), now=NOW)
    assert summary == "MCO Manual Tracker: 4 of 4 demo cases created."
    assert SupervisorAssignment.objects.get(csr=csr).supervisor == supervisor
    queues = sorted(c.work_queue.name for c in Case.objects.select_related("work_queue"))
    assert queues == ["MCO Tracker QC", "MCO Tracker QC", "State Monitor", "Supervisor Outreach"]
    assert all(c.ssn.startswith("900") and len(c.masshealth_id) == 12
               for c in Case.objects.all())
    # Opened at the moment the caller gave (seed_demo reads the clock once), not the clock's.
    assert set(Case.objects.values_list("created_at", flat=True)) == {NOW}
    counts = (Case.objects.count(), CaseHistory.objects.count(),
              SupervisorAssignment.objects.count())
    assert demo.demo_seed(stdout=io.StringIO(), now=NOW).startswith("MCO Manual Tracker: 0 of 4")
    assert (Case.objects.count(), CaseHistory.objects.count(),
            SupervisorAssignment.objects.count()) == counts


def test_demo_seed_copes_without_the_demo_accounts(taxonomy):
    summary = demo.demo_seed(stdout=io.StringIO(), now=NOW)
    assert "demo accounts missing" in summary
    assert not Case.objects.exists()


def test_the_taxonomy_fixture_loads_on_its_own_and_twice(db):
    call_command("loaddata", "crm_taxonomy", verbosity=0)
    call_command("loaddata", "crm_taxonomy", verbosity=0)
    assert TaxonomyCombination.objects.count() == 7
    assert set(demo.FIXTURES) == {"crm_taxonomy", "crm_provider_terminations"}
