"""Checks of the identifiers on a recoupment: NPI and ICN (domain.md E2 and F)."""

import re

NPI_PATTERN = re.compile(r"^[12]\d{9}$")
# domain.md E2 [I]: no MassHealth ICN format was found; the emulator uses 13 digits
# (2-digit claim type, 2-digit year, Julian day, 6-digit sequence). Synthetic.
ICN_PATTERN = re.compile(r"^\d{13}$")


def luhn_valid(digits: str) -> bool:
    """Return True when the digit string passes the Luhn mod-10 check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def npi_valid(npi: str) -> bool:
    """Return True for a 10-digit NPI whose check digit is right.

    domain.md F (CMS NPI rule): Luhn "double-add-double" over the NPI with the prefix
    80840 (80 = health, 840 = USA); first digit 1 or 2.
    """
    return bool(NPI_PATTERN.fullmatch(npi)) and luhn_valid("80840" + npi)


def icn_valid(icn: str) -> bool:
    """Return True for a synthetic 13-digit ICN (domain.md E2)."""
    return bool(ICN_PATTERN.fullmatch(icn))
