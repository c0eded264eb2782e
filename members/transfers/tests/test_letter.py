"""The printed transfer letter as the official form has it (DOMAIN.md §5): the issuing committee's name and seal
with the branch as handler, validity in capital numerals, the receipt addressed to the issuing committee, a fax
line; and a move between the building's branches printed as an internal adjustment, not the national letter."""

import datetime

import pytest
from django.urls import reverse

from members.transfers.numerals import capital_days
from members.transfers.tests.factories import issue
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

COMMITTEE = "中共慈溪市浒山街道工作委员会"


@pytest.mark.parametrize(
    ("days", "capitals"),
    [
        (1, "壹"),
        (9, "玖"),
        (10, "拾"),
        (11, "拾壹"),
        (15, "拾伍"),
        (19, "拾玖"),
        (20, "贰拾"),
        (21, "贰拾壹"),
        (30, "叁拾"),
        (45, "肆拾伍"),
        (60, "陆拾"),
        (89, "捌拾玖"),
        (90, "玖拾"),
    ],
)
def test_rule_validity_is_written_in_capital_numerals(days, capitals):
    assert capital_days(days) == capitals


@pytest.mark.parametrize("days", [0, -1, 100])
def test_capital_days_refuses_what_no_letter_carries(days):
    with pytest.raises(ValueError):
        capital_days(days)


@pytest.fixture
def letter(building, branch_a, secretary_a):
    building.issuing_committee = COMMITTEE
    building.issuing_phone = "0574-63012345"
    building.issuing_fax = "0574-63012346"
    building.save()
    member = MemberFactory(organization=branch_a, name="王建华")
    return issue(
        member, by=secretary_a, to_name="宁波市鄞州区某科技公司党支部", dues_paid_until=datetime.date(2026, 3, 1)
    )


def test_rule_the_letter_carries_the_issuing_committees_seal_with_the_branch_as_handler(secretary_a_client, letter):
    body = secretary_a_client.get(reverse("members:transfer_letter", args=[letter.pk])).content.decode()

    assert f'data-testid="seal-line">{COMMITTEE}（盖章）' in body
    assert "经办：第一党支部" in body
    assert '有效期<span class="fill" data-testid="validity">叁拾</span>天' in body
    assert f'data-testid="receipt-to"><span class="fill">{COMMITTEE}</span>：' in body
    assert 'data-testid="fax-line">传真：0574-63012346<' in body and "联系电话：0574-63012345" in body


def test_a_building_without_an_issuing_committee_prints_the_branch(secretary_a_client, branch_a, secretary_a):
    transfer = issue(MemberFactory(organization=branch_a), by=secretary_a, to_name="某支部")

    body = secretary_a_client.get(reverse("members:transfer_letter", args=[transfer.pk])).content.decode()

    assert 'data-testid="seal-line">第一党支部（盖章）' in body


def test_rule_a_move_between_branches_prints_an_internal_adjustment_not_the_letter(
    secretary_a_client, general_branch, branch_a, branch_b, secretary_a
):
    member = MemberFactory(organization=branch_a, name="李内调")
    transfer = issue(member, by=secretary_a, direction="internal", to_organization=branch_b)

    response = secretary_a_client.get(reverse("members:transfer_letter", args=[transfer.pk]))

    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="internal-adjustment"' in body
    assert "党组织关系内部调整" in body and '调整到<span class="fill">第二党支部</span>' in body
    assert "联合党总支" in body  # recorded by the general branch
    assert "组织关系介绍信" not in body and 'data-part="receipt"' not in body
    assert member.masked_id_number in body and member.id_number not in body


def test_the_letter_of_another_branch_is_not_found(client, login_as, secretary_b, letter):
    assert login_as(secretary_b).get(reverse("members:transfer_letter", args=[letter.pk])).status_code == 404
