"""The recoupment fixtures, from tests/recoupments/fixtures.py (other directories use them too)."""

from tests.recoupments.fixtures import home_health, hospital, ops, recoupment_data  # noqa: F401
