"""In-app notifications and their emails: the service, the after-commit email, the due-time sweep running twice,
the bell and the pages under it."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from buildingparty.models import Notification
from buildingparty.notifications import notify, unread_count
from buildingparty.services import email_notifications
from tests.factories import UserFactory

EVENT = "request_overdue"


class FakeRequest:
    title = "电梯维修"
    due_at = timezone.make_aware(datetime.datetime(2026, 3, 2, 17, 0))


def note(user, n=0, **kwargs):
    defaults = {"event": EVENT, "title": f"通知{n}", "body": "正文", "url": "/services/"}
    return Notification.objects.create(user=user, **{**defaults, **kwargs})


# --- the service ---------------------------------------------------------------------------------------------


def test_notify_writes_one_per_distinct_active_user(
    admin_user, secretary_a, member_user, django_capture_on_commit_callbacks
):
    member_user.is_active = False
    member_user.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks():
        made = notify(
            users=[admin_user, secretary_a, admin_user, None, member_user],
            event=EVENT,
            context={"request": FakeRequest()},
        )
    assert sorted(n.user_id for n in made) == sorted([admin_user.pk, secretary_a.pk])
    assert Notification.objects.count() == 2
    row = Notification.objects.get(user=admin_user)
    assert "电梯维修" in row.title and row.body  # the first line of the template is the title, the rest the text


def test_a_dedupe_key_notifies_once(admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(users=[admin_user], event=EVENT, context={"request": FakeRequest()}, dedupe_key="k:1")
    with django_capture_on_commit_callbacks(execute=True):
        second = notify(users=[admin_user], event=EVENT, context={"request": FakeRequest()}, dedupe_key="k:1")
    assert len(first) == 1 and second == []
    assert Notification.objects.filter(user=admin_user, dedupe_key="k:1").count() == 1
    assert len(mail.outbox) == 1


def test_the_email_goes_only_after_commit(admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        notify(users=[admin_user], event=EVENT, context={"request": FakeRequest()}, url="/services/1/")
        assert mail.outbox == []
    assert mail.outbox == [] and len(callbacks) == 1
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [admin_user.email] and "电梯维修" in message.subject
    assert message.body.rstrip().endswith("/services/1/")
    assert Notification.objects.get(user=admin_user).emailed_at is not None


def test_no_email_to_users_who_switched_it_off_but_still_a_notification(
    admin_user, secretary_a, django_capture_on_commit_callbacks
):
    admin_user.email_notifications = False
    admin_user.save(update_fields=["email_notifications"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[admin_user, secretary_a], event=EVENT, context={"request": FakeRequest()})
    assert [m.to for m in mail.outbox] == [[secretary_a.email]]
    switched_off = Notification.objects.get(user=admin_user)
    assert switched_off.read_at is None
    assert switched_off.emailed_at is not None  # settled: not retried
    assert email_notifications(ids=[switched_off.pk]) == 0 and len(mail.outbox) == 1


def test_no_email_to_users_without_an_address(building, django_capture_on_commit_callbacks):
    user = UserFactory(username="no_mail", role="admin", building=building, email="")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[user], event=EVENT, context={"request": FakeRequest()})
    assert mail.outbox == [] and Notification.objects.get(user=user).emailed_at is not None


def test_sending_twice_emails_once(admin_user):
    row = note(admin_user)
    assert email_notifications(ids=[row.pk, row.pk]) == 1
    assert email_notifications(ids=[row.pk]) == 0
    assert len(mail.outbox) == 1


def test_the_task_sends_the_emails(admin_user):
    from buildingparty.tasks import send_notification_emails

    row = note(admin_user)
    send_notification_emails.delay([row.pk])
    send_notification_emails.delay([row.pk])
    assert len(mail.outbox) == 1


# --- the due-time sweep --------------------------------------------------------------------------------------


@pytest.fixture
def overdue_request(building, admin_user, secretary_a, member_user):
    from services.models import ServiceCategory
    from services.services import request_submit

    category = ServiceCategory.objects.create(
        building=building,
        code="repair",
        name="报修",
        audience=ServiceCategory.Audience.MEMBERS,
        handler_kind=ServiceCategory.Handler.NAMED,
        handler=secretary_a,
        limit_days=1,
    )
    past = timezone.now() - datetime.timedelta(days=30)
    return request_submit(
        category=category, requester=member_user, title="电梯维修", description="三号梯异响", now=past
    )


def test_sweep_due_twice_notifies_once_per_request_and_occasion(
    overdue_request, admin_user, secretary_a, django_capture_on_commit_callbacks
):
    from services.services import sweep_due

    assert overdue_request.due_at < timezone.now()
    before = Notification.objects.count()  # the submission told the handler
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = sweep_due()
    with django_capture_on_commit_callbacks(execute=True):
        second = sweep_due()
    assert first["overdue"] == 2 and second == {"due_soon": 0, "overdue": 0}
    overdue = Notification.objects.filter(event="request_overdue")
    assert sorted(overdue.values_list("user_id", flat=True)) == sorted([secretary_a.pk, admin_user.pk])
    assert set(overdue.values_list("dedupe_key", flat=True)) == {f"request:{overdue_request.pk}:overdue"}
    assert Notification.objects.count() == before + 2
    assert len(mail.outbox) == 2


# --- the pages -----------------------------------------------------------------------------------------------


LIST = reverse("notification_list")
SETTINGS = reverse("notification_settings")
READ_ALL = reverse("notification_read_all")


@pytest.mark.parametrize(
    "persona", ["admin_user", "secretary_a", "member_user", "liaison_user", "contact_user", "street_user"]
)
def test_every_role_sees_only_its_own_notifications(request, persona, login_as, outsider):
    user = request.getfixturevalue(persona)
    note(user, title="给我的")
    note(outsider, title="给别人的")
    response = login_as(user).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "给我的" in body and "给别人的" not in body
    assert login_as(user).get(SETTINGS).status_code == 200


@pytest.mark.parametrize("url", [LIST, SETTINGS, READ_ALL, "/notifications/1/read/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_list_is_newest_first_unread_bold_and_paginated(member_client, member_user):
    now = timezone.now()
    for n in range(25):
        note(member_user, n, created_at=now - datetime.timedelta(minutes=n), read_at=now if n % 2 else None)
    response = member_client.get(LIST)
    page = response.context["page"]
    assert [n.title for n in page] == [f"通知{n}" for n in range(20)]
    assert page.paginator.num_pages == 2
    body = response.content.decode()
    assert body.count('data-unread="true"') == 10 and body.count('data-unread="false"') == 10
    assert "fw-bold" in body
    assert [n.title for n in member_client.get(LIST, {"page": 2}).context["page"]] == [
        f"通知{n}" for n in range(20, 25)
    ]


def test_the_list_runs_a_fixed_number_of_queries(member_client, member_user, django_assert_max_num_queries):
    note(member_user)
    with django_assert_max_num_queries(20) as few:
        member_client.get(LIST)
    for n in range(30):
        note(member_user, n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        member_client.get(LIST)


def test_marking_one_read_goes_to_its_link(member_client, member_user):
    row = note(member_user, url="/services/7/")
    response = member_client.post(reverse("notification_read", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == "/services/7/"
    row.refresh_from_db()
    assert row.read_at is not None
    first = row.read_at
    member_client.post(reverse("notification_read", args=[row.pk]))
    row.refresh_from_db()
    assert row.read_at == first  # the first reading counts


def test_marking_one_read_without_a_safe_link_returns_to_the_list(member_client, member_user):
    for url in ("", "https://evil.example/"):
        row = note(member_user, url=url)
        response = member_client.post(reverse("notification_read", args=[row.pk]))
        assert response["Location"] == LIST


def test_marking_read_is_post_only(member_client, member_user):
    row = note(member_user)
    assert member_client.get(reverse("notification_read", args=[row.pk])).status_code == 405
    assert member_client.get(READ_ALL).status_code == 405
    row.refresh_from_db()
    assert row.read_at is None


def test_someone_elses_notification_is_a_404(member_client, secretary_a):
    theirs = note(secretary_a)
    assert member_client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_ones_own(member_client, member_user, secretary_a):
    for n in range(3):
        note(member_user, n)
    theirs = note(secretary_a)
    response = member_client.post(READ_ALL)
    assert response.status_code == 302 and response["Location"] == LIST
    assert unread_count(member_user) == 0
    assert unread_count(secretary_a) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_email_switch(member_client, member_user):
    response = member_client.get(SETTINGS)
    assert response.context["form"].initial["email_notifications"] is True
    response = member_client.post(SETTINGS, {})  # an unchecked box sends nothing
    assert response.status_code == 302 and response["Location"] == SETTINGS
    member_user.refresh_from_db()
    assert member_user.email_notifications is False
    assert "checked" not in member_client.get(SETTINGS).content.decode().split('role="switch"')[1].split(">")[0]
    member_client.post(SETTINGS, {"email_notifications": "on"})
    member_user.refresh_from_db()
    assert member_user.email_notifications is True


# --- the bell ------------------------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count(member_client, member_user, secretary_a):
    for n in range(3):
        note(member_user, n)
    note(member_user, 9, read_at=timezone.now())
    note(secretary_a)
    response = member_client.get(reverse("home"))
    assert response.context["unread_notifications"] == 3
    body = response.content.decode()
    assert 'data-testid="notification-bell"' in body and 'data-testid="notification-bell-mobile"' in body
    assert body.count('data-testid="bell-count">3</span>') == 2
    assert "通知：3 条未读" in body or "Notifications: 3 unread" in body
    assert body.index('data-testid="notification-bell"') < body.index('data-testid="user-menu"')


def test_the_bell_without_unread_has_no_badge(member_client, member_user):
    body = member_client.get(reverse("home")).content.decode()
    assert 'data-testid="notification-bell"' in body and 'data-testid="bell-count"' not in body


def test_the_count_costs_one_query(rf, member_user, django_assert_num_queries):
    from buildingparty.context_processors import notification_count

    note(member_user)
    request = rf.get("/")
    request.user = member_user
    with django_assert_num_queries(1):
        assert notification_count(request) == {"unread_notifications": 1}


def test_no_count_and_no_query_for_anonymous_visitors(rf, db, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from buildingparty.context_processors import notification_count

    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert notification_count(request) == {}
