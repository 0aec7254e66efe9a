"""NPI check digit and ICN format (domain.md F and E2)."""

import pytest

from recoupments.identifiers import icn_valid, npi_valid


@pytest.mark.parametrize("npi, valid", [
    ("1234567893", True),    # domain.md F test vectors
    ("1558598797", True),
    ("1234567898", False),   # wrong check digit
    ("3234567893", False),   # first digit must be 1 or 2
    ("123456789", False),
    ("12345678930", False),
    ("12345678a3", False),
    ("", False),
])
def test_npi_check_digit(npi, valid):
    assert npi_valid(npi) is valid


@pytest.mark.parametrize("icn, valid", [
    ("2226327000123", True), ("222632700012", False), ("22263270001234", False),
    ("222632700012a", False)])
def test_icn_is_13_digits(icn, valid):
    assert icn_valid(icn) is valid
