"""The bulletin board is kept whole, as HTML, in ``buildingparty.data_cache`` (issue 15): a second visit reads no
notice from the database, a write (a notice written, changed, withdrawn, read) shows on the next visit, and what
is kept for one account (its unread marks, its branch's notices) is never shown to another.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.notices.models import Notice, NoticeRead
from activities.notices.tests.factories import NoticeFactory, days
from tests.factories import MemberFactory, UserFactory
from tests.kept import main, queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

BOARD = reverse("notices:board")


def unread_count(html: str) -> int:
    return html.count('data-testid="unread"')


@pytest.fixture
def member_b(branch_b):
    user = UserFactory(username="member_b", role="member", building=branch_b.building)
    MemberFactory(organization=branch_b, user=user)
    return user


def test_the_board_is_kept_and_shows_a_write_at_once(member_user, building, branch_a):
    notice = NoticeFactory(building=building, title="全楼通知")
    NoticeFactory(audience=branch_a, title="一支部通知")
    ours = signed_in(member_user)

    first = main(ours.get(BOARD))
    with CaptureQueriesContext(connection) as again:
        second = main(ours.get(BOARD))
    assert second == first and "全楼通知" in second and "一支部通知" in second
    assert not queries_on(again, "notices_notice")  # the content from the cache

    Notice.objects.filter(pk=notice.pk).update(title="改过的通知")  # a bulk update
    page = main(ours.get(BOARD))
    assert "改过的通知" in page and "全楼通知" not in page
    NoticeFactory(building=building, title="新写的通知")  # an ORM save
    assert "新写的通知" in main(ours.get(BOARD))
    Notice.objects.filter(pk=notice.pk).update(withdrawn_at=days(0))  # off the board
    assert "改过的通知" not in main(ours.get(BOARD))


def test_reading_a_notice_takes_its_unread_mark_off_the_readers_board_only(member_user, branch_a, enterprise):
    notice = NoticeFactory(audience=branch_a, title="一支部通知")
    colleague = UserFactory(username="member_a2", role="member", building=branch_a.building)
    MemberFactory(organization=branch_a, enterprise=enterprise, user=colleague)
    ours, hers = signed_in(member_user), signed_in(colleague)
    assert unread_count(main(ours.get(BOARD))) == 1
    assert unread_count(main(hers.get(BOARD))) == 1

    assert ours.get(reverse("notices:detail", args=[notice.pk])).status_code == 200  # writes the receipt
    assert NoticeRead.objects.filter(notice=notice, user=member_user).exists()
    assert unread_count(main(ours.get(BOARD))) == 0
    assert unread_count(main(hers.get(BOARD))) == 1  # the same branch, her own marks

    with CaptureQueriesContext(connection) as again:
        ours.get(BOARD)
    assert not queries_on(again, "notices_notice")  # opening the board records nothing: it is kept again
    assert NoticeRead.objects.filter(user=colleague).count() == 0


def test_two_branches_members_and_secretaries_never_see_each_others_board(
    member_user, member_b, secretary_a, secretary_b, branch_a, branch_b
):
    NoticeFactory(audience=branch_a, title="一支部通知")
    NoticeFactory(audience=branch_b, title="二支部通知")
    for first, second in ((member_user, member_b), (secretary_a, secretary_b)):
        ours, theirs = signed_in(first), signed_in(second)
        for _ in range(2):  # the second round from the cache
            mine, other = main(ours.get(BOARD)), main(theirs.get(BOARD))
            assert "一支部通知" in mine and "二支部通知" not in mine
            assert "二支部通知" in other and "一支部通知" not in other
    assert 'data-testid="new-notice"' in main(signed_in(secretary_a).get(BOARD))
    assert 'data-testid="new-notice"' not in main(signed_in(member_user).get(BOARD))


def test_a_filtered_board_is_kept_apart_and_a_withdrawal_shows_in_the_managers_list(admin_user, building):
    notice = NoticeFactory(building=building, title="要撤回的通知")
    NoticeFactory(building=building, kind=Notice.Kind.NEWS, title="一条动态")
    ours = signed_in(admin_user)
    news = main(ours.get(BOARD, {"kind": Notice.Kind.NEWS}))
    assert "一条动态" in news and "要撤回的通知" not in news
    withdrawn = {"state": Notice.State.WITHDRAWN}
    assert "要撤回的通知" not in main(ours.get(BOARD, withdrawn))
    assert "要撤回的通知" in main(ours.get(BOARD))

    response = ours.post(reverse("notices:withdraw", args=[notice.pk]))
    assert response.status_code == 302
    assert "要撤回的通知" not in main(ours.get(BOARD))
    assert "要撤回的通知" in main(ours.get(BOARD, withdrawn))
