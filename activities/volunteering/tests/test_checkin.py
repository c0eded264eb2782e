"""QR check-in at a volunteer activity: the code the organiser puts up (page and SVG), and the volunteer who scans
it with her phone."""

import datetime
import types

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.volunteering import checkin as service
from activities.volunteering import views
from activities.volunteering.models import Activity, Signup
from tests.factories import MemberFactory, OrganizationFactory, UserFactory

from .factories import members, published, sign_up

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def clock(monkeypatch):
    """clock(moment): the check-in views' "now" is ``moment`` (the session keeps the real time)."""

    def set_to(moment):
        monkeypatch.setattr(views, "timezone", types.SimpleNamespace(now=lambda: moment))
        return moment

    return set_to


@pytest.fixture
def activity(building, branch_a, secretary_a, member_user):
    """Branch A's activity starting in ten minutes (its code is open); member_user is signed up."""
    starts_at = timezone.now() + datetime.timedelta(minutes=10)
    activity = published(
        building,
        organizer=branch_a,
        by=secretary_a,
        title="大厦周边环境卫生整治",
        place="大厦南广场",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        capacity=1,
    )
    sign_up(activity, member_user.member)
    return activity


def qr(activity):
    return reverse("volunteering:checkin_qr", args=[activity.pk])


def qr_image(activity):
    return reverse("volunteering:checkin_qr_image", args=[activity.pk])


def checkin_url(activity):
    return reverse("volunteering:checkin", args=[activity.checkin_token])


def mine(activity, user) -> Signup:
    return Signup.objects.get(activity=activity, member__user=user)


def text(response) -> str:
    return response.content.decode()


# --- the code: page and image -------------------------------------------------------------------------------


def test_the_organiser_puts_the_code_on_screen_with_the_activity_and_its_window(secretary_a_client, activity, settings):
    settings.SITE_URL = "https://party.example.cn"
    response = secretary_a_client.get(qr(activity))
    assert response.status_code == 200
    body = text(response)
    assert "大厦周边环境卫生整治" in body and "大厦南广场" in body and "第一党支部" in body
    opens = timezone.localtime(activity.starts_at - datetime.timedelta(minutes=30))
    closes = timezone.localtime(activity.starts_at + datetime.timedelta(minutes=120))
    assert f"{opens:%H:%M}–{closes:%H:%M}" in body
    assert f"https://party.example.cn/activities/volunteering/checkin/{activity.checkin_token}/" in body
    assert qr_image(activity) in body
    assert "已签到 0 人，已报名 1 人" in body
    assert "no-store" in response["Cache-Control"]


def test_the_code_image_is_an_svg_of_the_absolute_checkin_address(admin_client, activity):
    response = admin_client.get(qr_image(activity))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert text(response).startswith("<svg") and "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("persona", ["street_user", "member_user", "liaison_user", "contact_user"])
def test_street_viewers_members_and_others_may_not_open_the_code(request, login_as, activity, persona):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(qr(activity)).status_code == 403
    assert client.get(qr_image(activity)).status_code == 403


def test_another_branchs_secretary_may_see_the_activity_but_not_open_its_code(login_as, secretary_b, activity):
    client = login_as(secretary_b)
    assert client.get(activity.get_absolute_url()).status_code == 200
    assert client.get(qr(activity)).status_code == 403
    assert client.get(qr_image(activity)).status_code == 403


def test_another_buildings_code_is_not_found(login_as, activity):
    other = OrganizationFactory(name="别处支部")
    stranger = UserFactory(role="admin", building=other.building)
    assert login_as(stranger).get(qr(activity)).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, activity):
    for target in [qr(activity), qr_image(activity), checkin_url(activity)]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target


def test_the_code_pages_only_answer_get(secretary_a_client, activity):
    assert secretary_a_client.post(qr(activity)).status_code == 405
    assert secretary_a_client.post(qr_image(activity)).status_code == 405
    assert secretary_a_client.put(checkin_url(activity)).status_code == 405


def test_the_code_of_a_cancelled_activity_says_so_instead_of_showing_the_code(secretary_a_client, activity):
    Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.CANCELLED, cancel_reason="台风")
    body = text(secretary_a_client.get(qr(activity)))
    assert "活动已取消" in body and qr_image(activity) not in body


# --- the volunteer checks in --------------------------------------------------------------------------------


def test_the_volunteer_sees_the_activity_and_a_big_checkin_button(member_client, activity):
    response = member_client.get(checkin_url(activity))
    assert response.status_code == 200
    body = text(response)
    assert activity.title in body and 'data-testid="checkin-form"' in body and "签到" in body


def test_checking_in_records_her_as_having_taken_part_by_qr_now(member_client, member_user, activity, login_as):
    before = timezone.now()
    response = member_client.post(checkin_url(activity))
    assert response.status_code == 302 and response["Location"] == checkin_url(activity)
    own = mine(activity, member_user)
    assert own.status == Signup.Status.ATTENDED and own.method == Signup.Method.QR
    assert own.checked_in_at >= before and own.recorded_by == member_user
    follow = member_client.get(checkin_url(activity))
    assert "签到成功" in text(follow) and f"{timezone.localtime(own.checked_in_at):%H:%M}" in text(follow)
    assert 'data-testid="checkin-form"' not in text(follow)


def test_checking_in_twice_keeps_the_first_time(member_client, member_user, activity):
    member_client.post(checkin_url(activity), follow=True)
    first = mine(activity, member_user).checked_in_at
    response = member_client.post(checkin_url(activity), follow=True)
    assert response.status_code == 200 and mine(activity, member_user).checked_in_at == first
    assert "签到成功" not in text(response)


def test_the_code_shows_how_many_have_checked_in(member_client, secretary_a, login_as, activity):
    member_client.post(checkin_url(activity))
    assert "已签到 1 人，已报名 1 人" in text(login_as(secretary_a).get(qr(activity)))


# --- the window ---------------------------------------------------------------------------------------------


def test_the_code_works_from_half_an_hour_before_to_two_hours_after_the_start(
    member_client, member_user, activity, clock
):
    window = service.window(activity)
    assert window.opens_at == activity.starts_at - datetime.timedelta(minutes=30)
    assert window.closes_at == activity.starts_at + datetime.timedelta(minutes=120)

    clock(window.opens_at - MINUTE)
    early = member_client.post(checkin_url(activity))
    assert early.status_code == 403 and "签到将于" in text(early)

    clock(window.closes_at + MINUTE)
    late = member_client.post(checkin_url(activity))
    assert late.status_code == 403 and "签到已于" in text(late)
    assert mine(activity, member_user).status == Signup.Status.SIGNED_UP

    clock(window.closes_at)
    assert member_client.post(checkin_url(activity)).status_code == 302
    assert mine(activity, member_user).status == Signup.Status.ATTENDED


def test_the_window_follows_the_settings(activity, settings):
    settings.VOLUNTEER_CHECKIN_OPENS_MINUTES = 60
    settings.VOLUNTEER_CHECKIN_CLOSES_MINUTES = 10
    window = service.window(activity)
    assert window.opens_at == activity.starts_at - datetime.timedelta(minutes=60)
    assert window.closes_at == activity.starts_at + datetime.timedelta(minutes=10)


def test_a_cancelled_activity_refuses_the_checkin(member_client, member_user, activity):
    Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.CANCELLED, cancel_reason="台风")
    response = member_client.post(checkin_url(activity))
    assert response.status_code == 403 and "已取消" in text(response)
    assert mine(activity, member_user).status == Signup.Status.SIGNED_UP


# --- who may check in ---------------------------------------------------------------------------------------


def test_a_member_who_did_not_sign_up_finds_the_code_is_not_for_her(login_as, branch_a, activity):
    user = UserFactory(role="member", building=branch_a.building)
    MemberFactory(organization=branch_a, user=user)
    client = login_as(user)
    assert client.get(checkin_url(activity)).status_code == 404
    assert client.post(checkin_url(activity)).status_code == 404
    assert not Signup.objects.filter(member__user=user).exists()


def test_a_member_on_the_waiting_list_is_told_only_volunteers_with_a_place_check_in(login_as, branch_a, activity):
    user = UserFactory(role="member", building=branch_a.building)
    sign_up(activity, MemberFactory(organization=branch_a, user=user))  # the one place is taken: she waits
    response = login_as(user).post(checkin_url(activity))
    assert response.status_code == 403 and "候补名单第 1 位" in text(response)
    assert Signup.objects.get(member__user=user).status == Signup.Status.WAITING


def test_a_member_who_withdrew_cannot_check_in(member_client, member_user, activity):
    Signup.objects.filter(member__user=member_user).update(status=Signup.Status.WITHDRAWN)
    response = member_client.post(checkin_url(activity))
    assert response.status_code == 403 and "已取消报名" in text(response)


def test_another_buildings_member_finds_the_code_is_not_for_her(login_as, outsider, activity):
    client = login_as(outsider)
    assert client.get(checkin_url(activity)).status_code == 404
    assert client.post(checkin_url(activity)).status_code == 404


def test_an_account_without_a_member_record_cannot_check_in(secretary_a_client, activity):
    response = secretary_a_client.post(checkin_url(activity))
    assert response.status_code == 403 and "checkin-not-member" in text(response)


def test_an_unknown_code_is_not_found(member_client):
    response = member_client.get(reverse("volunteering:checkin", args=["no-such-token"]))
    assert response.status_code == 404 and "checkin-unknown" in text(response)


def test_a_volunteer_the_organiser_marked_absent_too_early_is_corrected_by_scanning(
    member_client, member_user, activity
):
    Signup.objects.filter(member__user=member_user).update(status=Signup.Status.NO_SHOW)
    assert member_client.post(checkin_url(activity)).status_code == 302
    assert mine(activity, member_user).status == Signup.Status.ATTENDED


def test_members_of_other_branches_of_the_building_check_in_too(login_as, branch_b, activity):
    Activity.objects.filter(pk=activity.pk).update(capacity=None)
    activity.refresh_from_db()
    (other,) = members(branch_b, 1, user=UserFactory(role="member", building=branch_b.building))
    sign_up(activity, other)
    assert login_as(other.user).post(checkin_url(activity)).status_code == 302
