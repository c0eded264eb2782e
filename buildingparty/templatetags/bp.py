from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

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


# The plain widgets ``as_filter_field`` writes out itself; anything else is crispy's.
_PLAIN_INPUTS = (forms.TextInput, forms.NumberInput, forms.DateInput, forms.EmailInput, forms.SearchInput)


def _crispy_css(widget, bootstrap: str) -> str:
    """The class crispy's ``crispy_field`` gives the widget: its own, the widget's name, then Bootstrap's."""
    css, name = widget.attrs.get("class", ""), type(widget).__name__.lower()
    css = (f"{css} {name}" if name not in css else css) if css else name
    return css if bootstrap in css.split() else f"{css} {bootstrap}"


@register.filter
def as_filter_field(bound_field):
    """A list's filter field as ``|as_crispy_field`` draws it (Bootstrap 5: the label, then the input or select),
    written out in Python from the widget's own context: crispy's templates and Django's one template per option
    cost about a millisecond a field, and a list page draws up to eleven. Only a plain input or a single select
    without option groups or errors is written here (with the required asterisk and the help text as crispy draws
    them); everything else is left to crispy, so a form with an error looks as it always did.
    ``buildingparty/tests/test_filter_field.py`` compares the two field by field."""
    widget = bound_field.field.widget
    plain = type(widget) in _PLAIN_INPUTS
    if not (plain or type(widget) is forms.Select) or bound_field.errors or bound_field.css_classes():
        return as_crispy_field(bound_field)
    attrs = bound_field.build_widget_attrs({"id": bound_field.auto_id} if bound_field.auto_id else {})
    context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)["widget"]
    if plain:
        value = context["value"]
        control = format_html(
            '<input type="{}" name="{}"{}{}>',
            context["type"],
            context["name"],
            "" if value is None else format_html(' value="{}"', value),
            flatatt({**context["attrs"], "class": _crispy_css(widget, "form-control")}),
        )
    else:
        if any(group is not None for group, _options, _index in context["optgroups"]):
            return as_crispy_field(bound_field)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, group_options, _index in context["optgroups"]
                for option in group_options
            ),
        )
        control = format_html(
            '<select name="{}"{}>{}</select>',
            context["name"],
            flatatt({**context["attrs"], "class": _crispy_css(widget, "form-select")}),
            options,
        )
    required = bound_field.field.required
    label = (
        format_html(
            '<label for="{}" class="form-label{}">{}{}</label>',
            bound_field.id_for_label,
            " requiredField" if required else "",
            bound_field.label,
            mark_safe('<span class="asteriskField">*</span>') if required else "",  # noqa: S308 -- a constant  # nosec B308
        )
        if bound_field.label
        else ""
    )
    help_text = (
        format_html(
            '<div id="{}_helptext" class="form-text">{}</div>',
            bound_field.auto_id,
            mark_safe(bound_field.help_text),  # noqa: S308 -- as crispy (|safe): help texts are the code's own  # nosec B308 B703
        )
        if bound_field.help_text
        else ""
    )
    return format_html('<div id="div_{}" class="mb-3">{}{}{}</div>', bound_field.auto_id, label, control, help_text)
