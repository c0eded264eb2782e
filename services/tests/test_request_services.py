"""The request rules: the status flow and who may take each step, due times in Chinese working days, routing,
notifications, and the default categories."""

import datetime
import zoneinfo

import chinese_calendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from buildingparty.models import Notification
from services import services
from services.categories import default_categories, ensure_default_categories
from services.models import RequestEvent, ServiceCategory, ServiceRequest
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
Status = ServiceRequest.Status


@pytest.fixture
def categories(building):
    ensure_default_categories(building)
    return {c.code: c for c in ServiceCategory.objects.filter(building=building)}


def submit(category, user, **kwargs):
    return services.request_submit(
        category=category,
        requester=user,
        title=kwargs.pop("title", "请帮忙咨询劳动合同问题"),
        description=kwargs.pop("description", "公司拟变更劳动合同，想了解权益。"),
        member=getattr(user, "member", None),
        **kwargs,
    )


@pytest.fixture
def legal_request(categories, member_user, secretary_a):
    return submit(categories["legal-advice"], member_user)


# --- the status flow ----------------------------------------------------------------------------------------


def test_a_request_goes_from_submitted_to_closed_step_by_step(legal_request, secretary_a):
    for step, status in [("accept", Status.ACCEPTED), ("start", Status.IN_PROGRESS), ("resolve", Status.RESOLVED)]:
        legal_request = services.request_step(request=legal_request, step=step, by=secretary_a)
        assert legal_request.status == status
    legal_request = services.request_step(request=legal_request, step="close", by=secretary_a)
    assert legal_request.status == Status.CLOSED
    assert legal_request.accepted_at and legal_request.resolved_at and legal_request.closed_at
    statuses = list(legal_request.events.filter(kind="status").values_list("to_status", flat=True))
    assert statuses == ["submitted", "accepted", "in_progress", "resolved", "closed"]


def test_a_submitted_request_cannot_be_resolved_without_being_accepted(legal_request, secretary_a):
    with pytest.raises(ValidationError):
        services.request_step(request=legal_request, step="resolve", by=secretary_a)
    legal_request.refresh_from_db()
    assert legal_request.status == Status.SUBMITTED


def test_a_closed_request_cannot_be_reopened_or_withdrawn(legal_request, secretary_a, member_user):
    services.request_step(request=legal_request, step="accept", by=secretary_a)
    services.request_step(request=legal_request, step="resolve", by=secretary_a)
    services.request_step(request=legal_request, step="close", by=secretary_a)
    for step, by in [("accept", secretary_a), ("resolve", secretary_a), ("withdraw", member_user)]:
        with pytest.raises(ValidationError):
            services.request_step(request=legal_request, step=step, by=by)


def test_the_requester_cannot_accept_their_own_request(legal_request, member_user):
    with pytest.raises(PermissionDenied):
        services.request_step(request=legal_request, step="accept", by=member_user)


def test_another_branch_secretary_cannot_resolve(legal_request, secretary_a, secretary_b):
    services.request_step(request=legal_request, step="accept", by=secretary_a)
    with pytest.raises(PermissionDenied):
        services.request_step(request=legal_request, step="resolve", by=secretary_b)


def test_the_handler_cannot_withdraw_the_requesters_request(legal_request, secretary_a):
    with pytest.raises(PermissionDenied):
        services.request_step(request=legal_request, step="withdraw", by=secretary_a)


def test_the_requester_can_withdraw_an_open_request(legal_request, member_user):
    legal_request = services.request_step(request=legal_request, step="withdraw", by=member_user)
    assert legal_request.status == Status.WITHDRAWN


def test_rejecting_needs_a_reason(legal_request, secretary_a):
    with pytest.raises(ValidationError) as error:
        services.request_step(request=legal_request, step="reject", by=secretary_a, note="  ")
    assert "note" in error.value.error_dict
    legal_request = services.request_step(request=legal_request, step="reject", by=secretary_a, note="不属于服务范围")
    assert legal_request.status == Status.REJECTED and legal_request.reject_reason == "不属于服务范围"


def test_a_request_is_rated_once_after_it_is_resolved(legal_request, secretary_a, member_user):
    with pytest.raises(ValidationError):
        services.request_rate(request=legal_request, by=member_user, rating=5)
    services.request_step(request=legal_request, step="accept", by=secretary_a)
    services.request_step(request=legal_request, step="resolve", by=secretary_a)
    with pytest.raises(PermissionDenied):
        services.request_rate(request=legal_request, by=secretary_a, rating=5)
    legal_request = services.request_rate(request=legal_request, by=member_user, rating=5, feedback="很及时")
    assert (legal_request.status, legal_request.rating) == (Status.CLOSED, 5)
    with pytest.raises(ValidationError):
        services.request_rate(request=legal_request, by=member_user, rating=4)


# --- due time in working days -------------------------------------------------------------------------------


def test_five_working_days_from_the_eve_of_national_day_end_on_13_october(categories, member_user, secretary_a):
    # chinese_calendar: 1–7 October 2026 off, 10 October (a Saturday) a make-up workday, 11 October off.
    assert not chinese_calendar.is_workday(datetime.date(2026, 10, 7))
    assert chinese_calendar.is_workday(datetime.date(2026, 10, 10))
    assert not chinese_calendar.is_workday(datetime.date(2026, 10, 11))
    submitted = datetime.datetime(2026, 9, 30, 15, 20, tzinfo=SHANGHAI)

    request = submit(categories["legal-advice"], member_user, now=submitted)

    assert request.due_at == datetime.datetime(2026, 10, 13, 15, 20, tzinfo=SHANGHAI)
    assert request.is_overdue(datetime.datetime(2026, 10, 13, 15, 21, tzinfo=SHANGHAI))
    assert not request.is_overdue(datetime.datetime(2026, 10, 13, 15, 19, tzinfo=SHANGHAI))


# --- routing ------------------------------------------------------------------------------------------------


def test_a_secretary_category_goes_to_the_members_branch_secretary(legal_request, secretary_a, secretary_b):
    assert legal_request.assigned_to == secretary_a
    assert legal_request.organization == secretary_a.organization


def test_a_group_members_request_goes_to_the_secretary_of_the_groups_branch(categories, group_a, secretary_a):
    user = UserFactory(username="group_member", role="member", building=group_a.building)
    MemberFactory(organization=group_a, user=user)

    request = submit(categories["hardship"], user)

    assert request.assigned_to == secretary_a
    assert request.organization == group_a
    assert ServiceRequest.objects.for_user(secretary_a).filter(pk=request.pk).exists()


def test_an_admins_category_waits_for_any_admin_of_the_building(categories, member_user, admin_user, secretary_a):
    request = submit(categories["study-materials"], member_user)
    assert request.assigned_to is None
    assert Notification.objects.filter(user=admin_user, event="request_submitted").exists()
    request = services.request_step(request=request, step="accept", by=admin_user)
    assert request.assigned_to == admin_user


def test_reassigning_hands_the_request_to_another_handler(legal_request, secretary_a, admin_user, secretary_b):
    services.request_assign(request=legal_request, to=admin_user, by=secretary_a)
    legal_request.refresh_from_db()
    assert legal_request.assigned_to == admin_user
    assert not legal_request.events.get(kind="assigned").public
    with pytest.raises(PermissionDenied):
        services.request_assign(request=legal_request, to=secretary_b, by=secretary_b)


# --- notifications ------------------------------------------------------------------------------------------


def test_submitting_notifies_and_emails_the_handler_after_commit(
    categories, member_user, secretary_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request = submit(categories["legal-advice"], member_user)
        assert mail.outbox == []  # nothing is emailed before the request is committed
    assert callbacks
    for callback in callbacks:
        callback()
    note = Notification.objects.get(user=secretary_a)
    assert note.event == "request_submitted" and note.url == request.get_absolute_url()
    assert [m.to for m in mail.outbox] == [[secretary_a.email]]
    assert request.title in mail.outbox[0].subject


def test_status_changes_and_public_comments_notify_the_requester_but_internal_notes_do_not(
    legal_request, member_user, secretary_a, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_step(request=legal_request, step="accept", by=secretary_a)
    assert Notification.objects.filter(user=member_user, event="request_status").count() == 1
    assert [m.to for m in mail.outbox] == [[member_user.email]]

    with django_capture_on_commit_callbacks(execute=True):
        services.request_comment(request=legal_request, by=secretary_a, text="已联系律师", public=True)
    assert Notification.objects.filter(user=member_user, event="request_comment").count() == 1
    assert len(mail.outbox) == 2

    with django_capture_on_commit_callbacks(execute=True):
        event = services.request_comment(request=legal_request, by=secretary_a, text="律师下周才有空", public=False)
    assert not event.public
    assert Notification.objects.filter(user=member_user, event="request_comment").count() == 1
    assert len(mail.outbox) == 2


def test_a_requesters_comment_is_always_public_and_reaches_the_handler(legal_request, member_user, secretary_a):
    event = services.request_comment(request=legal_request, by=member_user, text="补充材料已上传", public=False)
    assert event.public
    assert Notification.objects.filter(user=secretary_a, event="request_comment").exists()


def test_nobody_else_can_comment(legal_request, secretary_b):
    with pytest.raises(PermissionDenied):
        services.request_comment(request=legal_request, by=secretary_b, text="?")
    assert not RequestEvent.objects.filter(kind="comment").exists()


# --- default categories -------------------------------------------------------------------------------------


def test_the_default_categories_are_those_of_the_issue(building):
    created = ensure_default_categories(building)
    assert created == len(default_categories()) == 16
    members = ServiceCategory.objects.filter(building=building, audience="members")
    enterprises = ServiceCategory.objects.filter(building=building, audience="enterprises")
    assert members.count() == 10 and enterprises.count() == 6
    transfer = members.get(is_transfer=True)
    assert (transfer.name, transfer.handler_kind, transfer.limit_days) == ("组织关系接转", "secretary", 5)
    assert members.get(name="学习资料借阅").limit_days == 3
    assert set(enterprises.values_list("handler_kind", flat=True)) == {"admins"}
    assert all(code.isascii() for code in ServiceCategory.objects.values_list("code", flat=True))


def test_ensuring_the_default_categories_twice_keeps_an_admins_edits(building):
    ensure_default_categories(building)
    ServiceCategory.objects.filter(code="legal-advice").update(limit_days=7, active=False)
    assert ensure_default_categories(building) == 0
    legal = ServiceCategory.objects.get(code="legal-advice")
    assert (legal.limit_days, legal.active) == (7, False)
