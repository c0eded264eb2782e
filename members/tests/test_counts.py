"""Counts mean the same thing everywhere: a 党员 is a member in the party (normal or 停止党籍), never one
transferred out, deceased or otherwise gone — on the home page, the organisation pages, the points board and
the dues month alike (``Member.objects.in_party``)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from members.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def shown(response, testid: str) -> int:
    match = re.search(rf'data-testid="{testid}"[^>]*>\s*(\d+)', response.content.decode())
    assert match, f"{testid} not on the page"
    return int(match.group(1))


@pytest.fixture
def mixed_branch(branch_a, group_a, branch_b):
    MemberFactory(organization=branch_a, name="正常甲")
    MemberFactory(organization=group_a, name="正常乙")  # in a group of the branch
    MemberFactory(organization=branch_a, name="停止党籍", status=Member.Status.SUSPENDED)
    MemberFactory(organization=branch_a, name="已转出", whereabouts=Member.Whereabouts.TRANSFERRED_OUT)
    MemberFactory(organization=branch_a, name="已去世", status=Member.Status.DECEASED)
    MemberFactory(organization=branch_a, name="已除名", status=Member.Status.REMOVED)
    MemberFactory(organization=branch_b, name="别的支部")
    return branch_a


def test_rule_in_party_means_normal_or_suspended_and_still_here(mixed_branch):
    names = set(
        Member.objects.in_party()
        .filter(organization__in=[mixed_branch, *mixed_branch.children.all()])
        .values_list("name", flat=True)
    )
    assert names == {"正常甲", "正常乙", "停止党籍"}


def test_rule_counts_of_members_agree_on_home_branch_table_points_board_and_dues_month(
    secretary_a, admin_user, mixed_branch
):
    secretary_a_client, admin_client = Client(), Client()
    secretary_a_client.force_login(secretary_a)
    admin_client.force_login(admin_user)
    home = shown(secretary_a_client.get(reverse("home")), "members-total")
    organization = shown(
        secretary_a_client.get(reverse("organization_detail", args=[mixed_branch.pk])), "org-member-count"
    )
    tree = admin_client.get(reverse("organization_list"))
    in_tree = int(re.search(rf'data-testid="org-members-{mixed_branch.pk}">(\d+)', tree.content.decode()).group(1))
    board = shown(secretary_a_client.get(reverse("points:board")), "board-members")
    dues = shown(secretary_a_client.get(reverse("dues:month")), "dues-members")
    averages = admin_client.get(reverse("points:board")).context.get("averages")

    assert home == organization == in_tree == board == dues == 3
    if averages is not None:
        assert next(a.members for a in averages if a.branch == mixed_branch) == 3


def test_the_admins_home_counts_only_members_in_the_party(admin_client, mixed_branch):
    response = admin_client.get(reverse("home"))

    assert shown(response, "members-total") == 4  # three in branch A, one in branch B


def test_the_member_list_filters_by_whereabouts(secretary_a_client, mixed_branch):
    response = secretary_a_client.get(reverse("members:list"), {"whereabouts": "transferred_out"})

    assert [m.name for m in response.context["page"]] == ["已转出"]
