"""Money as the party's books write it: yuan to the fen.

Every sum of money read from the database passes through ``money`` before it is shown, printed or exported:
SQLite sums decimals as floats (``10942.800000000000``) and hands back whole numbers without their fen
(``1000`` for 1000.00); PostgreSQL keeps the scale. One home for the dues reports and the funding ledger.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """``value`` (a Decimal, float, int or None) as yuan with two decimals, half up."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)
