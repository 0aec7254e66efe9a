"""Member fixtures (a module of its own: the clock tests use them too)."""

import pytest

from posc.members.demo import CCA_SCO, FALLON_SCO, TUFTS_ONE_CARE
from posc.members.models import Program
from tests.factories import PlanFactory
from tests.members.helpers import MCO


@pytest.fixture
def plans():
    """Return the plans of demo-data.md that the tests use, by provider ID."""
    return {
        CCA_SCO: PlanFactory(provider_id=CCA_SCO, program=Program.SCO),
        FALLON_SCO: PlanFactory(provider_id=FALLON_SCO, program=Program.SCO),
        TUFTS_ONE_CARE: PlanFactory(provider_id=TUFTS_ONE_CARE, program=Program.ONE_CARE),
        MCO: PlanFactory(provider_id=MCO, program=Program.MCO),
    }
