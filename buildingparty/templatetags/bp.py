from django import template

register = template.Library()


@register.filter
def dictget(mapping, key):
    """mapping[key] in a template, or None."""
    return mapping.get(key) if mapping else None


@register.filter
def minutes(duration):
    """A timedelta as whole minutes, rounded up (for "wait N minutes")."""
    if duration is None:
        return ""
    seconds = duration.total_seconds()
    return int(-(-seconds // 60))
