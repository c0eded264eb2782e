"""Search-as-you-type pickers: one form field and one JSON answer, so no page lists every enterprise, member or
account of a building as an <option>.

The field renders a plain text input. With JavaScript, static/js/autocomplete.js turns it into a Tom Select box
that asks the field's endpoint for at most ``SEARCH_LIMIT`` matches and submits the chosen row's pk. Without
JavaScript the person types: the pk, or text that names exactly one row in scope (the exact name, else a name,
pinyin initials or code containing it). A filter form takes free text as "containing".
"""

from dataclasses import dataclass

from django import forms
from django.db.models import Case, IntegerField, Model, Q, QuerySet, Value, When
from django.http import JsonResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

SEARCH_LIMIT = 20
DEFAULT_HINT = _("type more of the name and choose from the list.")
DEFAULT_PLACEHOLDER = _("Type to search")


def name_initials(name: str) -> str:
    """张三 → zs: the first letter of each character's pinyin, for searching by initials."""
    letters = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="ignore")
    return "".join(letters).lower()[:20]


def search_condition(term: str, fields) -> Q:
    """Rows where any of ``fields`` (lookups such as ``name__icontains``) matches ``term``. Initials are stored
    in lower case, so an ``…initials__…`` lookup is given the term in lower case; codes in upper case, so a
    ``…code__…`` lookup gets it in upper case."""
    condition = Q()
    for lookup in fields:
        column = lookup.split("__")[0]
        value = term.lower() if column.endswith("initials") else term.upper() if column.endswith("code") else term
        condition |= Q(**{lookup: value})
    return condition


def search_order(term: str, exact: str = "name"):
    """The row named exactly ``term`` first (so "张三" is found among a hundred 张三丰)."""
    return Case(When(**{exact: term}, then=Value(0)), default=Value(1), output_field=IntegerField())


def search_response(queryset: QuerySet, term: str, fields, label, *, exact: str = "name", order=("name", "pk")):
    """The JSON a picker loads: ``{"results": [{"value": pk, "text": label}, ...]}``, at most ``SEARCH_LIMIT``,
    the exact match first, then by ``order``; one query (``label`` must not query: select_related what it reads).
    An empty term answers nothing rather than the first twenty rows."""
    term = (term or "").strip()[:50]
    if not term:
        return JsonResponse({"results": []})
    rows = queryset.filter(search_condition(term, fields)).order_by(search_order(term, exact), *order)[:SEARCH_LIMIT]
    return JsonResponse({"results": [{"value": row.pk, "text": label(row)} for row in rows]})


@dataclass(frozen=True)
class Chosen:
    """A picked row as the input shows it: its label as the text, its pk for the script."""

    pk: int
    label: str

    def __str__(self):
        return self.label


class SearchInput(forms.TextInput):
    """A text input carrying what the script needs: the endpoint, the words it shows, the chosen row's pk.

    A chosen row is shown by its label; a hidden ``<name>_chosen`` input remembers "pk label", so a form sent
    back without JavaScript and the label untouched still means that row (labels need not be unique names)."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", **(attrs or {})})

    field = None  # the SearchChoiceField rendered, which knows the chosen row's label

    def get_context(self, name, value, attrs):
        chosen = self.field.chosen(value) if self.field is not None else None
        context = super().get_context(name, chosen or value, attrs)
        context["chosen"] = chosen
        if chosen is not None:
            context["widget"]["attrs"]["data-autocomplete-value"] = chosen.pk
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        html = self._render(self.template_name, context, renderer)
        chosen = context["chosen"]
        if chosen is not None:
            html += format_html('<input type="hidden" name="{}_chosen" value="{} {}">', name, chosen.pk, chosen.label)
        return html

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        pk, _, label = (data.get(f"{name}_chosen") or "").partition(" ")
        if pk.isdigit() and text is not None and text.strip() == label:
            return pk
        return text

    def value_omitted_from_data(self, data, files, name):
        return name not in data


class SearchChoiceField(forms.Field):
    """One row of ``queryset`` chosen by search. Cleans to the model instance (None when empty and optional).

    ``fields`` are the lookups text is matched with; ``exact`` the field an exact match is tried on first;
    ``free=True`` (filter forms) cleans text naming several rows, or none, to the text itself, for the caller to
    filter with ``matching(text)``. ``url_name`` (with ``url_query``) is the JSON endpoint the script asks.
    """

    widget = SearchInput
    default_error_messages = {
        "none": _("Nothing matches “%(text)s”: %(hint)s"),
        "several": _("More than one matches “%(text)s”: %(hint)s"),
    }

    def __init__(
        self,
        *,
        queryset,
        url_name: str,
        label_from=str,
        fields=("name__icontains",),
        exact: str = "name",
        free: bool = False,
        hint=DEFAULT_HINT,
        placeholder=DEFAULT_PLACEHOLDER,
        url_query: str = "",
        **kwargs,
    ):
        # Set before Field.__init__, which asks widget_attrs() for the endpoint and the words.
        self.url_name, self.url_query = url_name, url_query
        self.label_from, self.search_fields, self.exact, self.free = label_from, fields, exact, free
        self.hint, self.placeholder = hint, placeholder
        super().__init__(**kwargs)
        self.queryset = queryset
        self.widget.field = self

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.queryset = self.queryset.all() if self.queryset is not None else None
        result.widget.field = result
        return result

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # Lazy: reverse() and the translations run when the form renders, in the request's language.
        attrs.update(
            {
                "data-autocomplete-url": LazyUrl(self.url_name, self.url_query),
                "data-autocomplete-placeholder": self.placeholder,
                "data-autocomplete-empty": _("No matches"),
                "placeholder": self.placeholder,
            }
        )
        if self.free:
            attrs["data-autocomplete-free"] = _("Search for “%s”")
        return attrs

    def matching(self, text: str) -> QuerySet:
        return self.queryset.filter(search_condition(text, self.search_fields))

    def prepare_value(self, value):
        return value.pk if isinstance(value, Model) else value

    def chosen(self, value) -> Chosen | None:
        """The row ``value`` (a row, or its pk as the form holds it) names in the queryset, to show by label."""
        if isinstance(value, Model):
            return Chosen(value.pk, self.label_from(value))
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit() and len(value) <= 9):
            row = self.queryset.filter(pk=int(value)).first()
            if row is not None:
                return Chosen(row.pk, self.label_from(row))
        return None

    def to_python(self, value):
        return "" if value in self.empty_values else str(value).strip()

    def clean(self, value):
        text = self.to_python(value)
        self.validate(text)
        if not text:
            return None
        if text.isdigit() and len(text) <= 9:  # a pk (a longer number is a credit code or a phone)
            row = self.queryset.filter(pk=int(text)).first()
            if row is not None:
                return row
            if not self.free:  # never read another building's id as a code or a name that contains it
                raise forms.ValidationError(
                    self.error_messages["none"], code="none", params={"text": text, "hint": self.hint}
                )
        found = list(self.queryset.filter(**{self.exact: text})[:2])
        if len(found) != 1:
            found = found or list(self.matching(text)[:2])
        if len(found) == 1:
            return found[0]
        if self.free:
            return text
        code = "several" if found else "none"
        raise forms.ValidationError(self.error_messages[code], code=code, params={"text": text[:50], "hint": self.hint})

    def has_changed(self, initial, data):
        initial = initial.pk if isinstance(initial, Model) else initial
        return str(initial or "") != str(data or "")


class LazyUrl:
    """The endpoint's address, reversed when rendered (forms are built before the URLconf is loaded)."""

    def __init__(self, url_name: str, query: str = ""):
        self.url_name, self.query = url_name, query

    def __str__(self):
        url = reverse(self.url_name)
        return f"{url}?{self.query}" if self.query else url
