"""The transfer list is kept whole (``data_cache.page``) under the viewer's scope: served from the cache until a table
it was read from is written, and never shown to another branch.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Transfer
from members.transfers.tests.factories import TransferFactory
from tests.factories import MemberFactory
from tests.kept import main_without_tokens as main
from tests.kept import queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]


def test_the_transfer_list_comes_from_the_cache_until_a_transfer_is_written(secretary_a, branch_a):
    member = MemberFactory(organization=branch_a, name="甲一")
    transfer = TransferFactory(member=member, letter_number="甲转〔2026〕1号")
    client = signed_in(secretary_a)
    url = reverse("members:transfer_list")
    first = main(client.get(url))
    with CaptureQueriesContext(connection) as again:
        second = main(client.get(url))
    assert second == first and "甲转〔2026〕1号" in second
    assert not queries_on(again, "members_transfer")  # from the cache

    Transfer.objects.filter(pk=transfer.pk).update(letter_number="甲转〔2026〕2号")  # a bulk update
    assert "甲转〔2026〕2号" in main(client.get(url))
    TransferFactory(member=MemberFactory(organization=branch_a), letter_number="甲转〔2026〕3号")  # an ORM insert
    assert "甲转〔2026〕3号" in main(client.get(url))

    filtered = main(client.get(url, {"status": "closed"}))  # the query is part of the key; "Clear" shows then
    assert "甲转〔2026〕3号" not in filtered and f'href="{url}"' in filtered
    assert f'class="btn btn-link" href="{url}"' not in main(client.get(url))


def test_two_branches_never_see_each_others_transfers(secretary_a, secretary_b, branch_a, branch_b):
    TransferFactory(member=MemberFactory(organization=branch_a), letter_number="甲转〔2026〕1号")
    TransferFactory(member=MemberFactory(organization=branch_b), letter_number="乙转〔2026〕1号")
    url = reverse("members:transfer_list")
    mine = signed_in(secretary_a)
    mine.get(url)
    ours = main(mine.get(url))
    theirs = main(signed_in(secretary_b).get(url))
    assert "甲转〔2026〕1号" in ours and "乙转〔2026〕1号" not in ours
    assert "乙转〔2026〕1号" in theirs and "甲转〔2026〕1号" not in theirs
