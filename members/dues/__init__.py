"""Party dues (党费, DOMAIN.md §6): each member's yearly standard, the monthly bills, payments, arrears and the
dues reports — the app ``dues``, nested in the register it stands on.

The rule itself is pure and importable without Django's models: ``members.dues.monthly_dues(base, kind)``
(``rules.py``).
"""

from .rules import FIXED_AMOUNT, FIXED_KINDS, KINDS, RURAL_MAXIMUM, monthly_dues, rate_for

__all__ = ["FIXED_AMOUNT", "FIXED_KINDS", "KINDS", "RURAL_MAXIMUM", "monthly_dues", "rate_for"]
