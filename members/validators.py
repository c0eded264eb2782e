"""Pure checks for member data. Each raises ValidationError with a message for the person typing."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def id_birth_date(value: str) -> datetime.date:
    """The birth date carried by characters 7–14 of an ID number (raises ValueError if it is not a date)."""
    return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_gender(value: str) -> str:
    """'M' or 'F' from character 17: odd for men, even for women."""
    return "M" if int(value[16]) % 2 else "F"


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str, *, today: datetime.date | None = None) -> str:
    """Check a resident ID number (GB 11643-1999) and return it normalised (upper-case X)."""
    value = normalize_id_number(value)
    if len(value) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(value)}, code="length"
        )
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("An ID number is 17 digits followed by a digit or X."), code="characters")
    try:
        born = id_birth_date(value)
    except ValueError:
        raise ValidationError(_("The birth date in this ID number is not a real date."), code="birth_date") from None
    if born > (today or timezone.localdate()):
        raise ValidationError(_("The birth date in this ID number is in the future."), code="birth_date")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character of this ID number is wrong; please check each digit."), code="check_digit"
        )
    return value


def mask_id_number(value: str) -> str:
    """330282********1231: the region and the last four, never the birth date."""
    if not value or len(value) < 10:
        return "*" * len(value or "")
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def validate_mobile(value: str) -> str:
    value = (value or "").strip()
    if not MOBILE_RE.match(value):
        raise ValidationError(_("A mainland mobile number has 11 digits and starts with 1."), code="mobile")
    return value


# A landline: the area code (0 and two or three digits) and a local number of 7 or 8 digits that does not start
# with 0 or 1. Area codes 010 and 020–029 have three digits with the 0; all others have four.
LANDLINE_RE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))([2-9]\d{6,7})$")
_PHONE_SEPARATORS = re.compile(r"[\s\-－—()（）]")


def normalize_phone(value: str) -> str:
    """The phone as stored: a mobile as 11 digits (a leading +86 dropped), a landline as 0574-63012345."""
    raw = (value or "").strip()
    digits = _PHONE_SEPARATORS.sub("", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    if MOBILE_RE.match(digits):
        return digits
    landline = LANDLINE_RE.match(digits)
    if landline:
        return f"{landline.group(1)}-{landline.group(2)}"
    return raw


def validate_phone(value: str) -> str:
    """A mainland mobile (13812345678) or a landline with its area code (0574-63012345, 057463012345,
    (0574)63012345); returns it normalised (``normalize_phone``)."""
    value = normalize_phone(value)
    if not (MOBILE_RE.match(value) or re.match(r"^0\d{2,3}-[2-9]\d{6,7}$", value)):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline with its area code, e.g. 13812345678 or 0574-63012345."),
            code="phone",
        )
    return value
