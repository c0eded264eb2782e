"""Pure checks for enterprise data."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Check a unified social credit code (GB 32100-2015) and return it upper-cased."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(value)}, code="length"
        )
    bad = sorted({c for c in value if c not in CREDIT_CHARS})
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain %(chars)s (I, O, S, V and Z are never used).")
            % {"chars": "".join(bad)},
            code="characters",
        )
    if credit_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character of this credit code is wrong; please check each character."), code="check_digit"
        )
    return value


PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def validate_phone(value: str) -> str:
    """A mainland mobile (13912345678) or a landline with its area code (0574-63001234)."""
    value = (value or "").strip()
    if not PHONE_RE.match(value):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline with its area code, e.g. 0574-63001234."),
            code="phone",
        )
    return value
