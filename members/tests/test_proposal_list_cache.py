"""The proposed-changes queue is kept whole, as HTML, by ``buildingparty.data_cache.page`` under the viewer's scope: a
repeat request reads no proposal, a write (a decision, a new proposal, an ``update()``) shows on the next request,
two branches' secretaries never see each other's queue, and the kept decision forms get each request's own CSRF
token.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buildingparty import data_cache
from members.models import ChangeProposal
from tests.factories import MemberFactory
from tests.kept import main, queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

URL = "/members/proposals/"


def propose(member, phone="13800000000") -> ChangeProposal:
    return ChangeProposal.objects.create(member=member, changes={"phone": phone})


def test_the_queue_is_kept_and_shows_a_write_at_once(secretary_a, branch_a):
    assert reverse("members:proposals") == URL
    proposal = propose(MemberFactory(organization=branch_a, name="王待批"))
    client = signed_in(secretary_a)

    first = main(client.get(URL))
    with CaptureQueriesContext(connection) as again:
        second = main(client.get(URL))
    assert "王待批" in second and "13800000000" in second
    assert not queries_on(again, "members_changeproposal")  # from the cache
    assert data_cache.CSRF_PLACEHOLDER not in second  # the decision forms have this request's token
    assert first.split('name="csrfmiddlewaretoken"')[0] == second.split('name="csrfmiddlewaretoken"')[0]

    ChangeProposal.objects.filter(pk=proposal.pk).update(changes={"phone": "13900000000"})  # no signal, still seen
    assert "13900000000" in main(client.get(URL))
    propose(MemberFactory(organization=branch_a, name="李新提"))
    assert "李新提" in main(client.get(URL))

    decided = client.post(reverse("members:proposal_decide", args=[proposal.pk]), {"decision": "approve"})
    assert decided.status_code == 302
    after = main(client.get(URL))
    waiting, table = after.split('data-testid="pending-proposals"', 1)[1].split('<div class="table-responsive">', 1)
    assert "王待批" not in waiting and "李新提" in waiting and "王待批" in table  # decided: in the table below now


def test_two_branches_secretaries_never_see_each_others_queue(secretary_a, secretary_b, branch_a, branch_b):
    propose(MemberFactory(organization=branch_a, name="甲支部成员"))
    propose(MemberFactory(organization=branch_b, name="乙支部成员"))

    for _ in range(2):  # the second time from the cache
        ours, theirs = main(signed_in(secretary_a).get(URL)), main(signed_in(secretary_b).get(URL))
        assert "甲支部成员" in ours and "乙支部成员" not in ours
        assert "乙支部成员" in theirs and "甲支部成员" not in theirs


def test_the_admin_sees_the_building_and_a_member_is_refused(admin_user, member_user, branch_a, branch_b):
    propose(MemberFactory(organization=branch_a, name="甲支部成员"))
    propose(MemberFactory(organization=branch_b, name="乙支部成员"))

    building = main(signed_in(admin_user).get(URL))
    assert "甲支部成员" in building and "乙支部成员" in building
    assert signed_in(member_user).get(URL).status_code == 403
