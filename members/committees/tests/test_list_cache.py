"""The committees list is kept whole (``data_cache.page``): under the scope for officers and street viewers, under
the account for a member; served from the cache until a table it was read from is written.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.committees.models import CommitteeSeat, CommitteeTerm
from members.committees.tests.factories import CommitteeSeatFactory, CommitteeTermFactory
from tests.factories import MemberFactory, UserFactory
from tests.kept import main_without_tokens as main
from tests.kept import queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

URL = "/members/committees/"


def test_the_list_comes_from_the_cache_until_a_term_or_a_post_is_written(street_user, branch_a):
    assert reverse("committees:list") == URL
    term = CommitteeTermFactory(organization=branch_a, term_years=3)
    CommitteeSeatFactory(term=term, member=MemberFactory(organization=branch_a, name="甲书记"), post="secretary")
    client = signed_in(street_user)
    first = main(client.get(URL))
    with CaptureQueriesContext(connection) as again:
        second = main(client.get(URL))
    assert second == first and "甲书记" in second
    assert not queries_on(again, "committees_committeeterm")  # from the cache

    CommitteeTerm.objects.filter(pk=term.pk).update(term_years=5)  # a bulk update
    assert '<td class="text-end">5</td>' in main(client.get(URL))
    CommitteeSeatFactory(term=term, member=MemberFactory(organization=branch_a, name="甲委员"))  # an ORM insert
    assert "甲委员" in main(client.get(URL))
    CommitteeSeat.objects.filter(member__name="甲委员").delete()
    assert "甲委员" not in main(client.get(URL))


def test_members_of_two_branches_see_their_own_branch_only(member_user, branch_a, branch_b):
    CommitteeTermFactory(organization=branch_a)
    CommitteeTermFactory(organization=branch_b)
    other = UserFactory(username="member_b", role="member", building=branch_b.building)
    MemberFactory(organization=branch_b, user=other)
    mine = signed_in(member_user)
    mine.get(URL)
    ours = main(mine.get(URL))
    theirs = main(signed_in(other).get(URL))
    assert f'data-organization="{branch_a.pk}"' in ours and f'data-organization="{branch_b.pk}"' not in ours
    assert f'data-organization="{branch_b.pk}"' in theirs and f'data-organization="{branch_a.pk}"' not in theirs
