from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from buildingparty.money import CENT

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount of money as ¥1,234.50 (two decimals, thousands separated, minus before the sign)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{'-' if amount < 0 else ''}¥{abs(amount):,.2f}"
