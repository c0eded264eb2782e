"""A member's own points, the claims queue and the leaderboard are kept whole, as HTML, in
``buildingparty.data_cache`` (issue 15): a second visit reads no points entry from the database, a write shows on
the next visit, and what is kept for one viewer (a member, a branch's secretary) is never shown to another.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.points.models import PointEntry
from members.points.tests.factories import claim, this_year
from members.points.tests.factories import rule as rule  # fixture
from tests.factories import MemberFactory, UserFactory
from tests.kept import main, queries_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

MINE = reverse("points:mine")
CLAIMS = reverse("points:claims")
BOARD = reverse("points:board")


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def member_of(branch, username):
    user = UserFactory(username=username, role="member", building=branch.building)
    return MemberFactory(organization=branch, user=user, name=f"{username}同志")


# --- my points ----------------------------------------------------------------------------------------------


def test_my_points_are_kept_per_member_and_show_a_write_at_once(branch_a, branch_b, rule):
    mine, theirs = member_of(branch_a, "m_one"), member_of(branch_a, "m_two")
    entry = claim(mine, rule["honour"], note="甲的申报")
    claim(theirs, rule["honour"], note="乙的申报")
    one, two = signed_in(mine.user), signed_in(theirs.user)

    page = main(one.get(MINE))
    with CaptureQueriesContext(connection) as again:
        assert main(one.get(MINE)) == page
    assert "甲的申报" in page and "乙的申报" not in page
    assert not queries_on(again, "points_pointentry") and not queries_on(again, "members_member")
    other = main(two.get(MINE))  # the same branch, another member: her own
    assert "乙的申报" in other and "甲的申报" not in other

    PointEntry.objects.filter(pk=entry.pk).update(note="改过的说明")  # a bulk update
    assert "改过的说明" in main(one.get(MINE))
    claim(mine, rule["honour"], note="又一次申报")  # an ORM save
    assert "又一次申报" in main(one.get(MINE)) and "又一次申报" not in main(two.get(MINE))


def test_my_points_stay_forbidden_without_a_member_record(secretary_a):
    client = signed_in(secretary_a)
    assert client.get(MINE).status_code == 403
    assert client.get(MINE).status_code == 403  # nothing kept


# --- the claims queue ---------------------------------------------------------------------------------------


def test_the_claims_queue_is_kept_per_secretary_and_its_kept_forms_still_decide(
    branch_a, branch_b, secretary_a, secretary_b, rule
):
    entry = claim(member_of(branch_a, "m_a"), rule["honour"], note="甲支部的申报")
    claim(member_of(branch_b, "m_b"), rule["honour"], note="乙支部的申报")
    ours = signed_in(secretary_a, enforce_csrf_checks=True)
    theirs = signed_in(secretary_b)

    first = main(ours.get(CLAIMS))
    with CaptureQueriesContext(connection) as again:
        second = main(ours.get(CLAIMS))
    assert "甲支部的申报" in second and "乙支部的申报" not in second
    assert not queries_on(again, "points_pointentry")  # the content from the cache
    assert first.split("csrfmiddlewaretoken", 1)[0] == second.split("csrfmiddlewaretoken", 1)[0]
    other = main(theirs.get(CLAIMS))
    assert "乙支部的申报" in other and "甲支部的申报" not in other

    # The form of the kept page carries this request's token: the decision goes through with CSRF checks on.
    token = second.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = ours.post(
        reverse("points:decide", args=[entry.pk]), {"decision": "approve", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == PointEntry.Status.APPROVED
    after = main(ours.get(CLAIMS))  # the decision shows at once: no longer waiting, recently decided
    assert f'data-claim="{entry.pk}"' not in after and 'data-testid="decided-table"' in after

    PointEntry.objects.filter(pk=entry.pk).update(decision_note="批量改的理由")  # a bulk update
    assert "批量改的理由" in main(ours.get(CLAIMS))
    assert "批量改的理由" not in main(theirs.get(CLAIMS))


# --- the leaderboard ----------------------------------------------------------------------------------------


def chart(response) -> dict:
    html = response.content.decode()
    return json.loads(html.split('id="points-data" type="application/json">', 1)[1].split("</script>", 1)[0])


def test_the_board_is_kept_per_viewer_with_its_chart_and_shows_a_write_at_once(
    branch_a, branch_b, secretary_a, secretary_b, rule
):
    one, two = member_of(branch_a, "m_one"), member_of(branch_a, "m_two")
    member_of(branch_b, "m_three")
    entry = claim(one, rule["honour"])
    PointEntry.objects.filter(pk=entry.pk).update(status=PointEntry.Status.APPROVED, points=7)
    ours, theirs = signed_in(secretary_a), signed_in(secretary_b)
    query = {"year": this_year()}

    first = ours.get(BOARD, query)
    with CaptureQueriesContext(connection) as again:
        second = ours.get(BOARD, query)
    assert main(second) == main(first) and chart(second) == chart(first)
    assert not queries_on(again, "points_pointentry") and not queries_on(again, "members_member")
    assert "m_one同志" in main(second) and "m_three同志" not in main(second)
    assert sum(chart(second)["values"]) == 2  # the chart's data comes with the kept content
    other = main(theirs.get(BOARD, query))
    assert "m_three同志" in other and "m_one同志" not in other

    # A member's own row is marked: kept per account, never one member's board for another.
    marked = [main(signed_in(m.user).get(BOARD, query)) for m in (one, two, one)]
    for page, member in zip(marked, (one, two, one), strict=True):
        row = page.split("data-mine", 1)[1].split("</tr>", 1)[0]
        assert member.name in row and page.count("data-mine") == 1

    PointEntry.objects.filter(pk=entry.pk).update(points=30)  # a bulk update: the totals and the chart move
    assert chart(ours.get(BOARD, query)) != chart(second)
    claim(two, rule["honour"])  # a claim waiting counts for nothing, but the page is computed again and equal
    assert "m_two同志" in main(ours.get(BOARD, query))
