"""The home page's panels (buildingparty/dashboard.py): a panel's HTML from the cache, or rendered and kept."""

from django import template
from django.utils.safestring import mark_safe

from buildingparty import data_cache

register = template.Library()


@register.simple_tag(takes_context=True)
def home_panel(context, panel):
    """The panel's HTML. A cached panel (``cache_key``) is rendered with nothing but ``panel`` in its context, so
    that its HTML depends on its own data alone, and kept for the next request of its scope."""
    if panel.html is not None:
        return mark_safe(panel.html)  # noqa: S308 -- rendered by our own template, with autoescaping  # nosec B308 B703
    panel_template = context.template.engine.get_template(panel["template"])
    if panel.cache_key is None:
        with context.push(panel=panel):
            return mark_safe(panel_template.render(context))  # noqa: S308 -- as {% include %} does  # nosec B308 B703
    html = panel_template.render(context.new({"panel": panel}))
    data_cache.store({panel.cache_key: html}, panel.timeout)
    return mark_safe(html)  # noqa: S308 -- rendered by our own template, with autoescaping  # nosec B308 B703
