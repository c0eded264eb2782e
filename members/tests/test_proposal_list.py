"""The proposed-changes queue: waiting proposals a page at a time, the latest decided, a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import ChangeProposal
from members.views import records
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = reverse("members:proposals")


def propose(member, *, hours_ago: int, status=ChangeProposal.Status.PENDING) -> ChangeProposal:
    when = timezone.now() - datetime.timedelta(hours=hours_ago)
    return ChangeProposal.objects.create(
        member=member,
        changes={"phone": "13800000000"},
        status=status,
        proposed_at=when,
        decided_at=None if status == ChangeProposal.Status.PENDING else when,
    )


def test_page_two_shows_the_rest_of_the_waiting_proposals(secretary_a_client, branch_a, monkeypatch):
    monkeypatch.setattr(records, "PAGE_SIZE", 3)
    names = [f"待批{n}" for n in range(5)]
    for hours, name in enumerate(names):
        propose(MemberFactory(organization=branch_a, name=name), hours_ago=hours)

    first = secretary_a_client.get(URL)
    second = secretary_a_client.get(URL, {"page": 2})

    assert [p.member.name for p in first.context["pending"]] == names[:3]
    assert [p.member.name for p in second.context["pending"]] == names[3:]
    assert second.context["page"].paginator.count == 5
    assert "page=1" in second.content.decode()


def test_only_the_latest_decided_are_shown(secretary_a_client, branch_a, monkeypatch):
    monkeypatch.setattr(records, "DECIDED_SHOWN", 2)
    member = MemberFactory(organization=branch_a)
    for hours in range(4):
        propose(member, hours_ago=hours, status=ChangeProposal.Status.APPROVED)

    decided = secretary_a_client.get(URL).context["decided"]

    assert len(decided) == 2 and decided[0].proposed_at > decided[1].proposed_at


def test_another_branchs_proposals_stay_out(secretary_a_client, branch_b):
    propose(MemberFactory(organization=branch_b, name="别支部"), hours_ago=1)

    assert "别支部" not in secretary_a_client.get(URL).content.decode()


@pytest.mark.parametrize("scale", [1, 3])
def test_the_queue_runs_the_same_queries_at_1x_and_3x(secretary_a_client, branch_a, scale, monkeypatch):
    monkeypatch.setattr(records, "PAGE_SIZE", 2)
    for n in range(4 * scale):
        member = MemberFactory(organization=branch_a)
        propose(member, hours_ago=n)
        propose(member, hours_ago=n, status=ChangeProposal.Status.REJECTED)
    secretary_a_client.get(URL)  # warm the session

    with CaptureQueriesContext(connection) as queries:
        response = secretary_a_client.get(URL, {"page": 2})

    assert len(response.context["pending"]) == 2
    assert len(queries) == FIXED_QUERIES, [q["sql"] for q in queries]


# The session, the user and the base page's own, then the count, the page of waiting proposals and the decided:
# the same however many proposals there are.
FIXED_QUERIES = 11
