"""The demo's committees (members/committees/demo.py): what the admin and secretary1 find after `seed_demo`."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import PartyOrganization
from members.committees.models import CommitteeSeat, CommitteeTerm
from members.models import Member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]

Post = CommitteeSeat.Post


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_every_branch_and_the_general_branch_has_a_current_term_and_one_falls_due_next_quarter():
    today = timezone.localdate()
    current = {t.organization.name: t for t in CommitteeTerm.objects.current().select_related("organization")}
    branches = PartyOrganization.objects.exclude(kind=PartyOrganization.Kind.GROUP).values_list("name", flat=True)
    assert set(current) == set(branches)

    for name in (demo.GENERAL_BRANCH, demo.BRANCH_1):
        term = current[name]
        posts = list(term.seats.filter(until__isnull=True).values_list("post", flat=True))
        assert term.is_committee and sorted(posts) == sorted(
            [Post.SECRETARY, Post.DEPUTY, Post.ORGANISATION, Post.PROPAGANDA, Post.DISCIPLINE]
        )
    for name in (demo.ECOMMERCE_BRANCH, demo.SOCIAL_ORG_BRANCH, demo.PROPERTY_BRANCH):
        assert not current[name].is_committee
    assert current[demo.BRANCH_1].standing(today) == "due_soon" and 0 < current[demo.BRANCH_1].days_left(today) <= 100
    assert current[demo.ECOMMERCE_BRANCH].standing(today) == "overdue"

    # History: past terms, and the first branch's by-election.
    assert CommitteeTerm.objects.filter(ended_on__isnull=False).count() >= 3
    assert current[demo.BRANCH_1].seats.filter(until__isnull=False, post=Post.DISCIPLINE).count() == 1
    # Every post is held by a full member in normal standing of the organisation's tree; member1 holds none.
    for seat in CommitteeSeat.objects.select_related("member", "term__organization"):
        assert seat.member.category == Member.Category.FULL
        assert seat.member.organization_id in seat.term.organization.subtree_ids()
    assert not CommitteeSeat.objects.filter(member__user__username="member1").exists()
    # The register's 职务 agrees: the property branch's 支部书记 is its secretary.
    property_secretary = current[demo.PROPERTY_BRANCH].seats.get(post=Post.SECRETARY).member
    assert "支部书记" in property_secretary.posts


def test_seeding_again_adds_no_terms_or_posts():
    before = list(CommitteeSeat.objects.order_by("pk").values_list("pk", "term_id", "member_id", "until"))
    terms = list(CommitteeTerm.objects.order_by("pk").values_list("pk", "ended_on"))
    seed()
    assert list(CommitteeSeat.objects.order_by("pk").values_list("pk", "term_id", "member_id", "until")) == before
    assert list(CommitteeTerm.objects.order_by("pk").values_list("pk", "ended_on")) == terms
