"""``as_filter_field`` draws a filter field exactly as ``as_crispy_field`` does, and leaves the rest to crispy."""

import pytest
from django import forms
from django.template import engines
from django.test.html import parse_html


class Filters(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名 <或> 电话"}))
    year = forms.IntegerField(label="年度", required=False)
    since = forms.DateField(label="起", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部"), ("a", "甲 & 乙"), ("b", "丙")])
    styled = forms.ChoiceField(
        required=False, choices=[("", "—"), ("x", "x")], widget=forms.Select(attrs={"class": "form-select-sm"})
    )
    grouped = forms.ChoiceField(label="分组", required=False, choices=[("一", [("1", "一")]), ("二", [("2", "二")])])
    needed = forms.CharField(label="必填")
    helped = forms.CharField(label="说明", required=False, help_text="帮助 <b>粗</b>")
    needed_choice = forms.ChoiceField(label="必选", choices=[("", "—"), ("1", "一")], help_text="选一项")
    flag = forms.BooleanField(label="是否", required=False)


def drawn(filter_name, library, bound_field):
    return engines["django"].from_string(f"{{% load {library} %}}{{{{ f|{filter_name} }}}}").render({"f": bound_field})


@pytest.mark.parametrize("data", [None, {"q": 'a"b<c>', "year": "2024", "since": "2026-01-02", "kind": "a"}])
@pytest.mark.parametrize("name", list(Filters.base_fields))
def test_every_field_is_drawn_as_crispy_draws_it(data, name):
    mine = drawn("as_filter_field", "bp", Filters(data)[name])
    crispy = drawn("as_crispy_field", "crispy_forms_tags", Filters(data)[name])
    assert parse_html(mine) == parse_html(crispy)


def test_the_written_out_fields_carry_the_value_and_the_selected_option():
    form = Filters({"q": "张三", "kind": "b"})
    assert 'value="张三"' in drawn("as_filter_field", "bp", form["q"])
    assert '<option value="b" selected>丙</option>' in drawn("as_filter_field", "bp", form["kind"])


def test_a_field_with_an_error_is_left_to_crispy():
    form = Filters({"kind": "nonsense", "year": "x"})
    form.is_valid()
    assert "is-invalid" in drawn("as_filter_field", "bp", form["kind"])
    assert "is-invalid" in drawn("as_filter_field", "bp", form["year"])
