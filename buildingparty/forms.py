"""Form helpers every app's views share."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError) -> bool:
    """Put a service's field errors next to their fields (unknown fields at the top of the form).

    Returns False when the error names no field: it is about the step itself, and the caller shows it as a
    message instead."""
    if not hasattr(error, "error_dict"):
        return False
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
    return True
