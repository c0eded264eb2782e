"""Email never breaks on a title (issue 14, point 9): subjects are one line, a failed send is recorded, retried
with backoff and then shown on /jobs/, the rest of the batch still goes; notification texts are stored as plain
text and escaped once, where they are shown."""

import datetime
from types import SimpleNamespace

import django.core.mail
import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from buildingparty import outbox, services
from buildingparty.models import Notification
from buildingparty.notifications import notify
from tests.factories import BuildingFactory, UserFactory

pytestmark = pytest.mark.django_db


def note(user, title="通知", **kwargs) -> Notification:
    return Notification.objects.create(user=user, event="test", title=title, body="正文", **kwargs)


@pytest.fixture
def failing_for(monkeypatch):
    """failing_for(address): the mail backend refuses every message to that address."""
    real = django.core.mail.send_mail

    def arrange(address):
        def send_mail(subject, message, from_email, recipient_list, **kwargs):
            if address in recipient_list:
                raise ConnectionRefusedError("SMTP server refused the connection")
            return real(subject, message, from_email, recipient_list, **kwargs)

        monkeypatch.setattr(django.core.mail, "send_mail", send_mail)

    return arrange


# --- one-line subjects -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["申请\r\n换届材料", "申请\r换届材料", "申请\n\n换届材料", "申请\t换届材料  "])
def test_a_title_with_line_breaks_sends_one_email_with_a_one_line_subject(admin_user, title):
    row = note(admin_user, title=title)
    assert services.email_notifications(ids=[row.pk]) == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "申请 换届材料"
    row.refresh_from_db()
    assert row.emailed_at is not None and row.email_attempts == 0


def test_one_line_caps_the_subject_length():
    assert outbox.one_line("甲" * 500) == "甲" * outbox.EMAIL_SUBJECT_MAX


def test_a_request_title_typed_with_a_line_break_reaches_the_handler(admin_user, django_capture_on_commit_callbacks):
    request = SimpleNamespace(
        title="办理\r暂住证",  # a \r alone raised BadHeaderError and dropped the batch
        category=SimpleNamespace(name="暂住证办理"),
        requester=SimpleNamespace(display_name="王五"),
        due_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[admin_user], event="request_submitted", context={"request": request})
    assert len(mail.outbox) == 1 and "\r" not in mail.outbox[0].subject and "\n" not in mail.outbox[0].subject
    assert "办理 暂住证" in mail.outbox[0].subject


# --- a failed send is kept, retried and shown --------------------------------------------------------------------


def test_a_failing_message_does_not_stop_the_rest_of_the_batch(admin_user, secretary_a, member_user, failing_for):
    failing_for(secretary_a.email)
    rows = [note(admin_user, "一"), note(secretary_a, "二"), note(member_user, "三")]
    assert services.email_notifications(ids=[r.pk for r in rows]) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_user.email, member_user.email])
    failed = Notification.objects.get(pk=rows[1].pk)
    assert failed.emailed_at is None and failed.email_attempts == 1
    assert failed.email_error == "ConnectionRefusedError: SMTP server refused the connection"
    assert failed.email_retry_at > timezone.now() and failed.email_failed_at is None


def test_a_failed_email_is_retried_with_backoff_then_marked_failed(secretary_a, failing_for):
    failing_for(secretary_a.email)
    row = note(secretary_a)
    services.email_notifications(ids=[row.pk])
    now = timezone.now()
    assert services.retry_emails(now=now)["retried"] == 0  # not due yet: the pause grows with each attempt
    pauses = []
    for _attempt in range(outbox.EMAIL_MAX_ATTEMPTS - 1):
        row.refresh_from_db()
        pauses.append(row.email_retry_at - now)
        now = row.email_retry_at
        Notification.objects.filter(pk=row.pk).update(email_retry_at=timezone.now())  # the time has come
        assert services.retry_emails()["retried"] == 1
    row.refresh_from_db()
    assert pauses == sorted(pauses) and pauses[0] < pauses[-1]
    assert row.email_attempts == outbox.EMAIL_MAX_ATTEMPTS and row.email_failed_at is not None
    assert row.email_retry_at is None
    assert services.retry_emails(now=timezone.now() + datetime.timedelta(days=1))["retried"] == 0  # given up
    assert not mail.outbox


def test_a_retry_sends_the_email_once_the_server_is_back(secretary_a, failing_for, monkeypatch):
    failing_for(secretary_a.email)
    row = note(secretary_a)
    services.email_notifications(ids=[row.pk])
    monkeypatch.undo()  # the mail server is back
    result = services.retry_emails(now=timezone.now() + datetime.timedelta(hours=1))
    assert result == {"retried": 1, "sent": 1, "failed": 0}
    row.refresh_from_db()
    assert row.emailed_at is not None and len(mail.outbox) == 1


def test_failed_and_waiting_emails_are_shown_on_the_jobs_page(admin_client, admin_user, secretary_a, outsider):
    note(
        secretary_a,
        "换届提醒",
        email_attempts=5,
        email_error="SMTPRecipientsRefused: x",
        email_failed_at=timezone.now(),
    )
    note(admin_user, "党费提醒", email_attempts=2, email_error="TimeoutError", email_retry_at=timezone.now())
    note(outsider, "别楼的通知", email_attempts=5, email_error="x", email_failed_at=timezone.now())
    note(admin_user, "已发出", emailed_at=timezone.now())
    body = admin_client.get(reverse("job_list")).content.decode()
    start = body.index('data-testid="email-problems"')
    section = body[start : body.index("</section>", start)]
    assert "未发出的邮件" in section and "换届提醒" in section and "SMTPRecipientsRefused: x" in section
    assert "党费提醒" in section and "将重试" in section and "已尝试 5 次" in section
    assert "别楼的通知" not in body and "已发出" not in section


def test_the_platform_operator_sees_every_buildings_failed_emails(client, outsider):
    note(outsider, "别楼的通知", email_attempts=5, email_error="x", email_failed_at=timezone.now())
    client.force_login(UserFactory(username="root", role="member", building=None, is_superuser=True))
    assert "别楼的通知" in client.get(reverse("job_list")).content.decode()


def test_no_email_section_when_all_went_out(admin_client, admin_user):
    note(admin_user, emailed_at=timezone.now())
    assert 'data-testid="email-problems"' not in admin_client.get(reverse("job_list")).content.decode()


@pytest.mark.parametrize("persona", ["secretary_a", "member_user", "street_user"])
def test_others_do_not_see_the_failed_emails(login_as, request, persona):
    assert login_as(request.getfixturevalue(persona)).get(reverse("job_list")).status_code == 403


# --- stored plain, escaped once ----------------------------------------------------------------------------------


def test_a_notification_with_markup_is_stored_plain_and_shown_escaped_once(admin_client, admin_user):
    request = SimpleNamespace(
        title="<b>A&B</b>",
        category=SimpleNamespace(name="法律&咨询"),
        requester=SimpleNamespace(display_name="O'Neil"),
        due_at=timezone.now(),
    )
    [row] = notify(users=[admin_user], event="request_submitted", context={"request": request})
    assert "<b>A&B</b>" in row.title and "法律&咨询" in row.title and "O'Neil" in row.body
    body = admin_client.get(reverse("notification_list")).content.decode()
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in body and "法律&amp;咨询" in body
    assert "&amp;lt;" not in body and "&amp;amp;" not in body and "&amp;#x27;" not in body
    assert "<b>A&B</b>" not in body


def test_the_email_of_such_a_notification_is_plain_text(admin_user, django_capture_on_commit_callbacks):
    request = SimpleNamespace(
        title="<b>A&B</b>",
        category=SimpleNamespace(name="法律咨询"),
        requester=SimpleNamespace(display_name="O'Neil"),
        due_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[admin_user], event="request_submitted", context={"request": request})
    assert "<b>A&B</b>" in mail.outbox[0].subject and "O'Neil" in mail.outbox[0].body


def test_the_migration_unescapes_rows_stored_escaped_and_leaves_plain_ones(admin_user):
    from importlib import import_module

    migration = import_module("buildingparty.migrations.0010_guards_unescape_notifications")
    escaped = Notification.objects.create(
        user=admin_user, event="request_submitted", title="新的服务申请：&lt;b&gt;A&amp;B", body="O&#x27;Neil 申请"
    )
    plain = Notification.objects.create(user=admin_user, event="meeting_reminder", title="A&amp;B 会议", body="")
    migration.unescape_texts(apps, None)
    escaped.refresh_from_db()
    plain.refresh_from_db()
    assert (escaped.title, escaped.body) == ("新的服务申请：<b>A&B", "O'Neil 申请")
    assert plain.title == "A&amp;B 会议"  # its template never escaped: a typed "&amp;" stays


def test_a_building_admin_of_elsewhere_sees_none_of_ours(login_as, secretary_a):
    note(secretary_a, "ZZ邮件未达", email_attempts=5, email_error="x", email_failed_at=timezone.now())
    other = BuildingFactory(name="别的大厦")
    client = login_as(UserFactory(username="other_admin", role="admin", building=other))
    assert "ZZ邮件未达" not in client.get(reverse("job_list")).content.decode()
