from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

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


@register.simple_tag
def member_badges(m):
    """The badges of a member's row (mobile, out of contact, standing, hardship), built in Python: the member
    list shows them on every row, and a template include per row cost more than the row itself."""
    parts = []
    if m.is_mobile:
        parts.append(format_html('<span class="badge text-bg-info">{}</span> ', gettext("Mobile")))
    if m.lost_contact_since:
        parts.append(format_html('<span class="badge text-bg-warning">{}</span> ', gettext("Out of contact")))
    if m.status != "normal":
        parts.append(format_html('<span class="badge text-bg-secondary">{}</span> ', m.get_status_display()))
    if m.is_hardship:
        parts.append(format_html('<span class="badge text-bg-light border">{}</span>', gettext("Hardship")))
    return mark_safe("".join(parts))  # noqa: S308 -- every part is escaped by format_html  # nosec B308 B703


def _timeline_event(e, today, planned: str) -> str:
    """One event's markup, every value escaped (``conditional_escape`` and an f-string: a hundred ``format_html`` calls
    a page cost more than the rest of the timeline)."""
    day = f"{e.date.year:04d}-{e.date.month:02d}-{e.date.day:02d}"
    when = f"{day} · {conditional_escape(planned)}" if e.date > today else day
    title = (
        f'<a href="{conditional_escape(e.url)}">{conditional_escape(e.title)}</a>'
        if e.url
        else conditional_escape(e.title)
    )
    detail = f'<div class="small text-body-secondary">{conditional_escape(e.detail)}</div>' if e.detail else ""
    return (
        f'<i class="bi bi-{conditional_escape(e.kind)} text-danger mt-1" aria-hidden="true"></i>\n'
        f'<div><div class="small text-body-secondary">{when}</div>\n'
        f"  <div>{title}</div>\n"
        f"  {detail}</div>"
    )


@register.simple_tag
def timeline_items(lines, today):
    """The member's timeline (``timeline.folded``) as list items: a milestone per line, a routine's year folded
    into ``<details>``. Built in Python: a hundred events through the template cost a third of the page."""
    planned = gettext("planned")
    items = []
    for line in lines:
        if getattr(line, "events", None):
            events = "".join(
                f'<li class="d-flex gap-2 py-1">{_timeline_event(e, today, planned)}</li>' for e in line.events
            )
            items.append(
                '<li class="list-group-item" data-testid="timeline-fold">\n'
                "  <details>\n"
                f'    <summary><i class="bi bi-{conditional_escape(line.kind)} text-danger" aria-hidden="true"></i> '
                f"{conditional_escape(line.title)}</summary>\n"
                '    <ol class="list-unstyled mt-2 mb-0 ms-4">\n'
                f"      {events}\n"
                "    </ol>\n"
                "  </details>\n"
                "</li>"
            )
        else:
            items.append(f'<li class="list-group-item d-flex gap-2">{_timeline_event(line, today, planned)}</li>')
    return mark_safe("\n".join(items))  # noqa: S308 -- every value in it is escaped as the template would  # nosec B308 B703
