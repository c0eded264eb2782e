"""Transfer services (组织关系接转, DOMAIN.md §5): every step they allow, every step they refuse."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from members import services
from members.models import Member, MemberChange, Transfer, add_months
from members.transfers.forms import TransferIssueForm
from members.transfers.tests.factories import TransferFactory, days_ago, issue
from tests.factories import MemberFactory, make_id_number

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def reported(transfer, on=None, by=None):
    return services.transfer_report(transfer=transfer, reported_on=on or transfer.issued_on, by=by)


def receipted(transfer, on=None, by=None):
    return services.transfer_receipt(transfer=reported(transfer, by=by), returned_on=on or TODAY(), by=by)


def expired(member, **kwargs):
    """A letter issued 40 days ago, valid 30 days, marked expired."""
    transfer = issue(member, issued_on=days_ago(40), validity_days=30, **kwargs)
    return services.transfer_expire(transfer=transfer, today=TODAY())


def refused(call):
    """The service refuses the step itself (not a field): the status machine said no."""
    with pytest.raises(ValidationError) as caught:
        call()
    assert not hasattr(caught.value, "error_dict"), caught.value
    assert caught.value.code == "invalid_transition"


# --- issuing ------------------------------------------------------------------------------------------------


def test_issuing_a_letter_out_records_the_destination_and_a_history_entry(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    transfer = issue(member, by=secretary_a, to_name="  上海市浦东新区某公司党支部 ")
    assert transfer.status == Transfer.Status.ISSUED
    assert (transfer.from_organization, transfer.from_name) == (branch_a, branch_a.name)
    assert transfer.to_name == "上海市浦东新区某公司党支部"
    assert transfer.to_organization is None
    assert transfer.created_by == secretary_a
    assert member.changes.filter(action=MemberChange.Action.TRANSFER).count() == 1


def test_a_letter_is_valid_for_the_configured_days_unless_told_otherwise(branch_a, settings):
    settings.BUILDINGPARTY = {**settings.BUILDINGPARTY, "TRANSFER_VALIDITY_DAYS": 10}
    transfer = issue(MemberFactory(organization=branch_a))
    assert transfer.validity_days == 10
    assert transfer.expires_on == transfer.issued_on + datetime.timedelta(days=10)
    assert issue(MemberFactory(organization=branch_a), validity_days=90).validity_days == 90


def test_an_internal_transfer_goes_to_another_of_our_branches(branch_a, branch_b):
    transfer = issue(
        MemberFactory(organization=branch_a),
        direction=Transfer.Direction.INTERNAL,
        to_organization=branch_b,
        to_name="",
    )
    assert (transfer.to_organization, transfer.to_name) == (branch_b, branch_b.name)


def test_an_internal_transfer_needs_a_branch_other_than_the_members_own(branch_a):
    member = MemberFactory(organization=branch_a)
    with pytest.raises(ValidationError) as caught:
        issue(member, direction=Transfer.Direction.INTERNAL, to_organization=None)
    assert "to_organization" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        issue(member, direction=Transfer.Direction.INTERNAL, to_organization=branch_a)
    assert "to_organization" in caught.value.error_dict
    assert not Transfer.objects.exists()


def test_a_letter_out_needs_the_receiving_organisation(branch_a):
    with pytest.raises(ValidationError) as caught:
        issue(MemberFactory(organization=branch_a), to_name="  ")
    assert "to_name" in caught.value.error_dict


def test_only_a_member_in_normal_standing_is_transferred(branch_a):
    member = MemberFactory(organization=branch_a, status=Member.Status.SUSPENDED)
    refused(lambda: issue(member))
    assert not Transfer.objects.exists()


def test_a_member_cannot_have_two_letters_under_way(branch_a):
    member = MemberFactory(organization=branch_a)
    issue(member)
    refused(lambda: issue(member))
    assert member.transfers.count() == 1


def test_the_database_also_refuses_a_second_open_letter(branch_a):
    member = MemberFactory(organization=branch_a)
    TransferFactory(member=member, status=Transfer.Status.REPORTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferFactory(member=member)


def test_a_new_letter_may_follow_a_closed_or_cancelled_one(branch_a):
    member = MemberFactory(organization=branch_a)
    services.transfer_cancel(transfer=issue(member), reason="填错了目的地", by=None)
    assert issue(member).status == Transfer.Status.ISSUED


@pytest.mark.parametrize("days", [0, 91])
def test_the_database_refuses_a_validity_outside_1_to_90_days(branch_a, days):
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferFactory(member=MemberFactory(organization=branch_a), validity_days=days)


def test_the_service_refuses_a_validity_over_90_days_and_writes_nothing(branch_a):
    member = MemberFactory(organization=branch_a)
    with pytest.raises(IntegrityError):
        issue(member, validity_days=91)
    assert not Transfer.objects.exists()
    assert not member.changes.exists()


@pytest.mark.parametrize("days, accepted", [(0, False), (1, True), (90, True), (91, False)])
def test_the_issue_form_accepts_a_validity_of_1_to_90_days(branch_a, days, accepted):
    form = TransferIssueForm(
        {
            "direction": "out",
            "to_name": "某党支部",
            "issued_on": TODAY().isoformat(),
            "validity_days": days,
            "dues_paid_until": f"{TODAY():%Y-%m}",
        },
        member=MemberFactory(organization=branch_a),
    )
    with translation.override("en"):
        assert form.is_valid() is accepted
        if not accepted:
            assert form.errors["validity_days"] == ["A letter is valid for 1 to 90 days."]


# --- letter numbers -----------------------------------------------------------------------------------------


def test_letter_numbers_count_up_within_a_year_and_start_again_each_year(branch_a):
    first = issue(MemberFactory(organization=branch_a), issued_on=datetime.date(2026, 1, 5))
    second = issue(MemberFactory(organization=branch_a), issued_on=datetime.date(2026, 3, 9))
    other_year = issue(MemberFactory(organization=branch_a), issued_on=datetime.date(2025, 12, 30))
    assert first.letter_number == "中大党转〔2026〕001号"
    assert second.letter_number == "中大党转〔2026〕002号"
    assert other_year.letter_number == "中大党转〔2025〕001号"


def test_the_next_number_follows_the_highest_even_after_a_number_typed_by_hand(branch_a):
    issue(
        MemberFactory(organization=branch_a), issued_on=datetime.date(2026, 2, 1), letter_number="中大党转〔2026〕041号"
    )
    assert (
        issue(MemberFactory(organization=branch_a), issued_on=datetime.date(2026, 2, 2)).letter_number
        == "中大党转〔2026〕042号"
    )


def test_a_letter_number_is_used_once(branch_a):
    issue(MemberFactory(organization=branch_a), letter_number="中大党转〔2026〕007号")
    other = MemberFactory(organization=branch_a)
    with pytest.raises(IntegrityError):
        issue(other, letter_number="中大党转〔2026〕007号")
    assert not other.transfers.exists()
    assert not other.changes.exists()


# --- reporting, receipt, closing ----------------------------------------------------------------------------


def test_reporting_sets_the_receipt_due_a_month_later(branch_a):
    transfer = issue(MemberFactory(organization=branch_a), issued_on=datetime.date(2026, 1, 20))
    transfer = services.transfer_report(transfer=transfer, reported_on=datetime.date(2026, 1, 31), by=None)
    assert transfer.status == Transfer.Status.REPORTED
    assert transfer.receipt_due_on == datetime.date(2026, 2, 28)


def test_reporting_on_the_last_valid_day_is_in_time(branch_a):
    transfer = issue(MemberFactory(organization=branch_a), issued_on=days_ago(40), validity_days=30)
    assert reported(transfer, on=transfer.expires_on).status == Transfer.Status.REPORTED


def test_reporting_after_the_letter_expired_is_refused(branch_a):
    transfer = issue(MemberFactory(organization=branch_a), issued_on=days_ago(40), validity_days=30)
    with pytest.raises(ValidationError) as caught:
        reported(transfer, on=transfer.expires_on + datetime.timedelta(days=1))
    assert "reported_on" in caught.value.error_dict
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.ISSUED


def test_reporting_before_the_letter_was_issued_is_refused(branch_a):
    transfer = issue(MemberFactory(organization=branch_a))
    with pytest.raises(ValidationError) as caught:
        reported(transfer, on=transfer.issued_on - datetime.timedelta(days=1))
    assert "reported_on" in caught.value.error_dict


def test_a_receipt_cannot_come_back_before_reporting(branch_a):
    transfer = issue(MemberFactory(organization=branch_a))
    refused(lambda: services.transfer_receipt(transfer=transfer, returned_on=TODAY(), by=None))
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.ISSUED


def test_a_receipt_cannot_be_dated_before_the_member_reported(branch_a):
    transfer = reported(issue(MemberFactory(organization=branch_a), issued_on=days_ago(5)), on=days_ago(2))
    with pytest.raises(ValidationError) as caught:
        services.transfer_receipt(transfer=transfer, returned_on=days_ago(3), by=None)
    assert "returned_on" in caught.value.error_dict


def test_the_receipt_of_a_letter_out_marks_the_member_transferred_out(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    transfer = receipted(issue(member, by=secretary_a), by=secretary_a)
    member.refresh_from_db()
    assert transfer.status == Transfer.Status.RECEIPTED
    assert member.whereabouts == Member.Whereabouts.TRANSFERRED_OUT
    assert member.status_changed_on == transfer.receipt_returned_on
    assert transfer.letter_number in member.status_note
    # The member stays in the register with the whole history.
    assert member.organization == branch_a
    assert member.changes.filter(action=MemberChange.Action.TRANSFER).count() == 3


def test_the_receipt_of_an_internal_transfer_moves_the_member_to_the_new_branch(branch_a, branch_b):
    member = MemberFactory(organization=branch_a)
    receipted(issue(member, direction=Transfer.Direction.INTERNAL, to_organization=branch_b))
    member.refresh_from_db()
    assert member.organization == branch_b
    assert member.is_active_member


def test_the_receipt_and_the_members_move_are_one_transaction(branch_a, branch_b, monkeypatch):
    member = MemberFactory(organization=branch_a)
    transfer = reported(issue(member, direction=Transfer.Direction.INTERNAL, to_organization=branch_b))

    def broken(**kwargs):
        raise RuntimeError("the member could not be saved")

    monkeypatch.setattr(services, "member_update", broken)
    with pytest.raises(RuntimeError):
        services.transfer_receipt(transfer=transfer, returned_on=TODAY(), by=None)
    transfer.refresh_from_db()
    member.refresh_from_db()
    assert transfer.status == Transfer.Status.REPORTED
    assert member.organization == branch_a


def test_a_transfer_closes_after_its_receipt_and_frees_the_member_for_another(branch_a, branch_b):
    member = MemberFactory(organization=branch_a)
    transfer = receipted(issue(member, direction=Transfer.Direction.INTERNAL, to_organization=branch_b))
    transfer = services.transfer_close(transfer=transfer, closed_on=TODAY(), by=None)
    assert (transfer.status, transfer.closed_on) == (Transfer.Status.CLOSED, TODAY())
    assert not transfer.is_open
    assert issue(Member.objects.get(pk=member.pk)).status == Transfer.Status.ISSUED


@pytest.mark.parametrize("status", ["issued", "reported", "closed", "expired", "cancelled"])
def test_only_a_receipted_transfer_closes(branch_a, status):
    transfer = TransferFactory(
        member=MemberFactory(organization=branch_a), status=status, cancel_reason="x" if status == "cancelled" else ""
    )
    refused(lambda: services.transfer_close(transfer=transfer, closed_on=TODAY(), by=None))


# --- cancelling ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["issued", "reported"])
def test_a_letter_not_yet_receipted_can_be_cancelled_with_a_reason(branch_a, status):
    transfer = TransferFactory(member=MemberFactory(organization=branch_a), status=status)
    transfer = services.transfer_cancel(transfer=transfer, reason=" 成员决定留任 ", by=None)
    assert (transfer.status, transfer.cancel_reason, transfer.cancelled_on) == (
        Transfer.Status.CANCELLED,
        "成员决定留任",
        TODAY(),
    )


@pytest.mark.parametrize("status", ["receipted", "closed", "expired", "cancelled"])
def test_a_letter_cannot_be_cancelled_after_its_receipt_or_once_finished(branch_a, status):
    transfer = TransferFactory(
        member=MemberFactory(organization=branch_a), status=status, cancel_reason="x" if status == "cancelled" else ""
    )
    refused(lambda: services.transfer_cancel(transfer=transfer, reason="改主意了", by=None))
    transfer.refresh_from_db()
    assert transfer.status == status


def test_cancelling_needs_a_reason(branch_a):
    transfer = issue(MemberFactory(organization=branch_a))
    with pytest.raises(ValidationError) as caught:
        services.transfer_cancel(transfer=transfer, reason="  ", by=None)
    assert "cancel_reason" in caught.value.error_dict


def test_the_database_refuses_a_cancelled_letter_without_a_reason(branch_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferFactory(member=MemberFactory(organization=branch_a), status="cancelled", cancel_reason="")


# --- expiry and re-issue ------------------------------------------------------------------------------------


def test_a_letter_past_its_validity_expires(branch_a):
    transfer = issue(MemberFactory(organization=branch_a), issued_on=days_ago(31), validity_days=30)
    assert transfer.is_past_validity(TODAY())
    assert services.transfer_expire(transfer=transfer, today=TODAY()).status == Transfer.Status.EXPIRED


def test_a_letter_on_its_last_valid_day_does_not_expire_yet(branch_a):
    transfer = issue(MemberFactory(organization=branch_a), issued_on=days_ago(30), validity_days=30)
    refused(lambda: services.transfer_expire(transfer=transfer, today=TODAY()))


@pytest.mark.parametrize("status", ["reported", "receipted", "closed", "cancelled", "expired"])
def test_only_an_issued_letter_expires(branch_a, status):
    transfer = TransferFactory(
        member=MemberFactory(organization=branch_a),
        status=status,
        issued_on=days_ago(60),
        cancel_reason="x" if status == "cancelled" else "",
    )
    refused(lambda: services.transfer_expire(transfer=transfer, today=TODAY()))


def test_an_expired_letter_cannot_be_reported(branch_a):
    transfer = expired(MemberFactory(organization=branch_a))
    refused(lambda: reported(transfer, on=transfer.issued_on))


def test_an_expired_letter_is_reissued_with_a_new_number_and_validity(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    old = expired(member)
    new = services.transfer_reissue(transfer=old, issued_on=TODAY(), by=secretary_a, validity_days=15)
    assert new.pk != old.pk and new.letter_number != old.letter_number
    assert (new.status, new.reissue_of, new.validity_days, new.issued_on) == (Transfer.Status.ISSUED, old, 15, TODAY())
    assert (new.to_name, new.direction, new.dues_paid_until) == (old.to_name, old.direction, old.dues_paid_until)
    assert old.reissued_as == new
    old.refresh_from_db()
    assert old.status == Transfer.Status.EXPIRED  # never extended


@pytest.mark.parametrize("status", ["issued", "reported", "receipted", "closed", "cancelled"])
def test_only_an_expired_letter_is_reissued(branch_a, status):
    transfer = TransferFactory(
        member=MemberFactory(organization=branch_a), status=status, cancel_reason="x" if status == "cancelled" else ""
    )
    refused(lambda: services.transfer_reissue(transfer=transfer, issued_on=TODAY(), by=None))
    assert Transfer.objects.count() == 1


# --- transfer in --------------------------------------------------------------------------------------------


def new_member(organization, **kwargs):
    id_number = kwargs.pop("id_number", make_id_number(77, born=datetime.date(1988, 5, 6), male=False))
    member = Member(
        name="赵新来",
        id_number=id_number,
        organization=organization,
        category=Member.Category.FULL,
        joined_on=datetime.date(2012, 6, 1),
        full_member_on=datetime.date(2013, 6, 1),
        **kwargs,
    )
    member.full_clean(exclude=["user"])
    return member


def test_a_member_arriving_with_a_letter_joins_the_register_as_reported(branch_a, secretary_a):
    transfer = services.transfer_receive(
        member=new_member(branch_a),
        from_name="中共宁波市海曙区某公司支部委员会",
        letter_number="甬海组转〔2026〕12号",
        issued_on=days_ago(10),
        validity_days=30,
        reported_on=days_ago(3),
        received_by=secretary_a,
        dues_paid_until=datetime.date(2026, 1, 1),
        reason="工作单位变动",
    )
    member = Member.objects.get(name="赵新来")
    assert (member.organization, member.gender, member.birth_date) == (branch_a, "F", datetime.date(1988, 5, 6))
    assert (transfer.direction, transfer.status, transfer.member) == (
        Transfer.Direction.IN,
        Transfer.Status.REPORTED,
        member,
    )
    assert transfer.to_organization == branch_a and transfer.from_organization is None
    assert transfer.receipt_due_on == add_months(days_ago(3), 1)
    assert member.changes.count() == 2


def test_a_member_arriving_after_the_letter_expired_is_not_registered(branch_a):
    with pytest.raises(ValidationError) as caught:
        services.transfer_receive(
            member=new_member(branch_a),
            from_name="某党委",
            letter_number="外转001",
            issued_on=days_ago(40),
            validity_days=30,
            reported_on=TODAY(),
            received_by=None,
        )
    assert "reported_on" in caught.value.error_dict
    assert not Member.objects.filter(name="赵新来").exists()


def test_a_transfer_in_is_completed_by_sending_the_receipt_back(branch_a):
    transfer = services.transfer_receive(
        member=new_member(branch_a),
        from_name="某党委",
        letter_number="外转002",
        issued_on=days_ago(5),
        validity_days=30,
        reported_on=days_ago(1),
        received_by=None,
    )
    transfer = services.transfer_receipt(transfer=transfer, returned_on=TODAY(), by=None)
    assert transfer.status == Transfer.Status.RECEIPTED
    assert Member.objects.get(pk=transfer.member_id).status == Member.Status.NORMAL


def test_a_person_already_in_the_register_cannot_arrive_again(branch_a):
    existing = MemberFactory(organization=branch_a)
    twin = Member(
        name="重名",
        id_number=existing.id_number,
        gender=existing.gender,
        birth_date=existing.birth_date,
        organization=branch_a,
        joined_on=existing.joined_on,
        full_member_on=existing.full_member_on,
    )
    with pytest.raises(IntegrityError):
        services.transfer_receive(
            member=twin,
            from_name="某党委",
            letter_number="外转003",
            issued_on=days_ago(5),
            validity_days=30,
            reported_on=TODAY(),
            received_by=None,
        )
    assert not Transfer.objects.exists()
    assert Member.objects.count() == 1


# --- the whole journey --------------------------------------------------------------------------------------


def test_a_letter_out_goes_from_issued_to_closed(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    transfer = issue(member, by=secretary_a, issued_on=days_ago(20))
    transfer = services.transfer_report(transfer=transfer, reported_on=days_ago(15), by=secretary_a)
    transfer = services.transfer_receipt(transfer=transfer, returned_on=days_ago(2), by=secretary_a)
    transfer = services.transfer_close(transfer=transfer, closed_on=TODAY(), by=secretary_a)
    transfer.refresh_from_db()
    assert (transfer.reported_on, transfer.receipt_returned_on, transfer.closed_on) == (
        days_ago(15),
        days_ago(2),
        TODAY(),
    )
    assert transfer.status == Transfer.Status.CLOSED
    assert Member.objects.get(pk=member.pk).whereabouts == Member.Whereabouts.TRANSFERRED_OUT


def test_a_letter_for_a_group_member_is_sent_in_the_branchs_name(group_a, branch_a):
    transfer = issue(MemberFactory(organization=group_a))
    assert transfer.from_organization == group_a and transfer.from_name == branch_a.name


def test_an_internal_move_to_a_group_names_the_receiving_branch(branch_b, group_a, branch_a):
    transfer = issue(
        MemberFactory(organization=branch_b), direction=Transfer.Direction.INTERNAL, to_organization=group_a
    )
    assert transfer.to_organization == group_a and transfer.to_name == branch_a.name


def test_a_validity_of_zero_days_is_refused_not_replaced_by_the_default(branch_a):
    with pytest.raises((ValidationError, IntegrityError)):
        with transaction.atomic():
            issue(MemberFactory(organization=branch_a), validity_days=0)


def test_an_expired_letter_is_reissued_only_once(branch_a):
    old = expired(MemberFactory(organization=branch_a))
    services.transfer_reissue(transfer=old, issued_on=TODAY(), by=None)
    refused(lambda: services.transfer_reissue(transfer=old, issued_on=TODAY(), by=None))


def test_no_reissue_while_another_letter_is_under_way(branch_a):
    member = MemberFactory(organization=branch_a)
    old = expired(member)
    issue(member)
    refused(lambda: services.transfer_reissue(transfer=old, issued_on=TODAY(), by=None))


def test_closing_a_transfer_is_kept_in_the_history(branch_a):
    member = MemberFactory(organization=branch_a)
    transfer = receipted(issue(member))
    services.transfer_close(transfer=transfer, closed_on=TODAY(), by=None)
    # issued, reported, receipt returned, closed
    assert member.changes.filter(action=MemberChange.Action.TRANSFER).count() == 4
