"""The board and the officers' list are kept whole (``data_cache.page``: the board for each viewer, the list by
scope): a second GET reads no card, a write shows at once, and viewers of other scopes never see each other's page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.showcase.models import ShowcaseProfile
from activities.showcase.tests.factories import on_board
from buildingparty import data_cache
from members.models import Member
from tests.kept import main, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

MANAGE = "/activities/showcase/members/"


def read(client, url, table) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        html = main(client.get(url))
    return html, [q["sql"] for q in queries.captured_queries if table in q["sql"]]


def test_the_board_is_kept_for_each_viewer_and_shows_a_write_at_once(
    building, branch_a, member_user, admin_user, outsider
):
    card = on_board(branch_a, name="张亮相", showcase_post="党员示范岗")
    on_board(outsider.member.organization, name="别楼党员")
    board = f"/activities/showcase/building/{building.pk}/"
    member, admin = signed_in(member_user), signed_in(admin_user)
    assert member.get("/activities/showcase/")["Location"] == board
    first, _ = read(member, board, "showcase_showcaseprofile")
    second, again = read(member, board, "showcase_showcaseprofile")
    assert second == first and not again  # from the cache
    assert "张亮相" in first and "别楼党员" not in first
    # Her own buttons: her card, not the officers' list; the admin's the other way round.
    assert 'data-testid="my-card"' in first and 'data-testid="manage"' not in first
    theirs = main(admin.get(board))
    assert 'data-testid="manage"' in theirs and 'data-testid="my-card"' not in theirs
    elsewhere = signed_in(outsider)
    assert elsewhere.get(board).status_code == 404  # another building's board: still not found
    own = main(elsewhere.get(elsewhere.get("/activities/showcase/")["Location"]))
    assert "别楼党员" in own and "张亮相" not in own
    ShowcaseProfile.objects.filter(pk=card.pk).update(pledge="新的承诺")
    assert "新的承诺" in main(member.get(board))
    Member.objects.filter(pk=card.member_id).update(showcase_post="服务标兵")  # a write to the member register
    assert "服务标兵" in main(member.get(board))


def test_the_consent_list_is_kept_per_scope_and_shows_a_write_at_once(branch_a, branch_b, secretary_a, secretary_b):
    card = on_board(branch_a, name="甲亮相")
    on_board(branch_b, name="乙亮相")
    mine, other = signed_in(secretary_a), signed_in(secretary_b)
    first, _ = read(mine, MANAGE, "showcase_showcaseprofile")
    second, again = read(mine, MANAGE, "showcase_showcaseprofile")
    assert second == first and not again
    assert "甲亮相" in first and "乙亮相" not in first
    theirs = main(other.get(MANAGE))
    assert "乙亮相" in theirs and "甲亮相" not in theirs
    on, withdrawn = '<span class="badge text-bg-success">', '<span class="badge text-bg-secondary">'
    assert on in first and withdrawn not in first
    ShowcaseProfile.objects.filter(pk=card.pk).update(consent_withdrawn_at=card.consent_given_at)
    now = main(mine.get(MANAGE))
    assert withdrawn in now and on not in now
    assert data_cache.CSRF_PLACEHOLDER not in mine.get(MANAGE).content.decode()
