"""A refused request (403) is the app working: one warning line with user, path and reason, no traceback."""

import logging

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_rule_a_refused_request_is_one_warning_line_not_an_error_with_a_traceback(
    caplog, login_as, secretary_a, member_user
):
    path = reverse("members:propose", args=[member_user.member.pk])  # only the member proposes for her record
    client = login_as(secretary_a)

    with caplog.at_level(logging.INFO):
        response = client.get(path)

    assert response.status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert len(refusals) == 1
    (record,) = refusals
    assert record.levelno == logging.WARNING and record.exc_info is None and record.exc_text is None
    message = record.getMessage()
    assert message == f"Forbidden: user={secretary_a.username} path={path} reason=permission denied"
    assert "\n" not in message
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_a_refusal_with_a_reason_logs_the_reason(caplog, rf, secretary_a):
    from django.core.exceptions import PermissionDenied
    from django.core.handlers.exception import response_for_exception

    request = rf.get("/members/1/edit/")
    request.user = secretary_a

    with caplog.at_level(logging.INFO):
        response_for_exception(request, PermissionDenied("read-only for the street"))

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage().endswith("reason=read-only for the street") and record.exc_info is None


@pytest.mark.django_db
def test_a_not_found_is_left_as_django_logs_it(caplog, secretary_a_client):
    with caplog.at_level(logging.INFO):
        secretary_a_client.get("/members/999999/")

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.WARNING and record.getMessage().startswith("Not Found")
