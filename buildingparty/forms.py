"""Form helpers every app's views share."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def add_service_errors(form, error: ValidationError) -> bool:
    """Put a service's field errors next to their fields (unknown fields at the top of the form).

    Returns False when the error names no field: it is about the step itself, and the caller shows it as a
    message instead."""
    if not hasattr(error, "error_dict"):
        return False
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
    return True


# --- dates every form accepts (guards: issue 14, point 8) ------------------------------------------------------

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)


def validate_date_in_range(value) -> None:
    """Refuse a date (or date-time) outside ``EARLIEST_DATE`` … ``LATEST_DATE``: far dates are typing slips, and
    near year 9999 any date arithmetic (a letter's expiry, a working-day deadline) overflows."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


def bound_form_dates() -> None:
    """Make every ``forms.DateField`` and ``forms.DateTimeField`` (ours, the admin's, a library's) run
    ``validate_date_in_range``. Called once from the app's ``ready()``; patched on the class's ``validate``, so it
    holds for fields created before or after, and a form cannot forget it."""
    for field_class in (forms.DateField, forms.DateTimeField):
        if getattr(field_class.validate, "bounds_dates", False):
            continue
        original = field_class.validate

        def validate(self, value, _original=original):
            _original(self, value)
            if value not in self.empty_values:
                validate_date_in_range(value)

        validate.bounds_dates = True
        field_class.validate = validate
