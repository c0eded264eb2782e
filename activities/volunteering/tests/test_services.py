"""Volunteering's rules: the waiting list, skills matching on publishing, cancelling, the activity room and the record
after the event."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from activities.rooms import services as rooms
from activities.rooms.models import RoomBooking
from activities.volunteering import selectors, services
from activities.volunteering.models import Activity, Signup, split_skills
from buildingparty.models import Notification
from members.models import Member
from tests.concurrency import at_the_same_moment
from tests.factories import MemberFactory, OrganizationFactory, UserFactory

from .factories import RoomFactory, begun, draft, members, published, sign_up, soon

pytestmark = pytest.mark.django_db

Status = Signup.Status


def member_with_account(organization, **values) -> Member:
    user = UserFactory(role="member", building=organization.building)
    return MemberFactory(organization=organization, user=user, **values)


def places(activity) -> list[tuple[str, str, int | None]]:
    return [
        (s.member.name, s.status, s.position)
        for s in Signup.objects.filter(activity=activity).select_related("member").order_by("signed_up_at", "pk")
    ]


# --- the waiting list ---------------------------------------------------------------------------------------


def test_signing_up_takes_a_place_until_it_is_full_then_waits_in_order(building, branch_a):
    activity = published(building, capacity=2)
    first, second, third, fourth = members(branch_a, 4)

    for member in (first, second, third, fourth):
        sign_up(activity, member)

    assert places(activity) == [
        (first.name, Status.SIGNED_UP, None),
        (second.name, Status.SIGNED_UP, None),
        (third.name, Status.WAITING, 1),
        (fourth.name, Status.WAITING, 2),
    ]


def test_an_activity_without_a_limit_is_never_full(building, branch_a):
    activity = published(building, capacity=None)
    for member in members(branch_a, 5):
        assert sign_up(activity, member).status == Status.SIGNED_UP


def test_a_withdrawal_moves_the_first_waiting_member_up_and_tells_her(building, branch_a):
    activity = published(building, capacity=1)
    seated = member_with_account(branch_a)
    waiting_first = member_with_account(branch_a)
    waiting_second = member_with_account(branch_a)
    own = sign_up(activity, seated)
    sign_up(activity, waiting_first)
    sign_up(activity, waiting_second)

    services.signup_withdraw(signup=own, by=seated.user)

    assert places(activity) == [
        (seated.name, Status.WITHDRAWN, None),
        (waiting_first.name, Status.SIGNED_UP, None),
        (waiting_second.name, Status.WAITING, 1),
    ]
    told = Notification.objects.get(user=waiting_first.user)
    assert told.event == "volunteering_promoted" and activity.title in told.title
    assert told.url == activity.get_absolute_url()
    assert not Notification.objects.filter(user=waiting_second.user).exists()


def test_leaving_the_waiting_list_closes_the_gap_behind(building, branch_a):
    activity = published(building, capacity=1)
    seated, first, second, third = members(branch_a, 4)
    for member in (seated, first, second, third):
        sign_up(activity, member)

    services.signup_withdraw(signup=Signup.objects.get(member=first), by=None)

    assert [(s.member_id, s.position) for s in selectors.waiting_list(activity)] == [(second.pk, 1), (third.pk, 2)]
    assert Signup.objects.get(member=seated).status == Status.SIGNED_UP


def test_a_member_who_withdrew_may_sign_up_again_at_the_back(building, branch_a):
    activity = published(building, capacity=1)
    first, second = members(branch_a, 2)
    own = sign_up(activity, first)
    services.signup_withdraw(signup=own, by=None)
    sign_up(activity, second)

    again = sign_up(activity, first)

    assert again.pk == own.pk and again.status == Status.WAITING and again.position == 1


def test_signing_up_twice_is_refused(building, branch_a):
    activity = published(building)
    member = MemberFactory(organization=branch_a)
    sign_up(activity, member)
    with pytest.raises(ValidationError, match="已报名"):
        sign_up(activity, member)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"status": Activity.Status.DRAFT}, "未开放报名"),
        ({"status": Activity.Status.CANCELLED, "cancel_reason": "台风"}, "已取消"),
        ({"starts_at": "past"}, "已开始"),
    ],
)
def test_signing_up_needs_a_published_activity_that_has_not_begun(building, branch_a, change, message):
    activity = published(building)
    if change.get("starts_at") == "past":
        begun(activity)
    else:
        Activity.objects.filter(pk=activity.pk).update(**change)
    with pytest.raises(ValidationError, match=message):
        sign_up(activity, MemberFactory(organization=branch_a))


def test_another_buildings_member_and_a_member_away_cannot_sign_up(building, branch_a):
    activity = published(building)
    elsewhere = OrganizationFactory(name="别处支部")
    with pytest.raises(ValidationError, match="其他楼宇"):
        sign_up(activity, MemberFactory(organization=elsewhere))
    with pytest.raises(ValidationError, match="正常"):
        sign_up(activity, MemberFactory(organization=branch_a, whereabouts=Member.Whereabouts.TRANSFERRED_OUT))


def test_withdrawing_after_the_start_is_refused(building, branch_a):
    activity = published(building)
    own = sign_up(activity, MemberFactory(organization=branch_a))
    begun(activity)
    with pytest.raises(ValidationError, match="已开始"):
        services.signup_withdraw(signup=own, by=None)
    assert Signup.objects.get(pk=own.pk).status == Status.SIGNED_UP


def test_more_places_move_the_waiting_members_up(building, branch_a):
    activity = published(building, capacity=1)
    first, second, third = (member_with_account(branch_a) for _ in range(3))
    for member in (first, second, third):
        sign_up(activity, member)

    services.activity_update(
        activity=activity,
        by=None,
        title=activity.title,
        kind=activity.kind,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        place=activity.place,
        capacity=2,
    )

    assert [s[1:] for s in places(activity)] == [
        (Status.SIGNED_UP, None),
        (Status.SIGNED_UP, None),
        (Status.WAITING, 1),
    ]
    assert Notification.objects.filter(user=second.user, event="volunteering_promoted").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_members_signing_up_for_the_last_place_at_the_same_moment_one_gets_it_one_waits():
    organization = OrganizationFactory()
    activity = published(organization.building, capacity=1)
    first, second = members(organization, 2)

    outcomes = at_the_same_moment(lambda: sign_up(activity, first), lambda: sign_up(activity, second))

    assert [o.error for o in outcomes] == [None, None]
    assert sorted((o.result.status, o.result.position) for o in outcomes) == [
        (Status.SIGNED_UP, None),
        (Status.WAITING, 1),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_withdrawals_at_the_same_moment_move_up_two_waiting_members_in_order():
    organization = OrganizationFactory()
    activity = published(organization.building, capacity=2)
    people = members(organization, 5)
    signups = [sign_up(activity, m) for m in people]

    outcomes = at_the_same_moment(
        lambda: services.signup_withdraw(signup=signups[0], by=None),
        lambda: services.signup_withdraw(signup=signups[1], by=None),
    )

    assert [o.error for o in outcomes] == [None, None]
    assert [(s.status, s.position) for s in Signup.objects.filter(activity=activity).order_by("pk")][2:] == [
        (Status.SIGNED_UP, None),
        (Status.SIGNED_UP, None),
        (Status.WAITING, 1),
    ]


# --- skills -------------------------------------------------------------------------------------------------


def test_skills_are_read_as_people_type_them():
    assert split_skills("法律咨询，急救、 摄影; 法律咨询,英语翻译") == ["法律咨询", "急救", "摄影", "英语翻译"]


def test_publishing_tells_the_members_whose_skills_match_once(building, branch_a, branch_b):
    lawyer = member_with_account(branch_a, skills="法律咨询")
    first_aider = member_with_account(branch_b, skills="急救（红十字会救护员证）、摄影")
    accountant = member_with_account(branch_a, skills="财务会计")
    away = member_with_account(branch_a, skills="急救", whereabouts=Member.Whereabouts.TRANSFERRED_OUT)
    elsewhere = member_with_account(OrganizationFactory(name="别处支部"), skills="急救")
    activity = draft(building, skills_wanted="法律咨询，急救")

    assert set(selectors.matching_members(activity)) == {lawyer, first_aider}
    activity, told = services.activity_publish(activity=activity, by=None)

    assert told == 2 and activity.status == Activity.Status.PUBLISHED and activity.published_at
    notes = Notification.objects.filter(event="volunteering_suggested")
    assert {n.user_id for n in notes} == {lawyer.user_id, first_aider.user_id}
    assert all(activity.title in n.title for n in notes)
    assert not Notification.objects.filter(user__in=[accountant.user, away.user, elsewhere.user]).exists()
    with pytest.raises(ValidationError):
        services.activity_publish(activity=activity, by=None)
    assert notes.count() == 2


def test_an_activity_wanting_no_skill_tells_nobody_when_published(building, branch_a):
    member_with_account(branch_a, skills="法律咨询")
    _activity, told = services.activity_publish(activity=draft(building), by=None)
    assert told == 0 and not Notification.objects.exists()


def test_an_activity_that_has_begun_cannot_be_published(building):
    activity = begun(draft(building))
    with pytest.raises(ValidationError, match="已开始"):
        services.activity_publish(activity=activity, by=None)


# --- the activity room --------------------------------------------------------------------------------------


def test_placing_an_activity_in_a_room_books_the_room_under_the_activitys_name(building, admin_user):
    room = RoomFactory(building=building)
    activity = draft(building, room=room, by=admin_user, place="")

    booking = activity.room_booking
    assert booking.room == room and booking.source == f"volunteering.activity:{activity.pk}"
    assert (booking.starts_at, booking.ends_at) == (activity.starts_at, activity.ends_at)
    assert booking.title == activity.title and booking.booked_by == admin_user
    assert activity.place == "中央大厦3楼党支部活动室"


def test_a_room_already_booked_is_refused_with_the_rooms_message_next_to_the_room(building, admin_user):
    room = RoomFactory(building=building)
    rooms.booking_create(
        room=room, starts_at=soon(3, 10), ends_at=soon(3, 12), title="党务联络员工作例会", by=admin_user
    )

    with pytest.raises(ValidationError) as refused:
        draft(building, room=room, starts_at=soon(3, 9), ends_at=soon(3, 11), by=admin_user)

    assert list(refused.value.message_dict) == ["room"]
    assert "党支部活动室" in refused.value.message_dict["room"][0]
    assert "党务联络员工作例会" in refused.value.message_dict["room"][0]
    assert not Activity.objects.exists()


def test_moving_an_activity_rebooks_its_room_and_cancelling_releases_it(building, admin_user, branch_a):
    room = RoomFactory(building=building)
    activity = published(building, room=room, by=admin_user, capacity=5)
    old = activity.room_booking
    volunteer = member_with_account(branch_a)
    sign_up(activity, volunteer)

    activity = services.activity_update(
        activity=activity,
        by=admin_user,
        title=activity.title,
        kind=activity.kind,
        starts_at=soon(4, 14),
        ends_at=soon(4, 16),
        room=room,
        capacity=5,
    )

    old.refresh_from_db()
    assert old.is_cancelled
    assert (activity.room_booking.starts_at, activity.room_booking.is_cancelled) == (soon(4, 14), False)
    assert Notification.objects.filter(user=volunteer.user, event="volunteering_changed").count() == 1

    services.activity_cancel(activity=activity, by=admin_user, reason="台风预警，活动取消")

    assert RoomBooking.objects.active().filter(room=room).count() == 0
    assert Notification.objects.filter(user=volunteer.user, event="volunteering_cancelled").count() == 1


def test_another_buildings_room_is_refused(building):
    room = RoomFactory(building=OrganizationFactory(name="别处支部").building, name="别处活动室")
    with pytest.raises(ValidationError) as refused:
        draft(building, room=room)
    assert "room" in refused.value.message_dict


# --- cancelling ---------------------------------------------------------------------------------------------


def test_cancelling_tells_those_signed_up_and_waiting_once_and_needs_a_reason(building, branch_a):
    activity = published(building, capacity=1)
    seated, waiting, withdrawn = (member_with_account(branch_a) for _ in range(3))
    for member in (withdrawn, seated, waiting):
        sign_up(activity, member)
    services.signup_withdraw(signup=Signup.objects.get(member=withdrawn), by=None)
    Notification.objects.all().delete()

    with pytest.raises(ValidationError):
        services.activity_cancel(activity=activity, by=None, reason=" ")
    services.activity_cancel(activity=activity, by=None, reason="场地临时被征用")

    assert {n.user_id for n in Notification.objects.filter(event="volunteering_cancelled")} == {
        seated.user_id,
        waiting.user_id,
    }
    with pytest.raises(ValidationError):
        services.activity_cancel(activity=activity, by=None, reason="再次取消")


# --- after the event ----------------------------------------------------------------------------------------


def test_recording_keeps_who_came_with_hours_and_marks_the_activity_done(building, branch_a, secretary_a):
    activity = published(building, capacity=3, starts_at=soon(3, 9), ends_at=soon(3, 11))
    came, stayed_away, by_qr = members(branch_a, 3)
    for member in (came, stayed_away, by_qr):
        sign_up(activity, member)
    begun(activity, hours_ago=3)
    qr = Signup.objects.get(member=by_qr)
    Signup.objects.filter(pk=qr.pk).update(
        status=Status.ATTENDED, method=Signup.Method.QR, checked_in_at=timezone.now()
    )
    rows = {
        Signup.objects.get(member=came).pk: ("attended", Decimal("1.5")),
        Signup.objects.get(member=stayed_away).pk: ("no_show", Decimal("2")),
        qr.pk: ("attended", None),
    }

    activity, changed = services.activity_record(activity=activity, by=secretary_a, rows=rows, summary="清理垃圾8袋")

    assert activity.status == Activity.Status.DONE and activity.summary == "清理垃圾8袋"
    assert activity.done_recorded_by == secretary_a
    recorded = {s.member_id: (s.status, s.hours, s.method) for s in Signup.objects.filter(activity=activity)}
    assert recorded == {
        came.pk: (Status.ATTENDED, Decimal("1.5"), Signup.Method.ORGANISER),
        stayed_away.pk: (Status.NO_SHOW, None, Signup.Method.ORGANISER),
        by_qr.pk: (Status.ATTENDED, Decimal("2.0"), Signup.Method.QR),
    }
    assert changed == 3


def test_an_activity_is_recorded_only_once_it_has_begun_and_with_a_summary(building):
    activity = published(building)
    with pytest.raises(ValidationError, match="尚未开始"):
        services.activity_record(activity=activity, by=None, rows={}, summary="小结")
    begun(activity)
    with pytest.raises(ValidationError) as refused:
        services.activity_record(activity=activity, by=None, rows={}, summary=" ")
    assert "summary" in refused.value.message_dict


def test_the_activitys_length_is_counted_to_the_half_hour():
    start = soon(1, 9)
    assert Activity(starts_at=start, ends_at=start + datetime.timedelta(minutes=150)).hours == Decimal("2.5")
    assert Activity(starts_at=start, ends_at=start + datetime.timedelta(minutes=100)).hours == Decimal("1.5")
    assert Activity(starts_at=start, ends_at=start + datetime.timedelta(minutes=10)).hours == Decimal("0.5")
