"""Writes to the register: every change is kept with who and when; rules hold across fields."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from members import services
from members.models import ChangeProposal, Member, MemberChange
from tests.factories import MemberFactory, make_id_number

pytestmark = pytest.mark.django_db


def new_member(organization, **fields) -> Member:
    values = dict(
        name="张三",
        id_number=make_id_number(901),
        ethnicity="01",
        category="full",
        organization=organization,
        joined_on=datetime.date(2015, 7, 1),
        full_member_on=datetime.date(2016, 7, 1),
    )
    values.update(fields)
    return Member(**values)


def test_creating_a_member_fills_birth_date_gender_and_initials_and_opens_history(branch_a, secretary_a):
    member = new_member(branch_a)
    member.full_clean()
    services.member_create(member=member, created_by=secretary_a)
    member.refresh_from_db()
    assert member.birth_date == datetime.date(1990, 1, 1) + datetime.timedelta(days=901 // 500)
    assert member.gender == "M"
    assert member.name_initials == "zs"
    entry = member.changes.get()
    assert entry.action == MemberChange.Action.CREATED and entry.changed_by == secretary_a


def test_a_birth_date_that_disagrees_with_the_id_number_is_refused(branch_a):
    member = new_member(branch_a, birth_date=datetime.date(1991, 5, 5))
    with pytest.raises(ValidationError) as exc:
        member.full_clean()
    assert "birth_date" in exc.value.error_dict


def test_a_gender_that_disagrees_with_the_id_number_is_refused(branch_a):
    with pytest.raises(ValidationError) as exc:
        new_member(branch_a, gender="F").full_clean()
    assert "gender" in exc.value.error_dict


def test_lower_case_x_is_stored_upper_case(branch_a):
    member = new_member(branch_a, id_number="11010519491231002x")
    member.full_clean()
    assert member.id_number.endswith("X")


@pytest.mark.parametrize(
    "fields, bad_field",
    [
        ({"full_member_on": datetime.date(2015, 6, 1)}, "full_member_on"),  # before joining
        ({"full_member_on": None}, "full_member_on"),  # full member needs the date
        ({"category": "probationary"}, "full_member_on"),  # probationary has no full date
        ({"joined_on": datetime.date(2005, 1, 1), "full_member_on": None, "category": "probationary"}, "joined_on"),
        ({"phone": "12345"}, "phone"),
    ],
)
def test_rules_across_fields(branch_a, fields, bad_field):
    with pytest.raises(ValidationError) as exc:
        new_member(branch_a, **fields).full_clean()
    assert bad_field in exc.value.error_dict


def test_a_probationary_member_gets_an_expected_conversion_date(branch_a):
    member = new_member(branch_a, category="probationary", full_member_on=None, joined_on=datetime.date(2026, 3, 1))
    member.full_clean()
    assert member.expected_full_on == datetime.date(2027, 3, 1)


def test_an_edit_records_old_and_new_values_with_who(branch_a, branch_b, secretary_a):
    member = MemberFactory(organization=branch_a, phone="13900000001")
    member.phone, member.organization = "13900000002", branch_b
    changes = services.member_update(member=member, changed_by=secretary_a)
    assert changes["phone"] == ["13900000001", "13900000002"]
    assert changes["organization"] == [branch_a.name, branch_b.name]
    entry = member.changes.get(action=MemberChange.Action.UPDATED)
    assert entry.changed_by == secretary_a and entry.changes == changes


def test_saving_without_changes_writes_no_history(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    assert services.member_update(member=member, changed_by=secretary_a) == {}
    assert not member.changes.exists()


def test_a_members_proposal_applies_only_when_approved(member_user, secretary_a):
    member = member_user.member
    proposal = services.proposal_submit(
        member=member, values={"phone": "13711112222", "skills": "法律咨询"}, proposed_by=member_user
    )
    member.refresh_from_db()
    assert member.phone != "13711112222"
    services.proposal_decide(proposal=proposal, approve=True, decided_by=secretary_a)
    member.refresh_from_db()
    assert member.phone == "13711112222" and member.skills == "法律咨询"
    assert member.changes.filter(action=MemberChange.Action.PROPOSAL, changed_by=secretary_a).exists()


def test_a_rejection_needs_a_reason_and_changes_nothing(member_user, secretary_a):
    proposal = services.proposal_submit(member=member_user.member, values={"job_note": "会计"}, proposed_by=member_user)
    with pytest.raises(ValidationError):
        services.proposal_decide(proposal=proposal, approve=False, decided_by=secretary_a, note=" ")
    services.proposal_decide(proposal=proposal, approve=False, decided_by=secretary_a, note="请先与支部联系")
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.REJECTED
    assert member_user.member.job_note != "会计"


def test_one_proposal_waits_at_a_time_and_decisions_are_final(member_user, secretary_a):
    proposal = services.proposal_submit(member=member_user.member, values={"job_note": "会计"}, proposed_by=member_user)
    with pytest.raises(ValidationError):
        services.proposal_submit(member=member_user.member, values={"job_note": "出纳"}, proposed_by=member_user)
    services.proposal_decide(proposal=proposal, approve=True, decided_by=secretary_a)
    with pytest.raises(ValidationError):
        services.proposal_decide(proposal=proposal, approve=False, decided_by=secretary_a, note="no")


def test_only_contact_and_job_fields_can_be_proposed(member_user):
    with pytest.raises(ValidationError):
        services.proposal_submit(member=member_user.member, values={"organization": 1}, proposed_by=member_user)


def test_a_mobile_period_opens_and_closes_and_keeps_the_current_flag(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    services.mobile_start(
        member=member,
        by=secretary_a,
        province="浙江省",
        city="杭州市",
        county="西湖区",
        since=datetime.date(2026, 3, 1),
        card_number="浙流〔2026〕001号",
    )
    member.refresh_from_db()
    assert member.is_mobile and member.mobile_destination == "浙江省杭州市西湖区"
    with pytest.raises(ValidationError):
        services.mobile_start(member=member, by=secretary_a, province="上海市", since=datetime.date(2026, 4, 1))
    with pytest.raises(ValidationError):
        services.mobile_end(member=member, until=datetime.date(2026, 2, 1), by=secretary_a)
    services.mobile_end(member=member, until=datetime.date(2026, 9, 1), by=secretary_a)
    member.refresh_from_db()
    assert not member.is_mobile and member.mobile_periods.get().until == datetime.date(2026, 9, 1)
    assert member.changes.filter(action=MemberChange.Action.MOBILE).count() == 2


def test_lost_contact_is_recorded_and_cleared(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    services.lost_contact_set(member=member, since=datetime.date(2026, 1, 10), by=secretary_a, note="电话停机")
    services.lost_contact_set(member=member, since=None, by=secretary_a)
    member.refresh_from_db()
    assert member.lost_contact_since is None
    assert member.changes.filter(action=MemberChange.Action.LOST_CONTACT).count() == 2


def test_pinyin_initials():
    assert services.name_initials("张三") == "zs"
    assert services.name_initials("欧阳晓燕") == "oyxy"
