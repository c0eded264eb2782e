"""The party dues rule of 中组发〔2008〕3号 as one pure function (DOMAIN.md §6).

``monthly_dues(base, kind)`` takes the declared monthly base (yuan, after tax) and the member's kind and
returns the month's dues in yuan. One rate applies to the whole base (not marginal), and a base on a bracket's
edge belongs to the lower bracket: 3000.00 pays 0.5%, 3000.01 pays 1%. Students, the unemployed and members on
relief or 低保 pay a fixed 0.20; rural members 0.20 to 1.00 (0.20 unless their branch sets more). Rounding is
configurable (``DUES_ROUNDING_QUANTUM``, ``DUES_ROUNDING``); the default is to the fen, half up.
"""

import decimal
from decimal import Decimal

KINDS = ("employed", "self_employed", "retired", "student", "unemployed", "low_income", "rural")

# (upper edge inclusive, rate); None is "above every edge".
WAGE_BRACKETS = (
    (Decimal("3000"), Decimal("0.005")),
    (Decimal("5000"), Decimal("0.01")),
    (Decimal("10000"), Decimal("0.015")),
    (None, Decimal("0.02")),
)
RETIRED_BRACKETS = (
    (Decimal("5000"), Decimal("0.005")),
    (None, Decimal("0.01")),
)
BRACKETS = {"employed": WAGE_BRACKETS, "self_employed": WAGE_BRACKETS, "retired": RETIRED_BRACKETS}
FIXED_AMOUNT = Decimal("0.20")
FIXED_KINDS = ("student", "unemployed", "low_income", "rural")
RURAL_MAXIMUM = Decimal("1.00")


def rate_for(base, kind: str) -> Decimal | None:
    """The rate on the whole base for a bracketed kind, or None for the fixed-amount kinds."""
    if kind not in KINDS:
        raise ValueError(f"unknown dues kind: {kind!r}")
    if kind in FIXED_KINDS:
        return None
    base = _decimal(base)
    for edge, rate in BRACKETS[kind]:
        if edge is None or base <= edge:
            return rate
    raise AssertionError("the last bracket has no edge")  # pragma: no cover


def monthly_dues(base, kind: str, *, quantum=None, rounding: str | None = None) -> Decimal:
    """The month's dues for a declared monthly base and kind, rounded (default: to the fen, half up)."""
    quantum, rounding = _rounding(quantum, rounding)
    rate = rate_for(base, kind)
    if rate is None:
        return FIXED_AMOUNT.quantize(quantum, rounding=rounding)
    return (_decimal(base) * rate).quantize(quantum, rounding=rounding)


def _decimal(base) -> Decimal:
    if base is None or base == "":
        raise ValueError("a bracketed kind needs a monthly base")
    try:
        value = base if isinstance(base, Decimal) else Decimal(str(base))
    except decimal.InvalidOperation as exc:
        raise ValueError(f"not a number: {base!r}") from exc
    if not value.is_finite() or value < 0:
        raise ValueError(f"the base must be a number of yuan, zero or more: {base!r}")
    return value


def _rounding(quantum, rounding):
    if quantum is None or rounding is None:
        from django.conf import settings

        quantum = quantum if quantum is not None else getattr(settings, "DUES_ROUNDING_QUANTUM", "0.01")
        rounding = rounding or getattr(settings, "DUES_ROUNDING", decimal.ROUND_HALF_UP)
    if rounding not in _ROUNDINGS:
        raise ValueError(f"unknown rounding: {rounding!r}")
    return Decimal(str(quantum)), rounding


_ROUNDINGS = {
    decimal.ROUND_HALF_UP,
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_UP,
    decimal.ROUND_DOWN,
    decimal.ROUND_CEILING,
    decimal.ROUND_FLOOR,
}
