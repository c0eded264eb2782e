"""Capital numerals (大写数字) for the validity on a transfer letter: 30 → 叁拾 (DOMAIN.md §5)."""

DIGITS = "零壹贰叁肆伍陆柒捌玖"


def capital_days(days: int) -> str:
    """A number of days from 1 to 99 in capital numerals, as written on the letter: 10 拾, 11 拾壹, 20 贰拾."""
    if not 1 <= days <= 99:
        raise ValueError("days must be between 1 and 99")
    tens, units = divmod(days, 10)
    if not tens:
        return DIGITS[units]
    return ("" if tens == 1 else DIGITS[tens]) + "拾" + (DIGITS[units] if units else "")
