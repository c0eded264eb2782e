"""A member hears the decision on the change she proposed to her record, with the reason."""

import pytest
from django.urls import reverse

from buildingparty.models import Notification
from members import services

pytestmark = pytest.mark.django_db


def _propose(member_user, **values):
    return services.proposal_submit(member=member_user.member, values=values, proposed_by=member_user)


def test_rule_a_member_is_told_her_proposed_change_is_approved(member_user, secretary_a):
    proposal = _propose(member_user, phone="13711112222", skills="法律咨询")

    services.proposal_decide(proposal=proposal, approve=True, decided_by=secretary_a, note="已核实")

    notice = Notification.objects.get(user=member_user)
    assert notice.event == "proposal_approved"
    assert notice.title == "您提出的个人信息修改已通过"
    assert "13711112222" in notice.body and "法律咨询" in notice.body and "说明：已核实" in notice.body
    assert notice.url == reverse("members:mine")
    assert notice.dedupe_key == f"proposal:{proposal.pk}:approved"
    assert not Notification.objects.exclude(user=member_user).exists()  # the secretary is not told her own act


def test_rule_a_member_is_told_her_proposed_change_is_rejected_with_the_reason(
    member_user, secretary_a, secretary_a_client
):
    proposal = _propose(member_user, job_note="会计")

    secretary_a_client.post(
        reverse("members:proposal_decide", args=[proposal.pk]),
        {"decision": "reject", "decision_note": "请先与支部联系"},
    )

    notice = Notification.objects.get(user=member_user)
    assert notice.event == "proposal_rejected"
    assert notice.title == "您提出的个人信息修改未通过"
    assert "理由：请先与支部联系" in notice.body
    assert "你" not in notice.title + notice.body


def test_a_decision_is_told_once(member_user, secretary_a):
    proposal = _propose(member_user, job_note="会计")
    services.proposal_decide(proposal=proposal, approve=False, decided_by=secretary_a, note="请先与支部联系")
    proposal.refresh_from_db()

    services._tell_proposer(proposal)  # a retry of the same decision

    assert Notification.objects.filter(user=member_user).count() == 1


def test_a_member_without_an_account_is_decided_for_without_a_notice(branch_a, secretary_a):
    from tests.factories import MemberFactory

    member = MemberFactory(organization=branch_a)
    proposal = services.proposal_submit(member=member, values={"job_note": "会计"}, proposed_by=secretary_a)

    services.proposal_decide(proposal=proposal, approve=True, decided_by=secretary_a)

    assert not Notification.objects.exists()
