"""A member's page is kept whole (``data_cache.page``) under the viewer's account: served from the cache until a
table it was read from is written, never shown to another account, and never kept with a revealed ID number.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buildingparty import data_cache
from buildingparty.models import AuditRecord
from members import services
from members.models import Member
from tests.factories import MemberFactory
from tests.kept import main_without_tokens as main
from tests.kept import queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]


def test_a_members_page_comes_from_the_cache_until_the_member_is_written(secretary_a, branch_a):
    member = MemberFactory(organization=branch_a, name="甲一", phone="13800000001")
    client = signed_in(secretary_a)
    first = client.get(member.get_absolute_url())
    with CaptureQueriesContext(connection) as again:
        second = client.get(member.get_absolute_url())
    assert main(second) == main(first) and "13800000001" in main(second)
    assert not queries_on(again, "members_member")  # the page from the cache
    assert "<title>甲一 ·" in second.content.decode()  # the title too
    assert data_cache.CSRF_PLACEHOLDER not in second.content.decode()  # its forms carry this request's token

    Member.objects.filter(pk=member.pk).update(phone="13900000002")  # a bulk update
    assert "13900000002" in main(client.get(member.get_absolute_url()))
    member.refresh_from_db()
    member.name = "甲二"
    member.save()  # an ORM save
    response = client.get(member.get_absolute_url())
    assert "甲二" in main(response) and "<title>甲二 ·" in response.content.decode()
    services.lost_contact_set(member=member, since=member.joined_on, by=secretary_a)  # a service's write
    assert 'data-testid="timeline"' in main(client.get(member.get_absolute_url()))


def test_each_account_sees_its_own_page_of_the_same_member(secretary_a, secretary_b, member_user):
    member = member_user.member
    url = member.get_absolute_url()
    officer = main(signed_in(secretary_a).get(url))
    signed_in(secretary_a).get(url)  # kept for the secretary
    assert reverse("members:edit", args=[member.pk]) in officer
    assert reverse("members:propose", args=[member.pk]) not in officer

    own = main(signed_in(member_user).get(url))  # her own record: her buttons, not the secretary's
    assert reverse("members:propose", args=[member.pk]) in own
    assert reverse("members:edit", args=[member.pk]) not in own and 'data-testid="history"' not in own
    assert signed_in(member_user).get(reverse("members:mine")).url == url

    other = signed_in(secretary_b)  # another branch: still not found, however often the page was kept
    assert other.get(url).status_code == 404
    assert other.get(url).status_code == 404


def test_a_revealed_id_number_is_never_kept_and_each_reveal_is_recorded(secretary_a, branch_a):
    member = MemberFactory(organization=branch_a)
    client = signed_in(secretary_a)
    client.get(member.get_absolute_url())  # the masked page kept
    for _ in range(2):
        revealed = client.post(reverse("members:reveal_id", args=[member.pk])).content.decode()
        assert member.id_number in revealed and 'data-testid="full-id"' in revealed
    assert AuditRecord.objects.filter(action=AuditRecord.Action.REVEAL_ID, object_id=str(member.pk)).count() == 2
    again = main(client.get(member.get_absolute_url()))
    assert member.id_number not in again and member.masked_id_number in again
