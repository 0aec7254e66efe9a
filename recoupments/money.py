"""Money as every recoupment page and e-mail shows it."""

from decimal import Decimal


def format_money(amount: Decimal | int | None) -> str:
    """Return ``$1,038.00``: dollars, thousands separators, cents ("" for None)."""
    if amount is None or amount == "":
        return ""
    return f"${Decimal(amount):,.2f}"
