"""A member's appraisal page is kept whole (``data_cache.page``) under her account: served from the cache until a
table it was read from is written (her own assessments among them), never shown to another member; a form sent
back with its errors is not kept.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.appraisal import services
from activities.appraisal.models import Appraisal, Grade
from activities.appraisal.tests.factories import YEAR, appraisals, members, open_round
from tests.factories import MemberFactory, UserFactory
from tests.kept import main_without_tokens as main
from tests.kept import queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

URL = "/activities/appraisal/mine/"


@pytest.fixture
def round_a(member_user, branch_a):
    members(branch_a, full=2, probationary=1)
    return services.round_open(organization=branch_a, year=YEAR, by=None)


def test_her_page_comes_from_the_cache_until_she_or_the_round_writes(member_user, round_a):
    assert reverse("appraisal:mine") == URL
    client = signed_in(member_user)
    mine = round_a.appraisals.get(member=member_user.member)
    first = client.get(URL)
    with CaptureQueriesContext(connection) as again:
        second = client.get(URL)
    assert main(second) == main(first) and 'data-testid="peer-form"' in main(second)
    assert not queries_on(again, "appraisal_")  # from the cache

    Appraisal.objects.filter(pk=mine.pk).update(self_assessment="一条批量写入的自评")  # a bulk update
    assert "一条批量写入的自评" in main(client.get(URL))
    peer = next(a for a in appraisals(round_a) if a.member_id != member_user.member.pk)
    response = client.post(reverse("appraisal:peer"), {f"grade_{peer.pk}": Grade.EXCELLENT})
    assert response.status_code == 302
    assert "1 / 3" in main(client.get(URL))  # her progress, read again after her own write


def test_a_form_sent_back_is_not_kept(member_user, round_a):
    client = signed_in(member_user)
    client.get(URL)
    refused = client.post(URL, {"self_assessment": ""})
    assert refused.status_code == 200 and "is-invalid" in main(refused)
    assert "is-invalid" not in main(client.get(URL))  # the GET: the kept page, without her errors


def test_two_members_never_see_each_others_page(member_user, round_a, branch_b):
    other = UserFactory(username="member_b", role="member", building=branch_b.building)
    MemberFactory(organization=branch_b, user=other, name="乙某")
    open_round(branch_b, full=2)
    mine = signed_in(member_user)
    mine.get(URL)
    ours, theirs = main(mine.get(URL)), main(signed_in(other).get(URL))
    assert round_a.organization.name in ours and round_a.organization.name not in theirs
    assert branch_b.name in theirs and branch_b.name not in ours
    outsider = UserFactory(username="nobody", role="member", building=branch_b.building)  # no record: refused
    assert signed_in(outsider).get(URL).status_code == 403
