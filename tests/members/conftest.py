"""The member fixtures, from tests/members/fixtures.py (the clock tests use them too)."""

from tests.members.fixtures import plans  # noqa: F401  (fixtures)
