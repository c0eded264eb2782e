"""Volunteering pages: the list, 我的志愿服务, drafting, changing, publishing and cancelling, the detail, 报名 and
取消报名, the record after the event and photos, and who may open each."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities.rooms import services as rooms
from activities.volunteering import services
from activities.volunteering.models import Activity, ActivityPhoto, Signup
from buildingparty.models import Notification
from tests.factories import BuildingFactory, MemberFactory, UserFactory

from .factories import PNG, ActivityFactory, RoomFactory, begun, draft, members, published, sign_up, soon

pytestmark = pytest.mark.django_db

Status = Signup.Status


def url(name, *args):
    return reverse(f"volunteering:{name}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def activity_a(building, branch_a, secretary_a):
    """Branch A's published activity three days ahead, two places, wanting 急救."""
    return published(
        building, organizer=branch_a, by=secretary_a, title="楼宇职工义诊", capacity=2, skills_wanted="急救"
    )


@pytest.fixture
def draft_a(building, branch_a, secretary_a):
    return draft(building, organizer=branch_a, by=secretary_a, title="第一支部的草稿")


@pytest.fixture
def activity_b(building, branch_b, secretary_b):
    return published(building, organizer=branch_b, by=secretary_b, title="第二支部普法进企业")


@pytest.fixture
def draft_b(building, branch_b, secretary_b):
    return draft(building, organizer=branch_b, by=secretary_b, title="第二支部的草稿")


@pytest.fixture
def elsewhere(db):
    """Another building's published activity."""
    return ActivityFactory(building=BuildingFactory(name="另一幢楼"), title="别处的活动")


def form_data(**values) -> dict:
    day = timezone.localdate() + datetime.timedelta(days=5)
    data = {
        "title": "大厦周边环境卫生整治",
        "kind": Activity.Kind.ENVIRONMENT,
        "day": day.isoformat(),
        "starts_at": "08:30",
        "ends_at": "10:30",
        "place": "大厦南广场",
        "capacity": "10",
        "skills_wanted": "",
        "description": "",
    }
    data.update(values)
    return data


# --- who may open what --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, activity_a):
    for target in [url("list"), url("mine"), url("create"), url("detail", activity_a.pk), url("edit", activity_a.pk)]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    for target in [
        url("publish", activity_a.pk),
        url("cancel", activity_a.pk),
        url("signup", activity_a.pk),
        url("withdraw", activity_a.pk),
        url("record", activity_a.pk),
        url("photo_upload", activity_a.pk),
    ]:
        assert client.post(target)["Location"].startswith(reverse("login")), target


def test_post_only_views_refuse_get(secretary_a_client, activity_a):
    for name in ["publish", "cancel", "signup", "withdraw", "photo_upload"]:
        assert secretary_a_client.get(url(name, activity_a.pk)).status_code == 405, name


@pytest.mark.parametrize("persona", ["liaison_user", "contact_user"])
def test_liaisons_and_contacts_have_no_volunteering_pages(request, login_as, persona, activity_a):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(url("list")).status_code == 403
    assert client.get(url("create")).status_code == 403
    assert client.get(url("mine")).status_code == 403
    assert client.get(url("detail", activity_a.pk)).status_code == 404


def test_members_and_street_viewers_cannot_draft_change_or_publish(login_as, member_user, street_user, draft_a):
    for user in (member_user, street_user):
        client = login_as(user)
        assert client.get(url("create")).status_code == 403
        assert client.post(url("create"), form_data()).status_code == 403
        assert client.get(url("edit", draft_a.pk)).status_code == 403
        assert client.post(url("publish", draft_a.pk)).status_code == 403
        assert client.post(url("cancel", draft_a.pk), {"reason": "x"}).status_code == 403
        assert client.get(url("record", draft_a.pk)).status_code == 403
    assert Activity.objects.get(pk=draft_a.pk).is_draft


def test_another_branchs_draft_is_not_found(login_as, secretary_b, draft_a):
    client = login_as(secretary_b)
    for target in [url("detail", draft_a.pk), url("edit", draft_a.pk), url("record", draft_a.pk)]:
        assert client.get(target).status_code == 404, target
    assert client.post(url("publish", draft_a.pk)).status_code == 404
    assert client.post(url("cancel", draft_a.pk), {"reason": "x"}).status_code == 404
    assert Activity.objects.get(pk=draft_a.pk).is_draft


def test_another_branchs_published_activity_is_read_but_not_managed(login_as, secretary_b, activity_a):
    client = login_as(secretary_b)
    response = client.get(url("detail", activity_a.pk))
    assert response.status_code == 200 and not response.context["can_manage"]
    assert 'data-testid="signups"' not in text(response) and 'data-testid="matching"' not in text(response)
    assert client.get(url("edit", activity_a.pk)).status_code == 403
    assert client.post(url("cancel", activity_a.pk), {"reason": "x"}).status_code == 403
    assert client.get(url("record", activity_a.pk)).status_code == 403
    assert client.post(url("photo_upload", activity_a.pk)).status_code == 403


def test_another_buildings_activity_is_not_found(login_as, admin_user, member_user, secretary_a, elsewhere):
    for user in (admin_user, member_user, secretary_a):
        assert login_as(user).get(url("detail", elsewhere.pk)).status_code == 404
    for user in (admin_user, secretary_a):
        client = login_as(user)
        assert client.post(url("cancel", elsewhere.pk), {"reason": "x"}).status_code == 404
        assert client.get(url("checkin_qr", elsewhere.pk)).status_code == 404
    assert login_as(member_user).post(url("signup", elsewhere.pk)).status_code == 404
    assert not Signup.objects.exists()


# --- the list -----------------------------------------------------------------------------------------------


def shown(client, **params) -> set[str]:
    response = client.get(url("list"), params)
    assert response.status_code == 200
    return {a.title for a in response.context["page"]}


def test_members_see_the_buildings_published_activities_not_drafts_nor_other_buildings(
    member_client, activity_a, activity_b, draft_a, elsewhere
):
    assert shown(member_client) == {activity_a.title, activity_b.title}


def test_officers_see_the_drafts_they_may_change(
    login_as, admin_user, secretary_a, street_user, activity_a, draft_a, draft_b, elsewhere
):
    assert shown(login_as(secretary_a)) == {activity_a.title, draft_a.title}
    assert shown(login_as(admin_user)) == {activity_a.title, draft_a.title, draft_b.title}
    assert shown(login_as(street_user)) == {activity_a.title, elsewhere.title}


def test_the_list_shows_whats_coming_up_first_and_the_past_on_request(member_client, building, activity_a):
    later = published(building, title="更晚的活动", starts_at=soon(10))
    gone = begun(published(building, title="昨天的活动", starts_at=soon(3)), hours_ago=26)
    response = member_client.get(url("list"))
    assert [a.title for a in response.context["page"]] == [activity_a.title, later.title]
    assert shown(member_client, when="past") == {gone.title}
    assert shown(member_client, when="all", kind=Activity.Kind.SERVICE) == {activity_a.title, later.title, gone.title}


def test_a_member_signs_up_from_the_list_and_sees_her_place(member_client, member_user, branch_a, activity_a):
    body = text(member_client.get(url("list")))
    assert 'data-testid="signup-form"' in body and "已报名 0 / 2" in body

    response = member_client.post(url("signup", activity_a.pk), {"next": url("list")})

    assert response.status_code == 302 and response["Location"] == url("list")
    body = text(member_client.get(url("list")))
    assert 'data-own="signed_up"' in body and "已报名 1 / 2" in body and 'data-testid="withdraw-form"' in body


def test_a_full_activity_offers_the_waiting_list(member_client, branch_a, activity_a):
    for member in members(branch_a, 2):
        sign_up(activity_a, member)
    body = text(member_client.get(url("list")))
    assert "报名候补" in body and "已报名 2 / 2" in body


@pytest.mark.parametrize("scale", [1, 3])
def test_the_list_runs_the_same_queries_at_1x_and_3x_activities(
    member_client, building, branch_a, django_assert_num_queries, scale
):
    volunteers = members(branch_a, 3)
    for n in range(3 * scale):
        activity = published(building, title=f"活动{n}", starts_at=soon(2 + n), capacity=2)
        for member in volunteers:
            sign_up(activity, member)
    member_client.get(url("list"))  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        response = member_client.get(url("list"))
    assert len(response.context["page"]) == 3 * scale
    assert all(a.seated == 2 and a.waiting == 1 for a in response.context["page"])


# Session read, user, her member record, count and page of activities (with the counts and her own place), the
# unread-notification count, the session write in its savepoint (3).
LIST_QUERIES = 9


# --- drafting and changing ----------------------------------------------------------------------------------


def test_a_secretary_drafts_an_activity_for_her_branch(secretary_a_client, secretary_a, branch_a):
    assert secretary_a_client.get(url("create")).status_code == 200
    response = secretary_a_client.post(url("create"), form_data(organizer=branch_a.pk, skills_wanted="摄影、急救"))
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert activity.is_draft and activity.organizer == branch_a and activity.created_by == secretary_a
    assert activity.skills_wanted == "摄影, 急救" and activity.capacity == 10
    assert timezone.localtime(activity.starts_at).strftime("%H:%M") == "08:30"


def test_a_secretary_cannot_organise_for_another_branch_nor_the_general_branch(secretary_a_client, branch_b):
    response = secretary_a_client.post(url("create"), form_data(organizer=branch_b.pk))
    assert response.status_code == 200 and "organizer" in response.context["form"].errors
    response = secretary_a_client.post(url("create"), form_data(organizer=""))
    assert response.status_code == 200 and "organizer" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_the_admin_organises_for_the_general_branch(admin_client, building):
    admin_client.post(url("create"), form_data())
    activity = Activity.objects.get()
    assert activity.organizer is None and activity.building == building


def test_an_activity_must_end_after_it_starts(admin_client):
    response = admin_client.post(url("create"), form_data(starts_at="10:00", ends_at="09:00"))
    assert "ends_at" in response.context["form"].errors and not Activity.objects.exists()


def test_a_room_already_booked_is_refused_next_to_the_room_field(admin_client, admin_user, building):
    room = RoomFactory(building=building)
    day = timezone.localdate() + datetime.timedelta(days=5)
    rooms.booking_create(
        room=room,
        starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
        ends_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(11))),
        title="党务联络员工作例会",
        by=admin_user,
    )
    response = admin_client.post(url("create"), form_data(room=room.pk, place=""))
    assert response.status_code == 200
    errors = response.context["form"].errors["room"]
    assert "党支部活动室" in errors[0] and "党务联络员工作例会" in errors[0]
    assert not Activity.objects.exists()

    admin_client.post(url("create"), form_data(room=room.pk, place="", starts_at="14:00", ends_at="16:00"))
    activity = Activity.objects.get()
    assert activity.room_booking.room == room and activity.place == "中央大厦3楼党支部活动室"


def test_the_organiser_changes_her_draft(secretary_a_client, draft_a):
    assert secretary_a_client.get(url("edit", draft_a.pk)).status_code == 200
    response = secretary_a_client.post(url("edit", draft_a.pk), form_data(title="改过的名称", capacity=""))
    draft_a.refresh_from_db()
    assert response.status_code == 302 and draft_a.title == "改过的名称" and draft_a.capacity is None


def test_an_activity_that_has_begun_is_not_changed(secretary_a_client, activity_a):
    begun(activity_a)
    response = secretary_a_client.get(url("edit", activity_a.pk), follow=True)
    assert "尚未开始" in " ".join(messages_of(response))


# --- publishing and cancelling ------------------------------------------------------------------------------


def test_publishing_opens_sign_up_and_tells_the_matching_members(secretary_a_client, branch_a, draft_a):
    Activity.objects.filter(pk=draft_a.pk).update(skills_wanted="急救")
    user = UserFactory(role="member", building=branch_a.building)
    MemberFactory(organization=branch_a, user=user, skills="急救")

    response = secretary_a_client.post(url("publish", draft_a.pk), follow=True)

    assert Activity.objects.get(pk=draft_a.pk).is_published
    assert "已通知特长相符的党员 1 人" in " ".join(messages_of(response))
    assert Notification.objects.filter(user=user, event="volunteering_suggested").count() == 1


def test_cancelling_needs_a_reason_and_tells_the_volunteers(secretary_a_client, member_user, activity_a):
    sign_up(activity_a, member_user.member)
    response = secretary_a_client.post(url("cancel", activity_a.pk), {"reason": ""}, follow=True)
    assert Activity.objects.get(pk=activity_a.pk).is_published and "原因" in " ".join(messages_of(response))

    secretary_a_client.post(url("cancel", activity_a.pk), {"reason": "暴雨红色预警"})

    activity_a.refresh_from_db()
    assert activity_a.status == Activity.Status.CANCELLED and activity_a.cancel_reason == "暴雨红色预警"
    assert Notification.objects.filter(user=member_user, event="volunteering_cancelled").exists()


# --- the detail ---------------------------------------------------------------------------------------------


def test_a_member_sees_the_places_and_signs_up_on_the_detail(member_client, member_user, activity_a):
    response = member_client.get(url("detail", activity_a.pk))
    body = text(response)
    assert response.status_code == 200 and "楼宇职工义诊" in body and "已报名 0 / 2" in body
    assert 'data-testid="signup-form"' in body and 'data-testid="matching"' not in body
    assert 'data-testid="signups"' not in body  # no names of other volunteers for members

    member_client.post(url("signup", activity_a.pk), {"next": url("detail", activity_a.pk)})

    assert Signup.objects.get(member__user=member_user).status == Status.SIGNED_UP


def test_a_member_on_the_waiting_list_sees_her_position(member_client, member_user, branch_a, activity_a):
    for member in members(branch_a, 3):
        sign_up(activity_a, member)
    response = member_client.post(url("signup", activity_a.pk), follow=True)
    assert "候补名单第 2 位" in " ".join(messages_of(response))
    body = text(member_client.get(url("detail", activity_a.pk)))
    assert "您在候补名单第 2 位" in body and "已报名 2 / 2" in body and "候补 2" in body


def test_the_organiser_sees_the_volunteers_and_the_members_whose_skills_match(
    secretary_a_client, branch_a, branch_b, activity_a
):
    first_aider = MemberFactory(organization=branch_a, skills="急救（红十字会救护员证）", name="张急救")
    MemberFactory(organization=branch_b, skills="急救", name="李二支部")
    sign_up(activity_a, first_aider)

    response = secretary_a_client.get(url("detail", activity_a.pk))

    body = text(response)
    assert [m.name for m in response.context["matching"]] == ["张急救"]
    assert response.context["matching_total"] == 2 and response.context["matching_elsewhere"] == 1
    assert "李二支部" not in body and "另有其他支部党员 1 人" in body
    assert 'data-testid="signups"' in body and "张急救" in body


def test_a_member_does_not_see_a_draft(member_client, draft_a):
    assert member_client.get(url("detail", draft_a.pk)).status_code == 404


# --- signing up and withdrawing -----------------------------------------------------------------------------


def test_withdrawing_moves_the_first_waiting_member_up(member_client, member_user, branch_a, activity_a):
    sign_up(activity_a, member_user.member)
    sign_up(activity_a, MemberFactory(organization=branch_a))
    waiting = sign_up(activity_a, MemberFactory(organization=branch_a))

    response = member_client.post(url("withdraw", activity_a.pk), {"next": url("mine")})

    assert response.status_code == 302 and response["Location"] == url("mine")
    assert Signup.objects.get(member__user=member_user).status == Status.WITHDRAWN
    assert Signup.objects.get(pk=waiting.pk).status == Status.SIGNED_UP


def test_withdrawing_without_a_signup_says_so(member_client, activity_a):
    response = member_client.post(url("withdraw", activity_a.pk), follow=True)
    assert "未报名本次活动" in " ".join(messages_of(response))


def test_a_foreign_next_address_is_ignored(member_client, activity_a):
    response = member_client.post(url("signup", activity_a.pk), {"next": "https://evil.example.com/"})
    assert response["Location"] == activity_a.get_absolute_url()


def test_signing_up_needs_a_member_record(login_as, street_user, admin_user, activity_a):
    assert login_as(street_user).post(url("signup", activity_a.pk)).status_code == 403
    assert login_as(admin_user).post(url("signup", activity_a.pk)).status_code == 403
    assert not Signup.objects.exists()


# --- after the event ----------------------------------------------------------------------------------------


def test_the_organiser_records_who_came_and_the_hours_and_the_activity_is_done(
    secretary_a_client, branch_a, activity_a
):
    came, stayed = members(branch_a, 2)
    sign_up(activity_a, came)
    sign_up(activity_a, stayed)
    begun(activity_a, hours_ago=3)
    assert secretary_a_client.get(url("record", activity_a.pk)).status_code == 200
    rows = {s.member_id: s.pk for s in Signup.objects.filter(activity=activity_a)}
    data = {
        f"status_{rows[came.pk]}": "attended",
        f"hours_{rows[came.pk]}": "1.5",
        f"status_{rows[stayed.pk]}": "no_show",
        "summary": "为大厦职工义诊80余人次",
    }

    response = secretary_a_client.post(url("record", activity_a.pk), data)

    assert response.status_code == 302
    activity_a.refresh_from_db()
    assert activity_a.status == Activity.Status.DONE and activity_a.summary == "为大厦职工义诊80余人次"
    assert Signup.objects.get(pk=rows[came.pk]).hours == Decimal("1.5")
    assert Signup.objects.get(pk=rows[stayed.pk]).status == Status.NO_SHOW
    assert "为大厦职工义诊80余人次" in text(secretary_a_client.get(url("detail", activity_a.pk)))


def test_every_volunteer_must_be_recorded(secretary_a_client, branch_a, activity_a):
    sign_up(activity_a, MemberFactory(organization=branch_a))
    begun(activity_a)
    response = secretary_a_client.post(url("record", activity_a.pk), {"summary": "小结"})
    assert response.status_code == 200 and "请记录该志愿者是否参加" in text(response)
    assert Activity.objects.get(pk=activity_a.pk).is_published


def test_an_activity_is_not_recorded_before_it_begins(secretary_a_client, activity_a):
    response = secretary_a_client.get(url("record", activity_a.pk), follow=True)
    assert "尚未开始" in " ".join(messages_of(response))


# --- photos -------------------------------------------------------------------------------------------------


def test_the_organiser_uploads_a_photo_that_only_the_buildings_users_see(
    secretary_a_client, login_as, member_user, outsider, activity_a
):
    upload = SimpleUploadedFile("义诊.png", PNG, content_type="image/png")
    response = secretary_a_client.post(url("photo_upload", activity_a.pk), {"photos": upload, "caption": "现场"})
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get()
    assert photo.caption == "现场" and photo.image.name.endswith(".png") and "义诊" not in photo.image.name

    member = login_as(member_user).get(url("photo", photo.pk))
    assert member.status_code == 200 and member["Content-Type"] == "image/png"
    assert b"".join(member.streaming_content) == PNG
    assert login_as(outsider).get(url("photo", photo.pk)).status_code == 404


def test_a_file_that_is_not_a_photo_is_refused(secretary_a_client, activity_a):
    upload = SimpleUploadedFile("名单.png", b"not a png at all", content_type="image/png")
    response = secretary_a_client.post(url("photo_upload", activity_a.pk), {"photos": upload}, follow=True)
    assert "不是" in " ".join(messages_of(response)) and not ActivityPhoto.objects.exists()


# --- 我的志愿服务 -------------------------------------------------------------------------------------------


def test_my_volunteer_service_lists_what_is_ahead_what_was_and_this_years_hours(
    member_client, member_user, building, activity_a
):
    sign_up(activity_a, member_user.member)
    done = published(building, title="上个月的环境整治", starts_at=soon(2))
    own = sign_up(done, member_user.member)
    begun(done, hours_ago=2)
    services.activity_record(activity=done, by=None, rows={own.pk: ("attended", Decimal("2.5"))}, summary="小结")

    response = member_client.get(url("mine"))

    assert response.status_code == 200
    assert [s.activity.title for s in response.context["upcoming"]] == [activity_a.title]
    assert [s.activity.title for s in response.context["page"]] == ["上个月的环境整治"]
    if done.starts_at.year == timezone.localdate().year:
        assert response.context["served"] == {"activities": 1, "hours": Decimal("2.5")}


def test_my_volunteer_service_needs_a_member_record(secretary_a_client):
    assert secretary_a_client.get(url("mine")).status_code == 403


# --- home-page panels ---------------------------------------------------------------------------------------


def test_the_members_home_page_shows_her_volunteer_service(member_client, member_user, activity_a, activity_b):
    sign_up(activity_a, member_user.member)
    body = text(member_client.get(reverse("home")))
    assert 'data-testid="volunteering-panel"' in body and activity_a.title in body
    assert "2 项活动报名中" in body


def test_the_organisers_home_page_lists_activities_waiting_to_be_recorded(
    secretary_a_client, login_as, secretary_b, activity_a
):
    assert 'data-testid="volunteering-record-panel"' not in text(secretary_a_client.get(reverse("home")))
    begun(activity_a)
    body = text(secretary_a_client.get(reverse("home")))
    assert 'data-testid="volunteering-record-panel"' in body and url("record", activity_a.pk) in body
    assert 'data-testid="volunteering-record-panel"' not in text(login_as(secretary_b).get(reverse("home")))
