"""The reference data (plans, service areas, rate cells of demo-data.md) are loaded once per
test database by tests/conftest.py's django_db_setup, and again after a transactional test
has flushed the tables: every test starts with them, whatever ran before it.

The file's tests run on one worker (``--dist loadfile``); pytest-django runs the plain
database tests before the transactional ones and keeps the file's order within each kind:
the first transactional test flushes, the second one must find the data again.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from posc.members.models import Plan, Provider, RateCell, ServiceArea

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def expected() -> Counter:
    """Count the objects of the reference fixture files, by model."""
    objects = [obj for name in ("plans", "rate_cells")
               for obj in json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))]
    return Counter(obj["model"] for obj in objects)


def loaded() -> Counter:
    return Counter({f"members.{model.__name__.lower()}": model.objects.count()
                    for model in (Plan, ServiceArea, Provider, RateCell)})


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_starts_with_the_reference_data():
    assert loaded() == expected()
    Plan.objects.all().delete()  # as if the test had changed them; the flush follows anyway


@pytest.mark.django_db(transaction=True)
def test_the_next_test_finds_them_again_after_the_flush():
    assert loaded() == expected()


@pytest.mark.django_db
def test_a_plain_test_starts_with_the_reference_data():
    assert loaded() == expected()


def test_the_reference_data_fixture_is_the_plans(reference_data):
    assert loaded() == expected()
    assert set(reference_data) == set(Plan.objects.all())
