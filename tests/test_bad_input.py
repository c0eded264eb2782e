"""Bad input never gives a 500 after a write (issue 14, point 8): a ``next`` that is not a local path, a date
no arithmetic can handle, an oversized request body."""

import datetime
import importlib
import pkgutil

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from buildingparty.forms import EARLIEST_DATE, LATEST_DATE, validate_date_in_range
from buildingparty.redirects import safe_next

pytestmark = pytest.mark.django_db

PROJECT_PACKAGES = ["buildingparty", "enterprises", "members", "services", "activities"]


# --- next ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "posted",
    [
        "",
        "home",  # a URL name: redirect() would reverse it
        "no_such_view",  # redirect() would raise NoReverseMatch after the action was done
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "http://testserver/members/",  # an absolute URL, even of this host: not a local path
    ],
)
def test_a_next_that_is_not_a_local_path_gives_the_default(posted):
    request = RequestFactory().post("/x/", {"next": posted})
    assert safe_next(request, "/fallback/") == "/fallback/"


def test_a_local_path_with_its_query_and_fragment_is_kept():
    request = RequestFactory().post("/x/", {"next": "/activities/?page=2#row-3"})
    assert safe_next(request, "/fallback/") == "/activities/?page=2#row-3"


def test_the_default_may_be_a_url_name():
    request = RequestFactory().post("/x/", {"next": "nowhere"})
    assert safe_next(request, "home") == reverse("home")


# --- dates -----------------------------------------------------------------------------------------------------


def project_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class defined in the project's own modules (tests and migrations left out)."""
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if ".tests" in info.name or ".migrations" in info.name or info.name.endswith(".settings"):
                continue
            if "form" in info.name.rsplit(".", 1)[-1] or info.name.endswith((".views", ".admin")):
                importlib.import_module(info.name)
    found, todo = [], [forms.Form, forms.ModelForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.split(".")[0] in PROJECT_PACKAGES:
                found.append(subclass)
    return found


def date_fields(form_class) -> list[tuple[str, forms.Field]]:
    return [
        (name, field)
        for name, field in getattr(form_class, "base_fields", {}).items()
        if isinstance(field, (forms.DateField, forms.DateTimeField))
    ]


def test_the_walk_finds_the_forms_with_dates():
    with_dates = {f"{c.__module__}.{c.__name__}" for c in project_form_classes() if date_fields(c)}
    assert len(with_dates) >= 15
    assert any("transfers" in name for name in with_dates)


@pytest.mark.parametrize("far", ["9999-12-01", "1899-12-31", "2200-01-01"])
def test_every_date_field_of_every_project_form_refuses_a_far_date_in_chinese(far):
    checked = 0
    for form_class in project_form_classes():
        for name, field in date_fields(form_class):
            value = far if isinstance(field, forms.DateField) else f"{far} 10:00"
            with pytest.raises(ValidationError) as refused:
                field.clean(value)
            assert "请填写 1900-01-01 到 2199-12-31 之间的日期" in " ".join(refused.value.messages), (form_class, name)
            checked += 1
    assert checked >= 20


def test_the_edges_of_the_range_are_accepted():
    field = forms.DateField()
    assert field.clean(EARLIEST_DATE.isoformat()) == EARLIEST_DATE
    assert field.clean(LATEST_DATE.isoformat()) == LATEST_DATE
    assert forms.DateField(required=False).clean("") is None
    validate_date_in_range(datetime.datetime(2026, 3, 1, 10, 0))
    with pytest.raises(ValidationError):
        validate_date_in_range(datetime.datetime(9999, 12, 31, 23, 59))


# --- request size ----------------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(admin_client, settings):
    too_big = settings.MAX_REQUEST_BODY_MB * 1024 * 1024 + 1
    # The declared length is what counts: the body itself is never read (here it is short).
    response = admin_client.post(
        reverse("home"), data=b"x" * 10, content_type="application/octet-stream", CONTENT_LENGTH=str(too_big)
    )
    assert response.status_code == 413
    assert "上传的内容太大" in response.content.decode()


def test_a_body_under_the_limit_goes_through(client):
    response = client.post(reverse("login"), {"username": "nobody", "password": "x"})
    assert response.status_code != 413


def test_the_upload_limits_are_set_deliberately():
    assert settings.MAX_REQUEST_BODY_MB == 110  # a notice's 10 attachments of 10 MB go through; 300 MB does not
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1_000
    assert settings.MIDDLEWARE.index("buildingparty.middleware.RequestBodyLimitMiddleware") == 1
