"""Who is on the 党员亮相 board, who may open whose photo, and the services that give and withdraw consent."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activities.showcase import selectors, services
from activities.showcase.models import ShowcaseProfile
from activities.showcase.tests.factories import PNG, ShowcaseProfileFactory, on_board
from buildingparty.models import Notification
from members.models import Member
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def board_names(building):
    return {card.member.name for card in selectors.cards(building_id=building.pk)}


def test_only_members_who_consented_and_show_their_membership_are_on_the_board(building, branch_a):
    on_board(branch_a, name="亮相者")
    ShowcaseProfileFactory(member=MemberFactory(organization=branch_a, name="未亮相", shows_membership=False))
    MemberFactory(organization=branch_a, name="未同意", shows_membership=True)
    ShowcaseProfileFactory(
        member=MemberFactory(organization=branch_a, name="只有照片", shows_membership=True),
        consent_given_at=None,
        consent_method="",
    )
    assert board_names(building) == {"亮相者"}


def test_a_member_who_withdrew_her_consent_leaves_the_board_at_once(building, branch_a, member_user):
    profile = on_board(branch_a, name="撤回者")
    services.consent_withdraw(profile=profile, by=UserFactory(role="secretary", organization=branch_a))
    assert board_names(building) == set()
    assert not ShowcaseProfile.objects.on_board().exists()


@pytest.mark.parametrize(
    "change",
    [{"whereabouts": Member.Whereabouts.TRANSFERRED_OUT}, {"status": Member.Status.SUSPENDED}],
    ids=["transferred out", "standing suspended"],
)
def test_a_member_no_longer_in_normal_standing_here_is_off_the_board(building, branch_a, change):
    profile = on_board(branch_a)
    Member.objects.filter(pk=profile.member_id).update(**change)
    assert board_names(building) == set()


def test_the_board_of_a_branch_holds_its_party_groups_members_and_no_other_branchs(
    building, branch_a, group_a, branch_b
):
    on_board(branch_a, name="支部的")
    on_board(group_a, name="小组的")
    on_board(branch_b, name="二支部的")
    names = {c.member.name for c in selectors.cards(building_id=building.pk, organization_ids=branch_a.subtree_ids())}
    assert names == {"支部的", "小组的"}
    assert dict((b.name, n) for b, n in selectors.branch_counts(building.pk)) == {branch_a.name: 2, branch_b.name: 1}


def test_another_buildings_cards_are_not_on_this_board(building, branch_a, outsider):
    on_board(outsider.member.organization, name="别的楼")
    on_board(branch_a, name="本楼")
    assert board_names(building) == {"本楼"}


# --- photos -------------------------------------------------------------------------------------------------


def may_open(user, profile) -> bool:
    return ShowcaseProfile.objects.photos_for(user).filter(pk=profile.pk).exists()


def test_everybody_of_the_building_and_the_street_may_open_a_photo_on_the_board(
    branch_a, member_user, liaison_user, contact_user, secretary_b, street_user, outsider
):
    profile = on_board(branch_a)
    for user in (member_user, liaison_user, contact_user, secretary_b, street_user):
        assert may_open(user, profile), user.username
    assert not may_open(outsider, profile)


def test_a_photo_off_the_board_is_only_the_members_and_her_officers(
    branch_a, member_user, admin_user, secretary_a, secretary_b, liaison_user, street_user
):
    own = member_user.member
    Member.objects.filter(pk=own.pk).update(shows_membership=False)
    profile = ShowcaseProfileFactory(member=own, photo=True)
    for user in (member_user, secretary_a, admin_user):
        assert may_open(user, profile), user.username
    for user in (secretary_b, liaison_user, street_user, UserFactory(role="member", building=branch_a.building)):
        assert not may_open(user, profile), user.username


# --- the services -------------------------------------------------------------------------------------------


def test_a_member_gives_her_consent_herself_online(member_user):
    member = member_user.member
    profile = services.profile_save(member=member, by=member_user, pledge="  服务  企业 ", consent=True)
    profile.refresh_from_db()
    assert profile.has_consent and profile.consent_method == ShowcaseProfile.Method.ONLINE
    assert profile.consent_recorded_by == member_user and profile.pledge == "服务 企业"
    assert not Notification.objects.exists()


def test_an_officer_records_a_consent_on_paper_only_with_how_and_the_member_is_told(member_user, secretary_a):
    member = member_user.member
    with pytest.raises(ValidationError) as error:
        services.profile_save(member=member, by=secretary_a, pledge="", consent=True)
    assert "consent_note" in error.value.message_dict
    assert not ShowcaseProfile.objects.exists()

    profile = services.profile_save(member=member, by=secretary_a, pledge="", consent=True, note="签字同意书存档")
    assert profile.consent_method == ShowcaseProfile.Method.PAPER and profile.consent_note == "签字同意书存档"
    assert profile.consent_recorded_by == secretary_a
    note = Notification.objects.get(user=member_user)
    assert note.event == "showcase_consent_recorded" and "签字同意书存档" in note.body


def test_withdrawing_a_card_on_the_board_tells_the_secretary_to_take_it_off_the_printed_board(
    member_user, secretary_a, admin_user
):
    member = member_user.member
    Member.objects.filter(pk=member.pk).update(shows_membership=True)
    member.refresh_from_db()
    profile = services.profile_save(member=member, by=member_user, pledge="", consent=True)
    services.profile_save(member=member, by=member_user, pledge="", consent=False)
    profile.refresh_from_db()
    assert profile.is_withdrawn and profile.consent_withdrawn_by == member_user
    told = Notification.objects.get(event="showcase_withdrawn")
    assert told.user == secretary_a and member.name in told.title
    assert not Notification.objects.filter(user=member_user).exists()


def test_an_officer_withdrawing_on_the_members_word_tells_the_member(member_user, secretary_a):
    member = member_user.member
    profile = ShowcaseProfileFactory(member=member)
    services.consent_withdraw(profile=profile, by=secretary_a)
    assert Notification.objects.get(user=member_user).event == "showcase_withdrawn_member"
    # her card was not on the board (not marked as showing membership): nothing to take off the lobby's board
    assert not Notification.objects.filter(event="showcase_withdrawn").exists()


def test_giving_consent_again_after_withdrawing_puts_the_card_back(building, member_user):
    member = member_user.member
    Member.objects.filter(pk=member.pk).update(shows_membership=True)
    member.refresh_from_db()
    services.profile_save(member=member, by=member_user, pledge="", consent=True)
    services.profile_save(member=member, by=member_user, pledge="", consent=False)
    services.profile_save(member=member, by=member_user, pledge="", consent=True)
    profile = ShowcaseProfile.objects.get(member=member)
    assert profile.has_consent and profile.consent_withdrawn_at is None
    assert board_names(building) == {member.name}


def test_a_new_photo_replaces_the_old_file(member_user):
    member = member_user.member
    profile = ShowcaseProfileFactory(member=member, photo=True)
    old = profile.photo.name
    storage = profile.photo.storage
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda fn, using=None, robust=False: fn())
        profile = services.profile_save(
            member=member, by=member_user, pledge="", photo=SimpleUploadedFile("新照片.PNG", PNG)
        )
    assert profile.photo.name != old and profile.photo.name.endswith(".png")
    assert profile.photo.name.startswith(f"showcase/{member.pk}/")
    assert storage.exists(profile.photo.name) and not storage.exists(old)


def test_a_withdrawal_is_never_before_the_consent_in_the_database(member_user):
    profile = ShowcaseProfileFactory(member=member_user.member)
    profile.consent_withdrawn_at = profile.consent_given_at - datetime.timedelta(days=1)
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError, wrapped differently by each backend
        from django.db import transaction

        with transaction.atomic():
            profile.save()


def test_a_consent_on_paper_without_a_note_is_refused_by_the_database(member_user):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ShowcaseProfile.objects.create(
            member=member_user.member, consent_given_at=timezone.now(), consent_method=ShowcaseProfile.Method.PAPER
        )


# --- the officers' list -------------------------------------------------------------------------------------


def test_the_officers_list_tells_where_each_member_stands(branch_a, secretary_a):
    shown = on_board(branch_a, name="在栏")
    waiting = ShowcaseProfileFactory(member=MemberFactory(organization=branch_a, name="待标记", shows_membership=False))
    missing = MemberFactory(organization=branch_a, name="无同意", shows_membership=True)
    withdrawn = on_board(branch_a, name="已撤回")
    services.consent_withdraw(profile=withdrawn, by=secretary_a)
    plain = MemberFactory(organization=branch_a, name="普通")
    members = selectors.members_with_status(Member.objects.filter(organization=branch_a))
    statuses = {m.name: selectors.status_of(m) for m in members}
    assert statuses == {
        "在栏": selectors.ON_BOARD,
        "待标记": selectors.NOT_SHOWING,
        "无同意": selectors.NO_CONSENT,
        "已撤回": selectors.WITHDRAWN,
        "普通": None,
    }
    for status, expected in [
        (selectors.ON_BOARD, shown.member),
        (selectors.NOT_SHOWING, waiting.member),
        (selectors.NO_CONSENT, missing),
        (selectors.WITHDRAWN, withdrawn.member),
    ]:
        assert list(selectors.filter_status(members, status)) == [expected], status
    assert plain in members
