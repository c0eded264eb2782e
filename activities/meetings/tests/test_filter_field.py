"""``as_filter_field`` draws a filter select exactly as ``as_crispy_field`` does, and leaves the rest to crispy."""

import re

import pytest
from django.template import engines

from activities.meetings.forms import MeetingFilterForm
from activities.study.forms import HoursFilterForm, SessionFilterForm

pytestmark = pytest.mark.django_db


def drawn(filter_name, library, bound_field):
    html = engines["django"].from_string(f"{{% load {library} %}}{{{{ f|{filter_name} }}}}").render({"f": bound_field})
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*([<>])\s*", r"\1", html).replace("<label for", "<label for").strip()


def same_as_crispy(form, name):
    mine = drawn("as_filter_field", "bp", form[name])
    crispy = drawn("as_crispy_field", "crispy_forms_tags", form.__class__(form.data or None, **form.kwargs)[name])
    return mine == re.sub(r"<label\s+for", "<label for", crispy)


def make(form_class, data, **kwargs):
    form = form_class(data, **kwargs)
    form.kwargs = kwargs
    return form


@pytest.mark.parametrize("data", [None, {"kind": "lesson", "status": "held", "year": "2024"}, {"kind": "nonsense"}])
def test_the_meeting_filters_are_drawn_as_crispy_draws_them(secretary_a, branch_a, group_a, data):
    form = make(MeetingFilterForm, data, user=secretary_a, years=[2025, 2024])
    for name in ("kind", "status", "organization", "year"):
        assert same_as_crispy(form, name), name


def test_the_study_filters_are_drawn_as_crispy_draws_them(secretary_a, branch_a, group_a):
    for form in (
        make(SessionFilterForm, {"kind": "peer"}, user=secretary_a),
        make(HoursFilterForm, None, user=secretary_a),
    ):
        for name in form.fields:
            assert same_as_crispy(form, name), name


def test_a_field_with_an_error_is_left_to_crispy(secretary_a):
    form = make(MeetingFilterForm, {"kind": "nonsense"}, user=secretary_a, years=[2025])
    assert "is-invalid" in drawn("as_filter_field", "bp", form["kind"])
