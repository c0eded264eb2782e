"""The demo register's history (members/demo.py): what a secretary finds on opening the demo building."""

import datetime
import re
from collections import Counter

import pytest
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import User
from members import codes
from members.models import ChangeProposal, Member, MemberChange, Transfer, add_years

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]


def open_transfers_for(username):
    return Transfer.objects.for_user(User.objects.get(username=username)).filter(status__in=Transfer.OPEN_STATUSES)


def test_secretary1_has_a_letter_expiring_this_week_and_a_receipt_overdue():
    today = timezone.localdate()
    transfers = open_transfers_for("secretary1")
    assert any(
        t.status == Transfer.Status.ISSUED and today <= t.expires_on <= today + datetime.timedelta(days=7)
        for t in transfers
    )
    overdue = [t for t in transfers if t.is_receipt_overdue(today)]
    assert overdue and all(t.reported_on < today - datetime.timedelta(days=30) for t in overdue)


def test_secretary2_has_a_letter_past_its_validity_and_a_member_who_reported_in():
    today = timezone.localdate()
    transfers = open_transfers_for("secretary2")
    assert any(t.is_past_validity(today) for t in transfers)
    arrival = transfers.get(direction=Transfer.Direction.IN)
    assert arrival.status == Transfer.Status.REPORTED and arrival.receipt_due_on > today
    assert arrival.member.organization.name == demo.BRANCH_2
    assert arrival.member.changes.filter(action=MemberChange.Action.CREATED).count() == 1


def test_an_expired_letter_was_reissued_under_a_new_number_and_the_new_one_is_valid():
    expired = Transfer.objects.get(status=Transfer.Status.EXPIRED)
    new = expired.reissued_as
    assert new.status == Transfer.Status.ISSUED and new.letter_number != expired.letter_number
    assert (new.member, new.to_name) == (expired.member, expired.to_name)
    assert new.expires_on >= timezone.localdate() and new.issued_on > expired.expires_on


def test_the_building_numbers_its_letters_in_the_order_it_issued_them():
    ours = Transfer.objects.exclude(direction=Transfer.Direction.IN).order_by("issued_on", "pk")
    by_year = Counter()
    for transfer in ours:
        by_year[transfer.issued_on.year] += 1
        year = transfer.issued_on.year
        assert transfer.letter_number == f"中大党转〔{year}〕{by_year[year]:03d}号"


def test_members_whose_receipt_came_back_are_transferred_out_with_their_history():
    left = Member.objects.filter(whereabouts=Member.Whereabouts.TRANSFERRED_OUT)
    assert left.count() == 2
    for member in left:
        transfer = member.transfers.get()
        assert transfer.direction == Transfer.Direction.OUT
        assert transfer.status in (Transfer.Status.RECEIPTED, Transfer.Status.CLOSED)
        assert member.status_changed_on == transfer.receipt_returned_on
        # issued, reported, receipt returned, and closed when it was
        steps = 4 if transfer.status == Transfer.Status.CLOSED else 3
        assert member.changes.filter(action=MemberChange.Action.TRANSFER).count() == steps
    assert not left.filter(user__isnull=False).exists() and not left.filter(lost_contact_since__isnull=False).exists()


def test_the_member_moved_inside_the_building_now_belongs_to_the_first_branch():
    move = Transfer.objects.get(direction=Transfer.Direction.INTERNAL)
    assert move.status == Transfer.Status.CLOSED
    assert (move.from_organization.name, move.to_organization.name) == (demo.BRANCH_2, demo.BRANCH_1)
    assert move.member.organization.name == demo.BRANCH_1
    assert move.member.is_active_member


def test_a_cancelled_letter_gives_its_reason_and_the_member_stays():
    cancelled = Transfer.objects.get(status=Transfer.Status.CANCELLED)
    assert cancelled.cancel_reason and cancelled.cancelled_on >= cancelled.issued_on
    assert cancelled.member.is_active_member


def test_history_is_dated_when_things_happened():
    today = timezone.localdate()
    for transfer in Transfer.objects.exclude(direction=Transfer.Direction.IN):
        # The first entry naming a letter is its issue (or its re-issue, which names both).
        issued = transfer.member.changes.filter(note__contains=transfer.letter_number).order_by("changed_at").first()
        assert timezone.localtime(issued.changed_at).date() == transfer.issued_on
        assert timezone.localtime(transfer.created_at).date() == transfer.issued_on
    for entry in MemberChange.objects.all():
        assert timezone.localtime(entry.changed_at).date() <= today
        assert timezone.localtime(entry.changed_at).hour in range(8, 22)


def test_proposals_are_dated_in_the_past_and_decided_by_the_members_secretary():
    now = timezone.now()
    for proposal in ChangeProposal.objects.select_related("member", "decided_by"):
        assert proposal.proposed_at < now
        if proposal.status != ChangeProposal.Status.PENDING:
            assert proposal.proposed_at < proposal.decided_at < now
            assert proposal.decided_by.username == "secretary1"
    approved = ChangeProposal.objects.get(status=ChangeProposal.Status.APPROVED)
    assert all(getattr(approved.member, field) == value for field, value in approved.changes.items())
    assert approved.member.changes.filter(action=MemberChange.Action.PROPOSAL).exists()


def test_every_member_has_the_extra_facts_of_the_register_filled_in():
    members = list(Member.objects.all())
    educations = Counter(m.education for m in members)
    assert set(educations) <= set(codes.EDUCATION_NAMES) and "" not in educations
    assert educations[codes.BACHELOR] + educations[codes.COLLEGE] > len(members) / 2
    assert educations[codes.MASTER] >= 2
    assert all(m.job_note and m.job_category_id for m in members)
    assert all(m.ethnicity in codes.ETHNICITY_NAMES for m in members) and not any(m.code_leftovers for m in members)
    assert all(re.match(r"^(慈溪市|宁波市|余姚市)\S+(室|号)$", m.home_address) for m in members)
    assert 0.3 < sum(bool(m.skills) for m in members) / len(members) < 0.7
    assert 5 <= sum(bool(m.posts) for m in members) <= 10


def test_a_few_members_are_in_hardship_honoured_or_show_their_membership_at_work():
    members = list(Member.objects.all())
    hardship = [m for m in members if m.is_hardship]
    assert 2 <= len(hardship) <= 3 and all(m.hardship_note for m in hardship)
    assert 2 <= sum(bool(m.rewards_penalties) for m in members) <= 3
    showing = [m for m in members if m.shows_membership]
    assert len(showing) == 8 and any(m.showcase_post for m in showing)
    assert not any(m.showcase_post for m in members if not m.shows_membership)
    assert not any(m.is_mobile or m.lost_contact_since for m in showing)


def test_probationary_members_expect_to_become_full_members_a_year_after_joining():
    for member in Member.objects.filter(category=Member.Category.PROBATIONARY):
        assert member.expected_full_on == add_years(member.joined_on, 1)
