"""Elections (换届) and posts: the rules of members/committees/services.py, the database's constraints, and the
selectors other apps count on."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from members.committees import selectors, services
from members.committees.models import CommitteeSeat, CommitteeTerm
from members.committees.tests.factories import CommitteeSeatFactory, CommitteeTermFactory
from members.models import Member
from tests.factories import MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

Post = CommitteeSeat.Post


def day(days_ago: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days_ago)


def elect(organization, seats, *, elected_on=None, years=3, is_committee=True, by=None):
    return services.term_elect(
        organization=organization,
        elected_on=elected_on or day(30),
        term_years=years,
        is_committee=is_committee,
        seats=seats,
        by=by,
    )


def messages_of(error: ValidationError) -> list[str]:
    return [m for messages in error.message_dict.values() for m in messages]


@pytest.fixture
def people(branch_a):
    return [MemberFactory(organization=branch_a, name=f"支委{n}") for n in range(5)]


# --- electing a term ----------------------------------------------------------------------------------------


def test_an_election_records_the_term_its_end_and_its_posts(branch_a, people, admin_user):
    term = elect(
        branch_a,
        [(people[0], Post.SECRETARY), (people[1], Post.ORGANISATION), (people[2], Post.PROPAGANDA)],
        elected_on=datetime.date(2024, 2, 29),
        years=4,
        by=admin_user,
    )
    assert term.ends_on == datetime.date(2028, 2, 29)
    assert term.created_by == admin_user and term.ended_on is None
    seats = {s.member.name: (s.post, s.since, s.created_by) for s in term.seats.all()}
    assert seats == {
        "支委0": (Post.SECRETARY, datetime.date(2024, 2, 29), admin_user),
        "支委1": (Post.ORGANISATION, datetime.date(2024, 2, 29), admin_user),
        "支委2": (Post.PROPAGANDA, datetime.date(2024, 2, 29), admin_user),
    }


def test_a_term_elected_on_29_february_ends_on_28_february_when_the_year_has_none(branch_a, people):
    term = elect(branch_a, [(people[0], Post.SECRETARY)], elected_on=datetime.date(2024, 2, 29), years=3)
    assert term.ends_on == datetime.date(2027, 2, 28)


def test_the_next_election_ends_the_current_term_and_its_posts_on_the_day(branch_a, people, secretary_a):
    first = elect(branch_a, [(people[0], Post.SECRETARY), (people[1], Post.DEPUTY)], elected_on=day(1200))
    second = elect(branch_a, [(people[1], Post.SECRETARY)], elected_on=day(100), by=secretary_a)
    first.refresh_from_db()
    assert first.ended_on == day(100)
    assert set(first.seats.values_list("until", flat=True)) == {day(100)}
    assert set(first.seats.values_list("ended_by", flat=True)) == {secretary_a.pk}
    assert list(CommitteeTerm.objects.current().filter(organization=branch_a)) == [second]


def test_a_term_is_three_to_five_years(branch_a, people):
    for years in (2, 6):
        with pytest.raises(ValidationError) as caught, translation.override("zh-hans"):
            elect(branch_a, [(people[0], Post.SECRETARY)], years=years)
        assert caught.value.message_dict["term_years"] == ["任期为3至5年（党章规定）。"]
    assert elect(branch_a, [(people[0], Post.SECRETARY)], years=5).ends_on == CommitteeTerm.end_of_term(day(30), 5)


def test_the_database_refuses_a_term_of_two_or_six_years(branch_a):
    for years in (2, 6):
        with pytest.raises(IntegrityError), transaction.atomic():
            CommitteeTermFactory(organization=branch_a, term_years=years)


def test_the_database_keeps_one_current_term_per_organisation(branch_a):
    CommitteeTermFactory(organization=branch_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeTermFactory(organization=branch_a, elected_on=datetime.date(2025, 1, 1))


def test_the_database_keeps_one_secretary_per_term(branch_a):
    term = CommitteeTermFactory(organization=branch_a)
    CommitteeSeatFactory(term=term, post=Post.SECRETARY)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeSeatFactory(term=term, post=Post.SECRETARY)


def test_exactly_one_secretary_is_elected(branch_a, people):
    for seats in ([(people[0], Post.ORGANISATION)], [(people[0], Post.SECRETARY), (people[1], Post.SECRETARY)]):
        with pytest.raises(ValidationError) as caught, translation.override("zh-hans"):
            elect(branch_a, seats)
        assert "须选举产生书记一名。" in caught.value.message_dict["seats"]
    assert not CommitteeTerm.objects.exists()


def test_a_person_is_elected_to_one_post(branch_a, people):
    with pytest.raises(ValidationError) as caught:
        elect(branch_a, [(people[0], Post.SECRETARY), (people[0], Post.ORGANISATION)])
    assert any("支委0" in m for m in caught.value.message_dict["seats"])


def test_only_members_of_the_organisation_and_its_groups_hold_posts(branch_a, group_a, branch_b, people):
    in_group = MemberFactory(organization=group_a, name="组员")
    elsewhere = MemberFactory(organization=branch_b, name="外支部党员")
    with pytest.raises(ValidationError) as caught, translation.override("zh-hans"):
        elect(branch_a, [(people[0], Post.SECRETARY), (elsewhere, Post.ORGANISATION)])
    assert caught.value.message_dict["seats"] == ["外支部党员不是第一党支部的党员。"]
    term = elect(branch_a, [(people[0], Post.SECRETARY), (in_group, Post.ORGANISATION)])
    assert term.seats.count() == 2


def test_the_general_branch_elects_from_every_branch_below_it(general_branch, branch_a, branch_b):
    a, b = MemberFactory(organization=branch_a), MemberFactory(organization=branch_b)
    term = elect(general_branch, [(a, Post.SECRETARY), (b, Post.DEPUTY)], years=5)
    assert set(term.seats.values_list("member_id", flat=True)) == {a.pk, b.pk}


def test_a_probationary_or_suspended_or_departed_member_cannot_be_elected(branch_a, people):
    probationary = MemberFactory(
        organization=branch_a,
        name="预备党员",
        category=Member.Category.PROBATIONARY,
        full_member_on=None,
        joined_on=day(100),
    )
    suspended = MemberFactory(organization=branch_a, name="停止党籍者", status=Member.Status.SUSPENDED)
    gone = MemberFactory(organization=branch_a, name="已转出者", whereabouts=Member.Whereabouts.TRANSFERRED_OUT)
    with pytest.raises(ValidationError) as caught, translation.override("zh-hans"):
        elect(
            branch_a,
            [
                (people[0], Post.SECRETARY),
                (probationary, Post.ORGANISATION),
                (suspended, Post.PROPAGANDA),
                (gone, Post.DISCIPLINE),
            ],
        )
    assert caught.value.message_dict["seats"] == [
        "预备党员是预备党员，没有被选举权。",
        "停止党籍者党籍状态不正常或已不在本楼宇，不能任职。",
        "已转出者党籍状态不正常或已不在本楼宇，不能任职。",
    ]


def test_without_a_committee_only_a_secretary_and_a_deputy_are_elected(branch_a, people):
    with pytest.raises(ValidationError) as caught:
        elect(branch_a, [(people[0], Post.SECRETARY), (people[1], Post.ORGANISATION)], is_committee=False)
    assert "seats" in caught.value.message_dict
    term = elect(branch_a, [(people[0], Post.SECRETARY), (people[1], Post.DEPUTY)], is_committee=False)
    assert not term.is_committee and term.seats.count() == 2


def test_an_election_is_not_in_the_future_nor_before_the_current_one(branch_a, people):
    with pytest.raises(ValidationError) as caught:
        elect(branch_a, [(people[0], Post.SECRETARY)], elected_on=timezone.localdate() + datetime.timedelta(days=1))
    assert "elected_on" in caught.value.message_dict
    elect(branch_a, [(people[0], Post.SECRETARY)], elected_on=day(100))
    for when in (day(100), day(200)):
        with pytest.raises(ValidationError) as caught:
            elect(branch_a, [(people[1], Post.SECRETARY)], elected_on=when)
        assert "elected_on" in caught.value.message_dict
    assert CommitteeTerm.objects.count() == 1


def test_a_party_group_elects_no_committee(group_a):
    member = MemberFactory(organization=group_a)
    with pytest.raises(ValidationError):
        elect(group_a, [(member, Post.SECRETARY)])


# --- posts changing mid-term ----------------------------------------------------------------------------------


def test_a_post_ends_and_another_member_takes_it(branch_a, people, secretary_a):
    term = elect(branch_a, [(people[0], Post.SECRETARY), (people[1], Post.DISCIPLINE)], elected_on=day(300))
    seat = term.seats.get(post=Post.DISCIPLINE)
    services.seat_end(seat=seat, until=day(60), by=secretary_a, note="工作调动")
    seat.refresh_from_db()
    assert (seat.until, seat.ended_by, seat.end_note) == (day(60), secretary_a, "工作调动")
    added = services.seat_add(term=term, member=people[2], post=Post.DISCIPLINE, since=day(40), by=secretary_a)
    assert added.created_by == secretary_a
    held = selectors.held_seats().filter(term=term)
    assert [(s.member.name, s.post) for s in held] == [("支委0", Post.SECRETARY), ("支委2", Post.DISCIPLINE)]


def test_a_post_cannot_be_added_twice_nor_a_second_secretary(branch_a, people):
    term = elect(branch_a, [(people[0], Post.SECRETARY), (people[1], Post.DEPUTY)])
    with pytest.raises(ValidationError) as caught:
        services.seat_add(term=term, member=people[1], post=Post.ORGANISATION, since=day(1), by=None)
    assert "member" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.seat_add(term=term, member=people[2], post=Post.SECRETARY, since=day(1), by=None)
    assert "post" in caught.value.message_dict


def test_a_post_is_added_within_the_current_term_only(branch_a, people):
    old = elect(branch_a, [(people[0], Post.SECRETARY)], elected_on=day(900))
    new = elect(branch_a, [(people[1], Post.SECRETARY)], elected_on=day(100))
    with pytest.raises(ValidationError):
        services.seat_add(term=old, member=people[2], post=Post.DEPUTY, since=day(50), by=None)
    with pytest.raises(ValidationError) as caught:
        services.seat_add(term=new, member=people[2], post=Post.DEPUTY, since=day(150), by=None)
    assert "since" in caught.value.message_dict


def test_a_post_ends_once_and_not_before_it_began(branch_a, people):
    term = elect(branch_a, [(people[0], Post.SECRETARY)], elected_on=day(100))
    seat = term.seats.get()
    with pytest.raises(ValidationError):
        services.seat_end(seat=seat, until=day(101), by=None)
    services.seat_end(seat=seat, until=day(10), by=None)
    with pytest.raises(ValidationError):
        services.seat_end(seat=seat, until=day(5), by=None)


def test_the_database_refuses_a_post_ending_before_it_began(branch_a):
    seat = CommitteeSeatFactory(term=CommitteeTermFactory(organization=branch_a))
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeSeat.objects.filter(pk=seat.pk).update(until=seat.since - datetime.timedelta(days=1))


# --- how a term stands --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ends_in, standing",
    [(400, "normal"), (181, "normal"), (180, "due_soon"), (0, "due_soon"), (-1, "overdue")],
)
def test_a_term_is_due_soon_within_six_months_and_overdue_after_its_end(branch_a, ends_in, standing):
    term = CommitteeTermFactory.build(
        organization=branch_a, ends_on=timezone.localdate() + datetime.timedelta(days=ends_in)
    )
    assert term.standing(timezone.localdate()) == standing


def test_a_replaced_term_is_neither_due_nor_overdue(branch_a):
    term = CommitteeTermFactory.build(organization=branch_a, ends_on=day(10), ended_on=day(20))
    assert term.standing(timezone.localdate()) == "replaced"


# --- what other apps count on ---------------------------------------------------------------------------------


def test_committee_member_ids_counts_whoever_held_a_post_in_the_year(branch_a):
    term = CommitteeTermFactory(organization=branch_a, elected_on=datetime.date(2023, 3, 1))
    before = CommitteeSeatFactory(term=term, since=datetime.date(2023, 3, 1), until=datetime.date(2024, 12, 31))
    during = CommitteeSeatFactory(term=term, since=datetime.date(2025, 6, 1))
    through = CommitteeSeatFactory(term=term, since=datetime.date(2023, 3, 1), until=datetime.date(2025, 1, 1))
    later = CommitteeSeatFactory(term=term, since=datetime.date(2026, 1, 5))
    outsider = MemberFactory(organization=branch_a)
    ids = [s.member_id for s in (before, during, through, later)] + [outsider.pk]
    assert selectors.committee_member_ids(ids, 2025) == {during.member_id, through.member_id}
    assert selectors.committee_member_ids(ids, 2024) == {before.member_id, through.member_id}


def test_committee_member_ids_leaves_out_a_term_replaced_the_year_before(branch_a):
    old = CommitteeTermFactory(organization=branch_a, elected_on=datetime.date(2021, 3, 1))
    seat = CommitteeSeatFactory(term=old, since=datetime.date(2021, 3, 1))  # left open by mistake
    CommitteeTerm.objects.filter(pk=old.pk).update(ended_on=datetime.date(2024, 3, 1))
    assert selectors.committee_member_ids([seat.member_id], 2025) == set()
    assert selectors.committee_member_ids([seat.member_id], 2024) == {seat.member_id}


def test_organizations_with_committee_are_those_whose_current_term_elected_one(general_branch, branch_a, branch_b):
    third = OrganizationFactory(building=general_branch.building, parent=general_branch)
    CommitteeTermFactory(organization=branch_a, is_committee=True)
    CommitteeTermFactory(organization=branch_b, is_committee=False)
    replaced = CommitteeTermFactory(
        organization=third, is_committee=True, elected_on=datetime.date(2020, 1, 1), ended_on=datetime.date(2023, 1, 1)
    )
    CommitteeTermFactory(organization=third, is_committee=False, elected_on=replaced.ended_on)
    ids = [general_branch.pk, branch_a.pk, branch_b.pk, third.pk]
    assert selectors.organizations_with_committee(ids) == {branch_a.pk}
