"""The study pages kept whole by ``buildingparty.data_cache.page`` (issue 15): the session list and the hours page
under the viewer's scope, a member's own year under her account. A repeat request reads nothing of the page's
tables; any write to one (the ORM, ``update()``) shows on the next request; two viewers of different scope never
see each other's page.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.study.models import StudyParticipation, StudySession
from activities.study.tests.factories import StudySessionFactory, session_with, this_year
from members.models import Member
from tests.factories import MemberFactory, UserFactory
from tests.kept import main, queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]


def jan(day: int) -> datetime.date:
    return datetime.date(this_year(), 1, day)


# --- the session list ---------------------------------------------------------------------------------------


def test_the_session_list_is_kept_per_scope_and_shows_a_write_at_once(branch_a, branch_b, secretary_a, secretary_b):
    zhang = MemberFactory(organization=branch_a)
    mine = session_with([zhang], organization=branch_a, topic="甲支部学习", held_on=jan(10))
    StudySessionFactory(organization=branch_b, topic="乙支部学习", held_on=jan(11))
    ours, theirs = signed_in(secretary_a), signed_in(secretary_b)
    url = reverse("study:session_list")

    first = main(ours.get(url))
    with CaptureQueriesContext(connection) as again:
        second = main(ours.get(url))
    assert second == first and "甲支部学习" in second and "乙支部学习" not in second
    assert not queries_on(again, "study_")  # the list from the cache
    other = main(theirs.get(url))
    assert "乙支部学习" in other and "甲支部学习" not in other  # another branch: its own list

    StudySessionFactory(organization=branch_a, topic="新的学习", held_on=jan(12))  # the ORM
    assert "新的学习" in main(ours.get(url))
    StudySession.objects.filter(pk=mine.pk).update(topic="改过的题目")  # a bulk update
    page = main(ours.get(url))
    assert "改过的题目" in page and "甲支部学习" not in page
    assert "新的学习" not in main(theirs.get(url))


def test_the_session_lists_participant_counts_follow_the_participations(branch_a, secretary_a):
    zhang, li = MemberFactory(organization=branch_a), MemberFactory(organization=branch_a)
    session = session_with([zhang], organization=branch_a, topic="计数学习", held_on=jan(10))
    client = signed_in(secretary_a)

    def count() -> str:
        row = main(client.get(reverse("study:session_list"))).split(f'href="{session.get_absolute_url()}"', 2)[2]
        return row.split("</tr>", 1)[0].rsplit('<td class="text-end">', 1)[1].split("<", 1)[0]

    assert count() == "1"
    StudyParticipation.objects.create(session=session, member=li)
    assert count() == "2"
    StudyParticipation.objects.filter(session=session, member=zhang).delete()
    assert count() == "1"


def test_a_filtered_list_is_kept_apart_from_the_whole_list(branch_a, secretary_a):
    StudySessionFactory(organization=branch_a, topic="集中学习", held_on=jan(10))
    StudySessionFactory(organization=branch_a, topic="送学上门", held_on=jan(11), kind=StudySession.Kind.DELIVERED)
    client = signed_in(secretary_a)
    url = reverse("study:session_list")
    assert "集中学习" in main(client.get(url)) and "送学上门" in main(client.get(url))
    filtered = main(client.get(url, {"kind": "delivered"}))
    assert "送学上门" in filtered and "集中学习" not in filtered


# --- the hours page -----------------------------------------------------------------------------------------


def hours_row(html: str, member) -> str:
    return html.split(f'data-member="{member.pk}"', 1)[1].split("</tr>", 1)[0]


def test_the_hours_page_is_kept_per_scope_and_shows_a_write_at_once(branch_a, branch_b, secretary_a, secretary_b):
    zhang = MemberFactory(organization=branch_a, name="张甲")
    MemberFactory(organization=branch_b, name="王乙")
    session_with([zhang], organization=branch_a, held_on=jan(10), hours=Decimal("3"))
    ours, theirs = signed_in(secretary_a), signed_in(secretary_b)
    url = reverse("study:hours")
    query = {"show": "all"}

    first = main(ours.get(url, query))
    with CaptureQueriesContext(connection) as again:
        second = main(ours.get(url, query))
    assert second == first and "张甲" in second and "王乙" not in second
    assert not queries_on(again, "members_member") and not queries_on(again, "study_")  # from the cache
    other = main(theirs.get(url, query))
    assert "王乙" in other and "张甲" not in other  # another branch: its own members

    session_with([zhang], organization=branch_a, held_on=jan(11), hours=Decimal("1.5"))  # the ORM
    assert '<td class="text-end fw-semibold">4.5</td>' in hours_row(main(ours.get(url, query)), zhang)
    Member.objects.filter(pk=zhang.pk).update(name="张甲改")  # a bulk update
    assert "张甲改" in main(ours.get(url, query))
    assert "张甲改" not in main(theirs.get(url, query)) and "王乙" in main(theirs.get(url, query))


def test_the_hours_pages_default_follows_the_secretarys_own_branch(branch_a, branch_b, secretary_a, secretary_b):
    """The organisation and what is shown by default come from the viewer: two branches' secretaries opening the
    bare page each get their own branch (and those behind only)."""
    MemberFactory(organization=branch_a, name="甲的人")
    MemberFactory(organization=branch_b, name="乙的人")
    url = reverse("study:hours")
    ours, theirs = main(signed_in(secretary_a).get(url)), main(signed_in(secretary_b).get(url))
    assert "甲的人" in ours and "乙的人" not in ours
    assert "乙的人" in theirs and "甲的人" not in theirs


# --- a member's own year ------------------------------------------------------------------------------------


@pytest.fixture
def two_members(branch_a):
    one = UserFactory(username="m_one", role="member", building=branch_a.building)
    two = UserFactory(username="m_two", role="member", building=branch_a.building)
    return (
        (one, MemberFactory(organization=branch_a, user=one, name="成员一")),
        (two, MemberFactory(organization=branch_a, user=two, name="成员二")),
    )


def test_a_members_year_is_kept_per_account_and_shows_a_write_at_once(two_members, branch_a):
    (one, first_member), (two, second_member) = two_members
    session = session_with([first_member], organization=branch_a, topic="成员一的学习", held_on=jan(10))
    session_with([second_member], organization=branch_a, topic="成员二的学习", held_on=jan(11))
    mine, hers = signed_in(one), signed_in(two)
    url = reverse("study:mine")

    first = main(mine.get(url))
    with CaptureQueriesContext(connection) as again:
        second = main(mine.get(url))
    assert second == first and "成员一的学习" in second and "成员二的学习" not in second
    assert not queries_on(again, "study_") and not queries_on(again, "members_member")  # from the cache
    other = main(hers.get(url))
    assert "成员二的学习" in other and "成员一的学习" not in other  # the same branch, her own year

    session_with([first_member], organization=branch_a, topic="又一次学习", held_on=jan(12))  # the ORM
    assert "又一次学习" in main(mine.get(url))
    StudySession.objects.filter(pk=session.pk).update(topic="改过的学习")  # a bulk update
    page = main(mine.get(url))
    assert "改过的学习" in page and "成员一的学习" not in page
    assert "又一次学习" not in main(hers.get(url))


def test_an_account_without_a_member_record_is_refused_every_time(admin_user, branch_a):
    client = signed_in(admin_user)
    assert client.get(reverse("study:mine")).status_code == 403
    assert client.get(reverse("study:mine")).status_code == 403
    MemberFactory(organization=branch_a, user=admin_user)
    assert client.get(reverse("study:mine")).status_code == 200  # linked to a record: her page at once
    Member.objects.filter(user=admin_user).update(user=None)  # the record unlinked: refused again at once
    assert client.get(reverse("study:mine")).status_code == 403
