"""Who reads which notice, when a notice is on the board, read receipts, and the writes of the board."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from activities.notices import selectors, services
from activities.notices.models import Notice, NoticeRead, can_manage
from activities.notices.tests.factories import PDF, NoticeFactory, days
from members.models import Member
from tests.factories import BuildingFactory, MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(user, queryset=None):
    return set((queryset if queryset is not None else Notice.objects.for_user(user)).values_list("title", flat=True))


@pytest.fixture
def notices(building, branch_a, branch_b):
    """A building-wide notice, one for each branch, and one of another building."""
    NoticeFactory(building=building, title="全楼通知")
    NoticeFactory(audience=branch_a, title="一支部通知")
    NoticeFactory(audience=branch_b, title="二支部通知")
    other = OrganizationFactory(building=BuildingFactory(name="别的大厦"))
    NoticeFactory(building=other.building, title="别楼通知")
    NoticeFactory(audience=other, title="别楼支部通知")


# --- who reads what -----------------------------------------------------------------------------------------


def test_a_member_reads_the_buildings_notices_and_her_own_branchs(member_user, notices):
    assert titles(member_user) == {"全楼通知", "一支部通知"}


def test_a_member_of_a_party_group_reads_the_notices_of_her_groups_branch(building, group_a, notices):
    user = UserFactory(username="in_group", role="member", building=building)
    MemberFactory(organization=group_a, user=user)
    assert titles(user) == {"全楼通知", "一支部通知"}


def test_a_member_without_a_record_reads_only_the_buildings_notices(building, notices):
    user = UserFactory(username="no_record", role="member", building=building)
    assert titles(user) == {"全楼通知"}


def test_a_secretary_reads_the_buildings_notices_and_her_own_branchs(secretary_a, secretary_b, notices):
    assert titles(secretary_a) == {"全楼通知", "一支部通知"}
    assert titles(secretary_b) == {"全楼通知", "二支部通知"}


def test_liaisons_and_enterprise_contacts_read_only_building_wide_notices(liaison_user, contact_user, notices):
    assert titles(liaison_user) == {"全楼通知"}
    assert titles(contact_user) == {"全楼通知"}


def test_the_admin_reads_all_of_his_building_and_the_street_reads_every_building(admin_user, street_user, notices):
    assert titles(admin_user) == {"全楼通知", "一支部通知", "二支部通知"}
    assert titles(street_user) == {"全楼通知", "一支部通知", "二支部通知", "别楼通知", "别楼支部通知"}


def test_nobody_reads_when_signed_out_or_inactive(member_user, notices):
    from django.contrib.auth.models import AnonymousUser

    assert titles(AnonymousUser()) == set()
    member_user.is_active = False
    assert titles(member_user) == set()


def test_the_admin_manages_his_buildings_notices_and_a_secretary_only_her_branchs(
    admin_user, secretary_a, street_user, member_user, building, branch_a, branch_b
):
    building_wide = NoticeFactory(building=building)
    for_a, for_b = NoticeFactory(audience=branch_a), NoticeFactory(audience=branch_b)
    assert all(can_manage(admin_user, n) for n in (building_wide, for_a, for_b))
    assert [can_manage(secretary_a, n) for n in (building_wide, for_a, for_b)] == [False, True, False]
    assert not any(can_manage(u, for_a) for u in (street_user, member_user))
    assert set(Notice.objects.managed_by(secretary_a)) == {for_a}


# --- on the board -------------------------------------------------------------------------------------------


def test_a_scheduled_notice_goes_on_the_board_at_its_time(building):
    notice = NoticeFactory(building=building, publish_at=days(7))
    assert notice.state() == Notice.State.SCHEDULED
    assert notice not in Notice.objects.current()
    assert notice in Notice.objects.current(now=days(8))
    assert notice.state(days(8)) == Notice.State.CURRENT


def test_an_expired_notice_leaves_the_board_and_one_without_an_end_stays(building):
    ended = NoticeFactory(building=building, publish_at=days(-30), expires_at=days(-1))
    stays = NoticeFactory(building=building, publish_at=days(-30))
    assert ended.state() == Notice.State.EXPIRED
    assert list(Notice.objects.current()) == [stays]
    assert ended in Notice.objects.current(now=days(-2))


def test_a_withdrawn_notice_leaves_the_board_and_keeps_who_read_it(building, admin_user, member_user):
    notice = NoticeFactory(building=building, pinned=True)
    services.mark_read(notices=[notice], user=member_user)
    services.notice_withdraw(notice=notice, by=admin_user)
    notice.refresh_from_db()
    assert notice.state() == Notice.State.WITHDRAWN and not notice.pinned and notice.withdrawn_by == admin_user
    assert notice not in Notice.objects.current()
    assert NoticeRead.objects.filter(notice=notice, user=member_user).exists()


def test_the_board_lists_pinned_notices_first_then_the_newest_and_keeps_rules_apart(member_user, building):
    NoticeFactory(building=building, title="旧", publish_at=days(-5))
    NoticeFactory(building=building, title="新", publish_at=days(-1))
    NoticeFactory(building=building, title="置顶", pinned=True, publish_at=days(-9))
    NoticeFactory(building=building, title="制度", kind=Notice.Kind.RULE, pinned=True)
    assert [n.title for n in selectors.board(member_user)] == ["置顶", "新", "旧"]
    assert [n.title for n in selectors.board(member_user, kind=Notice.Kind.RULE)] == ["制度"]
    assert [n.title for n in selectors.rules(member_user)] == ["制度"]


# --- read receipts ------------------------------------------------------------------------------------------


def test_reading_twice_writes_one_receipt_and_keeps_the_first_reading(member_user, building):
    notice = NoticeFactory(building=building)
    services.mark_read(notices=[notice], user=member_user)
    first = NoticeRead.objects.get().read_at
    services.mark_read(notices=[notice], user=member_user)
    assert NoticeRead.objects.count() == 1 and NoticeRead.objects.get().read_at == first
    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeRead.objects.create(notice=notice, user=member_user)


def test_marking_read_takes_one_query(member_user, building, django_assert_num_queries):
    notice = NoticeFactory(building=building)
    with django_assert_num_queries(1):
        services.mark_read(notices=[notice], user=member_user)
    with django_assert_num_queries(1):
        services.mark_read(notices=[notice], user=member_user)


def test_receipts_count_the_members_of_the_audience_who_read(building, branch_a, group_a, branch_b, member_user):
    in_group = MemberFactory(organization=group_a, user=UserFactory(username="g", role="member", building=building))
    wall_reader = MemberFactory(organization=branch_a)  # no account: reads the board on the wall
    MemberFactory(organization=branch_a, whereabouts=Member.Whereabouts.TRANSFERRED_OUT)  # not counted
    MemberFactory(organization=branch_b)  # another branch
    notice = NoticeFactory(audience=branch_a)
    services.mark_read(notices=[notice], user=member_user)
    services.mark_read(notices=[notice], user=UserFactory(username="officer", role="admin", building=building))

    found = selectors.receipts(notice)
    assert (found.have_read, found.should_read) == (1, 3)
    assert set(found.members) == {in_group, wall_reader}  # those who have not read yet
    read = selectors.receipts(notice, selectors.READ).members
    assert [m.user_id for m in read] == [member_user.pk] and read[0].read_at is not None
    assert len(selectors.receipts(notice, selectors.EVERYONE).members) == 3
    assert selectors.receipts(NoticeFactory(building=building)).should_read == 4  # the whole building


def test_unread_lists_what_is_on_the_board_and_not_opened(member_user, building, branch_b):
    opened = NoticeFactory(building=building, title="已读")
    NoticeFactory(building=building, title="未读")
    NoticeFactory(building=building, title="预告", publish_at=days(3))
    NoticeFactory(audience=branch_b, title="别的支部")
    services.mark_read(notices=[opened], user=member_user)
    assert [n.title for n in selectors.unread(member_user)] == ["未读"]


# --- writes -------------------------------------------------------------------------------------------------


def test_a_rule_is_the_buildings_and_cannot_be_addressed_to_a_branch(building, branch_a, admin_user):
    with pytest.raises(ValidationError) as error:
        services.notice_save(
            notice=Notice(building=building, audience=branch_a, kind=Notice.Kind.RULE, title="制度", body="x"),
            by=admin_user,
        )
    assert "kind" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeFactory(audience=branch_a, kind=Notice.Kind.RULE)


def test_a_notice_cannot_be_addressed_to_another_buildings_branch_or_a_party_group(building, group_a, admin_user):
    other = OrganizationFactory(building=BuildingFactory(name="别的大厦"))
    for audience in (other, group_a):
        with pytest.raises(ValidationError) as error:
            notice = Notice(building=building, audience=audience, title="t", body="x")
            services.notice_save(notice=notice, by=admin_user)
        assert "audience" in error.value.message_dict


def test_a_notice_leaves_the_board_after_it_goes_up_not_before(building, admin_user):
    with pytest.raises(ValidationError) as error:
        services.notice_save(
            notice=Notice(building=building, title="t", body="x", publish_at=days(2), expires_at=days(1)),
            by=admin_user,
        )
    assert "expires_at" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeFactory(building=building, publish_at=days(2), expires_at=days(1))


def test_saving_sets_the_author_once_and_stores_attachments_under_random_names(building, admin_user, secretary_a):
    notice = services.notice_save(
        notice=Notice(building=building, title="通知", body="正文"),
        by=admin_user,
        files=[SimpleUploadedFile("测评表.pdf", PDF)],
    )
    notice.body = "改过"
    services.notice_save(notice=notice, by=secretary_a)
    notice.refresh_from_db()
    attachment = notice.attachments.get()
    assert notice.author == admin_user and notice.body == "改过"
    assert attachment.name == "测评表.pdf" and attachment.size == len(PDF)
    assert attachment.file.name.startswith(f"notices/{building.pk}/") and "测评表" not in attachment.file.name


def test_a_withdrawn_notice_can_no_longer_be_changed_or_pinned(building, admin_user):
    notice = services.notice_withdraw(notice=NoticeFactory(building=building), by=admin_user)
    notice.title = "改标题"
    with pytest.raises(ValidationError):
        services.notice_save(notice=notice, by=admin_user)
    with pytest.raises(ValidationError):
        services.notice_pin(notice=notice, pinned=True)


def test_a_notice_has_at_most_ten_attachments(building, admin_user):
    files = [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(11)]
    with pytest.raises(ValidationError) as error:
        services.notice_save(notice=Notice(building=building, title="t", body="x"), by=admin_user, files=files)
    assert "attachments" in error.value.message_dict
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("通知.exe", b"MZ\x90\x00", "file_type"),
        ("通知.pdf", b"<html><script>alert(1)</script>", "file_content"),
        ("表格.xlsx", b"PK\x03\x04not really a zip", "file_content"),
        ("照片.png", b"\xff\xd8\xff\xe0 a jpeg named png", "file_content"),
    ],
)
def test_an_attachment_must_be_what_its_name_says(name, content, code):
    with pytest.raises(ValidationError) as error:
        services.check_attachment(SimpleUploadedFile(name, content))
    assert error.value.code == code


def test_an_attachment_of_more_than_ten_megabytes_is_refused():
    big = SimpleUploadedFile("大.pdf", PDF + b"0" * (services.MAX_ATTACHMENT_SIZE + 1 - len(PDF)))
    with pytest.raises(ValidationError) as error:
        services.check_attachment(big)
    assert error.value.code == "file_size"


def test_pinning_twice_changes_nothing_more(building):
    notice = NoticeFactory(building=building)
    assert services.notice_pin(notice=notice, pinned=True).pinned
    assert services.notice_pin(notice=notice, pinned=True).pinned
    assert not services.notice_pin(notice=notice, pinned=False).pinned
