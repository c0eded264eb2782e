from django import template

from ..models import Member
from ..validators import mask_id_number

register = template.Library()

CHOICE_FIELDS = {f.name: dict(f.choices) for f in Member._meta.concrete_fields if f.choices}


@register.filter
def readable_changes(entry):
    """A history entry's changes as (label, old, new), with choice labels and ID numbers masked."""
    rows = []
    for field, pair in (entry.changes or {}).items():
        try:
            label = Member._meta.get_field(field).verbose_name
        except Exception:  # a field since removed: show its name
            label = field
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        if field == "id_number":
            old, new = mask_id_number(old or ""), mask_id_number(new or "")
        elif field in CHOICE_FIELDS:
            old, new = CHOICE_FIELDS[field].get(old, old), CHOICE_FIELDS[field].get(new, new)
        elif isinstance(old, bool) or isinstance(new, bool):
            from django.utils.translation import gettext as _

            old, new = [(_("Yes") if v else _("No")) if isinstance(v, bool) else v for v in (old, new)]
        rows.append((label, old, new))
    return rows
