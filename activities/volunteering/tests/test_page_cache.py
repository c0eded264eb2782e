"""The activity list and 我的志愿服务 are kept whole for each viewer (``data_cache.page``, a minute at most): a second
GET reads no activity, a write shows at once, and one member never sees another's places or buttons."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from activities.volunteering.models import Activity, Signup
from buildingparty import data_cache
from tests.factories import MemberFactory, UserFactory
from tests.kept import main_without_tokens as main
from tests.kept import signed_in

from .factories import published, sign_up

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

LIST, MINE = "/activities/volunteering/", "/activities/volunteering/mine/"


def read(client, url, table) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        html = main(client.get(url))
    return html, [q["sql"] for q in queries.captured_queries if table in q["sql"]]


@pytest.fixture
def other_member(branch_a):
    user = UserFactory(username="member_b", role="member", building=branch_a.building)
    MemberFactory(organization=branch_a, user=user)
    return user


def test_the_activity_list_is_kept_for_each_member_and_shows_a_write_at_once(
    building, branch_a, secretary_a, member_user, other_member
):
    activity = published(building, organizer=branch_a, by=secretary_a, title="楼宇职工义诊", capacity=5)
    sign_up(activity, member_user.member)
    mine, theirs = signed_in(member_user), signed_in(other_member)
    first, _ = read(mine, LIST, "volunteering_activity")
    second, again = read(mine, LIST, "volunteering_activity")
    assert second == first and not again  # from the cache
    assert "楼宇职工义诊" in first and 'data-own="signed_up"' in first and 'data-testid="withdraw-form"' in first
    other = main(theirs.get(LIST))
    assert "楼宇职工义诊" in other and 'data-own="signed_up"' not in other and 'data-testid="signup-form"' in other
    # Each form carries the request's own CSRF token, and comes back to the list.
    html = mine.get(LIST).content.decode()
    assert data_cache.CSRF_PLACEHOLDER not in html and 'name="next" value="/activities/volunteering/"' in html
    Activity.objects.filter(pk=activity.pk).update(title="楼宇职工义诊（改期）")
    assert "楼宇职工义诊（改期）" in main(mine.get(LIST))
    Signup.objects.filter(activity=activity).update(status=Signup.Status.WITHDRAWN)
    now = main(mine.get(LIST))
    assert 'data-own="signed_up"' not in now and 'data-testid="signup-form"' in now


def test_my_volunteer_service_is_kept_for_each_member_and_shows_a_write_at_once(
    building, branch_a, secretary_a, member_user, other_member, admin_user
):
    activity = published(building, organizer=branch_a, by=secretary_a, title="社区清扫", capacity=5)
    sign_up(activity, member_user.member)
    mine, theirs = signed_in(member_user), signed_in(other_member)
    first, _ = read(mine, MINE, "volunteering_signup")
    second, again = read(mine, MINE, "volunteering_signup")
    assert second == first and not again
    assert "社区清扫" in first and 'data-own="signed_up"' in first
    assert "社区清扫" not in main(theirs.get(MINE))  # another member's page: her own places only
    assert signed_in(admin_user).get(MINE).status_code == 403  # no member record: still not for her
    Signup.objects.filter(activity=activity).update(status=Signup.Status.WAITING, position=1)
    assert 'data-own="waiting"' in main(mine.get(MINE))
    sign_up(published(building, organizer=branch_a, by=secretary_a, title="敬老院探访"), other_member.member)
    assert "敬老院探访" in main(theirs.get(MINE)) and "敬老院探访" not in main(mine.get(MINE))


def test_a_kept_lists_sign_up_form_passes_the_csrf_check(building, branch_a, secretary_a, member_user):
    activity = published(building, organizer=branch_a, by=secretary_a, title="楼宇职工义诊", capacity=5)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_user)
    client.get(LIST)
    html = client.get(LIST).content.decode()  # from the cache, with this request's token in its forms
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        f"/activities/volunteering/{activity.pk}/signup/", {"csrfmiddlewaretoken": token, "next": LIST}
    )
    assert response.status_code == 302
    assert Signup.objects.filter(activity=activity, member=member_user.member, status=Signup.Status.SIGNED_UP).exists()
    assert 'data-own="signed_up"' in main(client.get(LIST))
