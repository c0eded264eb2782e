"""The party's own words (DOMAIN.md): 交纳 / 应交 / 实交 / 欠交 / 补交, never 缴; the service form asks for a 服务类别;
and no filter offers two options that read the same."""

import importlib
import inspect
import io
import pkgutil
import re
import tokenize
from pathlib import Path

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from buildingparty.models import Building
from services.categories import ensure_default_categories

ROOT = Path(__file__).resolve().parents[1]
APPS = ("buildingparty", "enterprises", "members", "services", "activities")
# 上缴 (remitting upward, e.g. a share of the dues to the higher committee) is the one proper use of 缴.
WRONG = re.compile(r"(?<!上)缴")


def _python_strings(path: Path):
    """Each string literal in a module (docstrings included), with its line."""
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING or token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            yield token.start[0], token.string


def _app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = set(path.relative_to(ROOT).parts)
            if "migrations" in parts or "tests" in parts:
                continue  # migrations are history; tests may name the wrong word to forbid it
            yield path


def test_rule_dues_words_are_jiao_never_jiao_with_the_silk_radical():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt", ".js"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if WRONG.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    catalogue = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    for number, line in enumerate(catalogue.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("msgstr") and WRONG.search(line):
            offenders.append(f"django.po:{number}: {line}")
    for path in _app_modules():
        for number, text in _python_strings(path):
            if WRONG.search(text):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {text[:80]}")
    assert offenders == [], "缴 where the party writes 交:\n" + "\n".join(offenders)


def test_rule_notifications_and_messages_address_the_reader_as_nin_never_ni():
    catalogue = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    offenders = [
        line
        for line in catalogue.read_text(encoding="utf-8").splitlines()
        if line.startswith("msgstr") and "你" in line
    ]
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file() and "你" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_rule_the_service_request_form_asks_for_a_service_category_not_a_member_category(member_client, building):
    ensure_default_categories(building)
    body = member_client.get(reverse("services:create")).content.decode()
    assert "服务类别" in body
    assert "党员类别" not in body


def _filter_forms():
    """Every filter form in the apps: the classes named ``…FilterForm`` in their forms modules."""
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if "forms" in info.name.rsplit(".", 1)[-1] and ".tests" not in info.name:
                module = importlib.import_module(info.name)
                for name, cls in vars(module).items():
                    if (
                        inspect.isclass(cls)
                        and issubclass(cls, forms.BaseForm)
                        and cls.__module__ == module.__name__
                        and name.endswith("FilterForm")
                    ):
                        yield cls


def _instantiate(cls, user):
    kwargs = {}
    parameters = inspect.signature(cls.__init__).parameters
    if "user" in parameters:
        kwargs["user"] = user
    if "floors" in parameters:
        kwargs["floors"] = [1, 2, 3]
    return cls(**kwargs)


@pytest.mark.django_db
def test_rule_no_filter_offers_two_options_that_read_the_same(
    building, branch_a, branch_b, enterprise, admin_user, secretary_a, liaison_user, street_user
):
    # Two buildings with the default service categories: each building has a 其他 for members and one for
    # enterprises, and the street viewer sees both buildings'.
    other_building = Building.objects.create(name="东方大厦")
    ensure_default_categories(building)
    ensure_default_categories(other_building)
    classes = sorted(set(_filter_forms()), key=lambda c: c.__qualname__)
    assert len(classes) >= 8, classes
    duplicates = []
    with translation.override("zh-hans"):
        for user in (admin_user, secretary_a, liaison_user, street_user):
            for cls in classes:
                form = _instantiate(cls, user)
                for name, field in form.fields.items():
                    if not hasattr(field, "choices"):
                        continue
                    labels = [str(label) for _value, label in field.choices]
                    seen = {label for label in labels if labels.count(label) > 1}
                    if seen:
                        duplicates.append(f"{cls.__name__}.{name} as {user.role}: {sorted(seen)}")
    assert duplicates == [], "\n".join(duplicates)


def _select_options(html: str) -> dict[str, list[str]]:
    """Each <select> on a page (by name) with its options' texts."""
    selects = {}
    for number, (attrs, body) in enumerate(re.findall(r"<select([^>]*)>(.*?)</select>", html, re.S)):
        name = re.search(r'name="([^"]*)"', attrs)
        options = [
            re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<option[^>]*>(.*?)</option>", body, re.S)
        ]
        selects[f"{name.group(1) if name else '?'}#{number}"] = options
    return selects


@pytest.mark.django_db
def test_rule_no_select_on_the_list_pages_offers_two_options_that_read_the_same(
    building, branch_a, enterprise, admin_client, secretary_a
):
    from services.reception import reception_record

    ensure_default_categories(building)
    reception_record(recorded_by=secretary_a, visitor_name="王阿姨", phone="13900000000", topic="咨询党费交纳标准")
    duplicates = []
    for name in ("members:list", "enterprises:list", "services:list", "services:reception_list"):
        response = admin_client.get(reverse(name))
        assert response.status_code == 200, name
        for select, labels in _select_options(response.content.decode()).items():
            repeated = sorted({label for label in labels if labels.count(label) > 1})
            if repeated:
                duplicates.append(f"{name} {select}: {repeated}")
    assert duplicates == [], "\n".join(duplicates)


def test_rule_a_service_requests_category_is_named_as_a_service_category_in_the_model_too():
    from services.models import ServiceRequest

    with translation.override("zh-hans"):
        assert str(ServiceRequest._meta.get_field("category").verbose_name) == "服务类别"
