"""Writing visits and the hardship register: the rules a form cannot see, and the member register kept in step."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from activities.visits import services
from activities.visits.models import HardshipRecord, HomeVisit
from activities.visits.tests.factories import HardshipRecordFactory, HomeVisitFactory, days_ago
from members.models import MemberChange
from tests.factories import EnterpriseFactory, MemberFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


# --- the hardship register and the member register ----------------------------------------------------------


def test_opening_a_record_marks_the_member_in_hardship_on_the_member_register(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)

    record = services.hardship_open(
        member=member, since=days_ago(10), kind=HardshipRecord.Kind.ILLNESS, description="本人住院治疗", by=secretary_a
    )

    member.refresh_from_db()
    assert record.is_current and record.opened_by == secretary_a
    assert member.is_hardship and member.hardship_note == "本人住院治疗"
    change = member.changes.get()
    assert change.action == MemberChange.Action.UPDATED and change.changed_by == secretary_a
    assert change.changes["is_hardship"] == [False, True]
    assert "困难党员" in change.note or "Hardship register" in change.note


def test_closing_the_record_takes_the_mark_off_and_clears_the_details(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    record = services.hardship_open(
        member=member, since=days_ago(100), kind=HardshipRecord.Kind.UNEMPLOYMENT, description="失业", by=secretary_a
    )

    services.hardship_close(record=record, resolved_on=today(), resolution="已重新就业", by=secretary_a)

    member.refresh_from_db()
    record.refresh_from_db()
    assert not member.is_hardship and member.hardship_note == ""
    assert record.status == HardshipRecord.Status.RESOLVED and record.resolved_on == today()
    assert record.closed_by == secretary_a and record.resolution == "已重新就业"
    assert member.changes.count() == 2


def test_a_member_marked_in_hardship_on_her_form_gets_no_second_history_entry_for_the_same_mark(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a, is_hardship=True, hardship_note="失业")
    services.hardship_open(
        member=member, since=days_ago(5), kind=HardshipRecord.Kind.UNEMPLOYMENT, description="失业", by=secretary_a
    )
    assert not member.changes.exists()


def test_a_member_has_one_current_record_at_a_time(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    services.hardship_open(member=member, since=days_ago(5), kind="illness", description="住院", by=secretary_a)
    with pytest.raises(ValidationError, match="already on the hardship register|已在困难党员台账"):
        services.hardship_open(member=member, since=days_ago(1), kind="family", description="家庭", by=secretary_a)
    assert HardshipRecord.objects.filter(member=member).count() == 1


def test_the_database_refuses_a_second_current_record():
    record = HardshipRecordFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        HardshipRecordFactory(member=record.member)


def test_a_closed_record_cannot_be_closed_again_nor_before_it_began(secretary_a):
    record = HardshipRecordFactory(since=days_ago(30))
    with pytest.raises(ValidationError) as early:
        services.hardship_close(record=record, resolved_on=days_ago(31), by=secretary_a)
    assert "resolved_on" in early.value.message_dict
    services.hardship_close(record=record, resolved_on=today(), by=secretary_a)
    with pytest.raises(ValidationError):
        services.hardship_close(record=record, resolved_on=today(), by=secretary_a)


def test_hardship_cannot_begin_in_the_future(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    with pytest.raises(ValidationError) as error:
        services.hardship_open(
            member=member, since=today() + datetime.timedelta(days=1), kind="other", description="x", by=secretary_a
        )
    assert "since" in error.value.message_dict
    member.refresh_from_db()
    assert not member.is_hardship


def test_after_a_resolved_record_a_new_one_can_be_opened(secretary_a):
    record = HardshipRecordFactory(since=days_ago(300))
    services.hardship_close(record=record, resolved_on=days_ago(100), by=secretary_a)
    services.hardship_open(
        member=record.member, since=days_ago(10), kind="family", description="家人重病", by=secretary_a
    )
    record.member.refresh_from_db()
    assert record.member.is_hardship and record.member.hardship_note == "家人重病"


# --- visits -------------------------------------------------------------------------------------------------


def test_a_visit_is_recorded_with_who_recorded_it(branch_a, secretary_a):
    visit = HomeVisit(
        organization=branch_a,
        member=MemberFactory(organization=branch_a),
        kind=HomeVisit.Kind.HELP,
        visited_on=days_ago(1),
        visitors="王海燕",
        found="住院",
        help_given="慰问金",
        help_amount=Decimal("500.00"),
        follow_up_on=today() + datetime.timedelta(days=14),
    )
    services.visit_save(visit=visit, by=secretary_a)
    assert visit.pk and visit.recorded_by == secretary_a and visit.gave_help


def test_a_visit_in_the_future_or_a_follow_up_before_it_is_refused(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    future = HomeVisit(organization=branch_a, member=member, visited_on=today() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        services.visit_save(visit=future, by=secretary_a)
    assert "visited_on" in error.value.message_dict
    early = HomeVisit(
        organization=branch_a, member=member, visited_on=days_ago(2), follow_up_on=days_ago(3), visitors="a", found="b"
    )
    with pytest.raises(ValidationError) as error:
        services.visit_save(visit=early, by=secretary_a)
    assert "follow_up_on" in error.value.message_dict
    assert not HomeVisit.objects.exists()


def test_a_family_visit_says_who_of_the_family_was_seen(branch_a, secretary_a):
    visit = HomeVisit(
        organization=branch_a,
        whom=HomeVisit.Whom.FAMILY,
        member=MemberFactory(organization=branch_a, is_mobile=True),
        visited_on=days_ago(1),
        visitors="王海燕",
        found="家人安好",
    )
    with pytest.raises(ValidationError) as error:
        services.visit_save(visit=visit, by=secretary_a)
    assert "family_contact" in error.value.message_dict


def test_the_database_refuses_a_visit_to_nobody_or_to_two_at_once(branch_a, building):
    with pytest.raises(IntegrityError), transaction.atomic():
        HomeVisitFactory(organization=branch_a, member=None, whom=HomeVisit.Whom.MEMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        HomeVisitFactory(
            member=MemberFactory(organization=branch_a),
            enterprise=EnterpriseFactory(building=building),
            whom=HomeVisit.Whom.ENTERPRISE,
        )


def test_a_follow_up_is_marked_done_once(secretary_a):
    visit = HomeVisitFactory(follow_up_on=today())
    services.follow_up_done(visit=visit, by=secretary_a, note="已电话回访")
    visit.refresh_from_db()
    assert visit.follow_up_done and visit.follow_up_done_by == secretary_a and visit.follow_up_note == "已电话回访"
    with pytest.raises(ValidationError):
        services.follow_up_done(visit=visit, by=secretary_a)


def test_a_visit_without_a_follow_up_cannot_have_it_done(secretary_a):
    with pytest.raises(ValidationError):
        services.follow_up_done(visit=HomeVisitFactory(), by=secretary_a)


def test_taking_the_follow_up_off_an_edited_visit_clears_its_done(secretary_a):
    visit = HomeVisitFactory(follow_up_on=today())
    services.follow_up_done(visit=visit, by=secretary_a)
    visit.refresh_from_db()
    visit.follow_up_on = None
    services.visit_save(visit=visit, by=secretary_a)
    visit.refresh_from_db()
    assert visit.follow_up_done_at is None and visit.follow_up_done_by is None


def test_a_secretarys_visit_belongs_to_her_branch_and_an_admins_to_the_general_branch(
    branch_a, general_branch, group_a, secretary_a, admin_user
):
    member = MemberFactory(organization=group_a)
    assert services.visit_organization(user=secretary_a, member=member) == branch_a
    assert services.visit_organization(user=admin_user, member=member) == general_branch
