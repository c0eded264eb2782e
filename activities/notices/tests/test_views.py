"""Bulletin-board pages: the board, one notice, writing and editing, pin/unpin/withdraw, attachments, read
receipts, the rules page and the home-page panel."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities.notices.models import Notice, NoticeAttachment, NoticeRead
from activities.notices.tests.factories import PDF, PNG, NoticeFactory, days
from tests.factories import BuildingFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"notices:{name}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def attach(notice, name="测评表.pdf", content=PDF) -> NoticeAttachment:
    attachment = NoticeAttachment(notice=notice, name=name, size=len(content))
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def office_file(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.fixture
def for_building(building):
    notice = NoticeFactory(building=building, title="全楼通知")
    attach(notice)
    return notice


@pytest.fixture
def for_a(branch_a):
    notice = NoticeFactory(audience=branch_a, title="一支部通知")
    attach(notice)
    return notice


@pytest.fixture
def for_b(branch_b):
    notice = NoticeFactory(audience=branch_b, title="二支部通知")
    attach(notice)
    return notice


def form_data(**changes):
    data = {"kind": Notice.Kind.NOTICE, "title": "关于召开支部党员大会的通知", "body": "请**准时**参加。"}
    data.update(changes)
    return data


def every_page(notice):
    attachment = notice.attachments.first()
    return [
        url("board"),
        url("rules"),
        url("create"),
        url("detail", notice.pk),
        url("edit", notice.pk),
        url("receipts", notice.pk),
        url("attachment", notice.pk, attachment.pk),
    ]


# --- who may open what --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, for_a):
    for target in every_page(for_a):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    for action in ("pin", "unpin", "withdraw"):
        response = client.post(url(action, for_a.pk))
        assert response["Location"].startswith(reverse("login")), action
    client.post(url("create"), form_data())
    assert Notice.objects.count() == 1


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user", "street_user"])
def test_readers_are_refused_the_writing_pages(request, login_as, persona, for_building):
    client = login_as(request.getfixturevalue(persona))
    for target in [url("create"), url("edit", for_building.pk), url("receipts", for_building.pk)]:
        assert client.get(target).status_code == 403, target
    for target in [url("create"), url("edit", for_building.pk)] + [
        url(action, for_building.pk) for action in ("pin", "unpin", "withdraw")
    ]:
        assert client.post(target, form_data(title="改掉")).status_code == 403, target
    for_building.refresh_from_db()
    assert for_building.title == "全楼通知" and not for_building.pinned and for_building.withdrawn_at is None


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user", "street_user", "secretary_a"])
def test_everybody_signed_in_reads_the_board_the_rules_and_a_building_notice(request, login_as, persona, for_building):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(url("board")).status_code == 200
    assert client.get(url("rules")).status_code == 200
    detail = client.get(url("detail", for_building.pk))
    assert detail.status_code == 200 and "全楼通知" in detail.content.decode()
    assert client.get(url("attachment", for_building.pk, for_building.attachments.get().pk)).status_code == 200


def test_another_branchs_notice_is_not_found_by_a_member_or_secretary(login_as, member_user, secretary_a, for_b):
    attachment = for_b.attachments.get()
    for user in (member_user, secretary_a):
        client = login_as(user)
        assert for_b.pk not in [n.pk for n in client.get(url("board")).context["page"]]
        for target in [url("detail", for_b.pk), url("attachment", for_b.pk, attachment.pk)]:
            assert client.get(target).status_code == 404, (user, target)


def test_a_secretary_finds_nothing_to_change_of_another_branch(login_as, secretary_b, for_a):
    client = login_as(secretary_b)
    for target in [url("detail", for_a.pk), url("edit", for_a.pk), url("receipts", for_a.pk)]:
        assert client.get(target).status_code == 404, target
    for action in ("pin", "unpin", "withdraw"):
        assert client.post(url(action, for_a.pk)).status_code == 404, action
    assert client.post(url("edit", for_a.pk), form_data(title="改掉")).status_code == 404
    for_a.refresh_from_db()
    assert for_a.title == "一支部通知" and not for_a.pinned and for_a.withdrawn_at is None


@pytest.mark.parametrize("persona", ["liaison_user", "contact_user"])
def test_liaisons_and_contacts_do_not_find_a_branchs_notice(request, login_as, persona, for_a):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(url("detail", for_a.pk)).status_code == 404
    assert client.get(url("attachment", for_a.pk, for_a.attachments.get().pk)).status_code == 404


def test_another_buildings_admin_and_member_find_nothing(login_as, outsider, for_building, for_a):
    other_admin = UserFactory(username="other_admin", role="admin", building=BuildingFactory(name="别的大厦"))
    for user in (outsider, other_admin):
        client = login_as(user)
        assert client.get(url("board")).context["page"].paginator.count == 0
        for notice in (for_building, for_a):
            assert client.get(url("detail", notice.pk)).status_code == 404
    client = login_as(other_admin)
    assert client.get(url("edit", for_a.pk)).status_code == 404
    assert client.post(url("withdraw", for_a.pk)).status_code == 404
    assert client.get(url("receipts", for_building.pk)).status_code == 404


def test_a_secretary_reads_a_building_notice_but_may_not_change_it(secretary_a_client, for_building):
    detail = secretary_a_client.get(url("detail", for_building.pk))
    assert detail.status_code == 200 and not detail.context["can_manage"]
    assert secretary_a_client.get(url("edit", for_building.pk)).status_code == 403
    assert secretary_a_client.post(url("pin", for_building.pk)).status_code == 403
    assert secretary_a_client.get(url("receipts", for_building.pk)).status_code == 403


def test_the_read_only_pages_answer_only_get_and_the_actions_only_post(admin_client, for_building):
    attachment = for_building.attachments.get()
    for target in [
        url("board"),
        url("rules"),
        url("detail", for_building.pk),
        url("receipts", for_building.pk),
        url("attachment", for_building.pk, attachment.pk),
    ]:
        assert admin_client.post(target).status_code == 405, target
    for action in ("pin", "unpin", "withdraw"):
        assert admin_client.get(url(action, for_building.pk)).status_code == 405, action
    assert admin_client.put(url("create")).status_code == 405
    assert admin_client.put(url("edit", for_building.pk)).status_code == 405
    for_building.refresh_from_db()
    assert for_building.withdrawn_at is None


# --- the board ----------------------------------------------------------------------------------------------


def test_the_board_shows_pinned_first_then_the_newest_with_what_is_unread(member_client, member_user, building):
    old = NoticeFactory(building=building, title="旧通知", publish_at=days(-5))
    NoticeFactory(building=building, title="新动态", kind=Notice.Kind.NEWS, publish_at=days(-1))
    NoticeFactory(building=building, title="置顶通知", pinned=True, publish_at=days(-9))
    NoticeFactory(building=building, title="楼宇制度", kind=Notice.Kind.RULE)
    NoticeFactory(building=building, title="下周预告", publish_at=days(7))
    NoticeFactory(building=building, title="已下栏", publish_at=days(-9), expires_at=days(-1))
    NoticeRead.objects.create(notice=old, user=member_user)

    response = member_client.get(url("board"))
    rows = list(response.context["page"])
    assert [n.title for n in rows] == ["置顶通知", "新动态", "旧通知"]
    assert [n.is_read for n in rows] == [False, False, True]
    assert response.content.decode().count('data-testid="unread"') == 2
    assert "state" not in response.context["form"].fields  # readers list what is on the board
    assert [n.title for n in member_client.get(url("board"), {"kind": "rule"}).context["page"]] == ["楼宇制度"]
    assert [n.title for n in member_client.get(url("board"), {"kind": "news"}).context["page"]] == ["新动态"]
    assert [n.title for n in member_client.get(url("board"), {"q": "置顶"}).context["page"]] == ["置顶通知"]
    # a reader asking for other states still gets only what is on the board
    assert member_client.get(url("board"), {"state": "scheduled"}).context["page"].paginator.count == 3


def test_those_who_manage_notices_list_the_scheduled_expired_and_withdrawn_ones_they_manage(
    secretary_a_client, building, branch_a, branch_b
):
    NoticeFactory(audience=branch_a, title="本支部预告", publish_at=days(7))
    NoticeFactory(building=building, title="全楼预告", publish_at=days(7))
    NoticeFactory(audience=branch_b, title="别支部预告", publish_at=days(7))
    NoticeFactory(audience=branch_a, title="本支部已下栏", publish_at=days(-9), expires_at=days(-1))
    NoticeFactory(audience=branch_a, title="本支部已撤回", withdrawn_at=timezone.now())

    def listed(state):
        return [n.title for n in secretary_a_client.get(url("board"), {"state": state}).context["page"]]

    assert listed("scheduled") == ["本支部预告"]
    assert listed("expired") == ["本支部已下栏"]
    assert listed("withdrawn") == ["本支部已撤回"]


@pytest.mark.parametrize("scale", [1, 3])
def test_the_board_runs_the_same_queries_at_1x_and_3x_notices(
    member_client, member_user, building, branch_a, django_assert_num_queries, scale
):
    for n in range(4 * scale):
        NoticeFactory(building=building, pinned=n == 0, author=UserFactory(username=f"a{n}", building=building))
        notice = NoticeFactory(audience=branch_a, kind=Notice.Kind.NEWS)
        attach(notice)
        NoticeRead.objects.create(notice=notice, user=member_user)
    member_client.get(url("board"))  # warm the session
    with django_assert_num_queries(BOARD_QUERIES):
        response = member_client.get(url("board"))
    assert response.context["page"].paginator.count == 8 * scale


# Session read, user, the unread-notification count, count and page of the notices (audience, building and
# author joined; read and attachments as EXISTS), the session write (3).
BOARD_QUERIES = 8


@pytest.mark.parametrize("scale", [1, 3])
def test_the_admins_board_runs_the_same_queries_at_1x_and_3x_notices(
    admin_client, building, branch_a, branch_b, django_assert_num_queries, scale
):
    for _n in range(3 * scale):
        for audience in (None, branch_a, branch_b):
            NoticeFactory(building=building, audience=audience, kind=Notice.Kind.NEWS)
    admin_client.get(url("board"))
    with django_assert_num_queries(BOARD_QUERIES):
        response = admin_client.get(url("board"), {"state": "current"})
    assert response.context["page"].paginator.count == 9 * scale


def test_the_board_reads_well_on_a_phone(member_client, building):
    NoticeFactory(building=building, title="很长的标题" * 10)
    body = member_client.get(url("board")).content.decode()
    assert 'name="viewport"' in body and "list-group" in body and "text-break" in body
    assert "<table" not in body  # a list, no wide table


# --- one notice ---------------------------------------------------------------------------------------------


def test_opening_a_notice_marks_it_read_once(member_client, member_user, for_building):
    first = member_client.get(url("detail", for_building.pk))
    assert first.status_code == 200 and "<strong>准时</strong>" not in first.content.decode()
    read = NoticeRead.objects.get(notice=for_building, user=member_user)
    member_client.get(url("detail", for_building.pk))
    assert NoticeRead.objects.filter(notice=for_building).count() == 1
    assert NoticeRead.objects.get().read_at == read.read_at


def test_a_notice_is_shown_as_sanitised_markdown(member_client, building):
    notice = NoticeFactory(
        building=building, body="## 议程\n\n- **学习**\n\n<script>alert(1)</script> [x](javascript:alert(1))"
    )
    body = member_client.get(url("detail", notice.pk)).content.decode()
    assert "<h3>议程</h3>" in body and "<strong>学习</strong>" in body
    assert "<script>alert(1)" not in body and 'href="javascript:' not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize("when", ["scheduled", "expired", "withdrawn"])
def test_a_notice_off_the_board_is_not_found_by_readers_but_shown_to_who_manages_it(
    login_as, member_user, admin_user, street_user, building, when
):
    fields = {
        "scheduled": {"publish_at": days(7)},
        "expired": {"publish_at": days(-9), "expires_at": days(-1)},
        "withdrawn": {"withdrawn_at": timezone.now()},
    }[when]
    notice = NoticeFactory(building=building, **fields)
    attachment = attach(notice)
    for reader in (member_user, street_user):
        client = login_as(reader)
        assert client.get(url("detail", notice.pk)).status_code == 404
        assert client.get(url("attachment", notice.pk, attachment.pk)).status_code == 404
    client = login_as(admin_user)
    detail = client.get(url("detail", notice.pk))
    assert detail.status_code == 200 and detail.context["state"] == when
    assert client.get(url("attachment", notice.pk, attachment.pk)).status_code == 200
    assert not NoticeRead.objects.exists()  # only a notice on the board is read


def test_those_who_manage_a_notice_see_how_many_have_read(login_as, secretary_a, member_user, for_a):
    assert "receipts" not in login_as(member_user).get(url("detail", for_a.pk)).context
    detail = login_as(secretary_a).get(url("detail", for_a.pk))
    summary = detail.context["receipts"]
    assert (summary.have_read, summary.should_read) == (1, 1)  # the member opened it just now
    assert "已读 1 / 应读 1" in detail.content.decode()


# --- attachments --------------------------------------------------------------------------------------------


def test_an_attachment_is_served_privately_and_inline_when_it_is_a_pdf(member_client, for_a):
    attachment = for_a.attachments.get()
    response = member_client.get(url("attachment", for_a.pk, attachment.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Security-Policy"] == "sandbox"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("inline")


def test_a_spreadsheet_is_downloaded_under_its_own_name(member_client, building):
    notice = NoticeFactory(building=building)
    sheet = attach(notice, name="党费交纳表.xlsx", content=office_file("xl/"))
    response = member_client.get(url("attachment", notice.pk, sheet.pk))
    assert response["Content-Disposition"].startswith("attachment")
    assert "xlsx" in response["Content-Disposition"]


def test_an_attachment_is_found_only_under_its_own_notice(member_client, for_building, for_a):
    other = for_a.attachments.get()
    assert member_client.get(url("attachment", for_building.pk, other.pk)).status_code == 404


def test_a_missing_file_is_not_found(member_client, for_building):
    attachment = for_building.attachments.get()
    attachment.file.delete(save=False)
    assert member_client.get(url("attachment", for_building.pk, attachment.pk)).status_code == 404


# --- writing ------------------------------------------------------------------------------------------------


def test_the_admin_publishes_a_notice_for_the_whole_building_with_attachments(admin_client, admin_user, building):
    response = admin_client.post(
        url("create"),
        form_data(
            pinned="on",
            attachments=[SimpleUploadedFile("测评表.pdf", PDF), SimpleUploadedFile("合影.png", PNG)],
        ),
    )
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", notice.pk)
    assert (notice.building, notice.audience, notice.author, notice.pinned) == (building, None, admin_user, True)
    assert notice.is_current
    assert sorted(notice.attachments.values_list("name", flat=True)) == ["合影.png", "测评表.pdf"]
    assert messages_of(admin_client.get(response["Location"])) == ["已发布到宣传栏。"]


def test_the_admin_writes_a_rule_for_the_building_but_not_for_a_branch(admin_client, branch_a):
    response = admin_client.post(url("create"), form_data(kind="rule", audience=branch_a.pk))
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    admin_client.post(url("create"), form_data(kind="rule", title="党员行为规范"))
    assert Notice.objects.get().kind == Notice.Kind.RULE


def test_the_admin_may_address_one_branch_but_not_a_party_group_or_another_buildings(
    admin_client, branch_a, group_a, outsider
):
    from members.models import Member

    elsewhere = Member.objects.get(user=outsider).organization
    for audience in (group_a, elsewhere):
        response = admin_client.post(url("create"), form_data(audience=audience.pk))
        assert response.status_code == 200 and "audience" in response.context["form"].errors
    admin_client.post(url("create"), form_data(audience=branch_a.pk))
    assert Notice.objects.get().audience == branch_a


def test_a_secretary_writes_for_her_own_branch_only_and_no_rules(secretary_a_client, secretary_a, branch_a, branch_b):
    form = secretary_a_client.get(url("create")).context["form"]
    assert "audience" not in form.fields and "rule" not in dict(form.fields["kind"].choices)
    response = secretary_a_client.post(url("create"), form_data(audience=branch_b.pk))
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert (notice.audience, notice.building, notice.author) == (branch_a, branch_a.building, secretary_a)
    response = secretary_a_client.post(url("create"), form_data(kind="rule"))
    assert response.status_code == 200 and "kind" in response.context["form"].errors


def test_a_notice_can_be_scheduled_and_given_an_end(admin_client):
    start = timezone.localtime(days(7)).replace(second=0, microsecond=0)
    response = admin_client.post(
        url("create"),
        form_data(
            publish_at=start.strftime("%Y-%m-%dT%H:%M"),
            expires_at=timezone.localtime(days(14)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    notice = Notice.objects.get()
    assert notice.publish_at == start and notice.state() == Notice.State.SCHEDULED
    assert messages_of(admin_client.get(response["Location"])) == [
        f"已保存，将于 {start:%Y-%m-%d %H:%M} 发布到宣传栏。"
    ]
    too_soon = form_data(
        publish_at=start.strftime("%Y-%m-%dT%H:%M"), expires_at=timezone.localtime(days(1)).strftime("%Y-%m-%dT%H:%M")
    )
    assert "expires_at" in admin_client.post(url("create"), too_soon).context["form"].errors


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("病毒.exe", b"MZ\x90\x00", "只能是"),
        ("假的.pdf", b"<html><script>alert(1)</script>", "不符"),
        ("假的.docx", b"PK\x03\x04broken", "不符"),
    ],
)
def test_an_attachment_that_is_not_what_it_says_is_refused(admin_client, name, content, words):
    response = admin_client.post(url("create"), form_data(attachments=[SimpleUploadedFile(name, content)]))
    assert response.status_code == 200 and words in " ".join(response.context["form"].errors["attachments"])
    assert not Notice.objects.exists()


def test_the_admin_edits_a_notice_and_removes_an_attachment(admin_client, for_a):
    old = for_a.attachments.get()
    response = admin_client.post(
        url("edit", for_a.pk),
        form_data(
            title="改后的标题",
            audience=for_a.audience_id,
            publish_at=timezone.localtime(for_a.publish_at).strftime("%Y-%m-%dT%H:%M"),
            remove=[old.pk],
            attachments=[SimpleUploadedFile("新表.xlsx", office_file("xl/"))],
        ),
    )
    assert response.status_code == 302
    for_a.refresh_from_db()
    assert for_a.title == "改后的标题"
    assert list(for_a.attachments.values_list("name", flat=True)) == ["新表.xlsx"]
    assert messages_of(admin_client.get(response["Location"])) == ["已保存。"]


def test_a_secretary_edits_her_branchs_notice(secretary_a_client, for_a):
    response = secretary_a_client.post(
        url("edit", for_a.pk),
        form_data(title="改过", publish_at=timezone.localtime(for_a.publish_at).strftime("%Y-%m-%dT%H:%M")),
    )
    assert response.status_code == 302
    for_a.refresh_from_db()
    assert for_a.title == "改过" and for_a.audience.name == "第一党支部"


def test_a_withdrawn_notice_is_not_edited(admin_client, for_building):
    for_building.withdrawn_at = timezone.now()
    for_building.save(update_fields=["withdrawn_at"])
    response = admin_client.get(url("edit", for_building.pk))
    assert response.status_code == 302 and response["Location"] == url("detail", for_building.pk)
    assert messages_of(admin_client.get(response["Location"])) == ["该条已撤回，不能再修改。"]


# --- pin, unpin, withdraw -----------------------------------------------------------------------------------


def test_the_secretary_pins_unpins_and_withdraws_her_branchs_notice(secretary_a_client, secretary_a, for_a):
    response = secretary_a_client.post(url("pin", for_a.pk))
    assert messages_of(secretary_a_client.get(response["Location"])) == ["已置顶。"]
    assert response.status_code == 302 and response["Location"] == url("detail", for_a.pk)
    for_a.refresh_from_db()
    assert for_a.pinned
    secretary_a_client.post(url("unpin", for_a.pk))
    for_a.refresh_from_db()
    assert not for_a.pinned
    response = secretary_a_client.post(url("withdraw", for_a.pk))
    for_a.refresh_from_db()
    assert for_a.withdrawn_by == secretary_a and not for_a.is_current
    assert messages_of(secretary_a_client.get(response["Location"]))[-1] == "已从宣传栏撤回。"
    response = secretary_a_client.post(url("pin", for_a.pk))
    assert messages_of(secretary_a_client.get(response["Location"])) == ["该条已撤回，不能再修改。"]


# --- read receipts ------------------------------------------------------------------------------------------


def test_the_receipts_page_lists_who_has_not_read_and_who_has(admin_client, member_user, building, branch_a):
    notice = NoticeFactory(building=building)
    wall_reader = MemberFactory(organization=branch_a, name="王阿姨")
    NoticeRead.objects.create(notice=notice, user=member_user)

    unread = admin_client.get(url("receipts", notice.pk))
    assert unread.context["show"] == "unread"
    assert [m.name for m in unread.context["page"]] == ["王阿姨"]
    page = unread.content.decode()
    assert "已读 1 / 应读 2" in page and "无账号" in page
    read = admin_client.get(url("receipts", notice.pk), {"show": "read"})
    assert [m.user_id for m in read.context["page"]] == [member_user.pk]
    everybody = admin_client.get(url("receipts", notice.pk), {"show": "all"})
    assert {m.pk for m in everybody.context["page"]} == {wall_reader.pk, member_user.member.pk}
    assert admin_client.get(url("receipts", notice.pk), {"show": "bogus"}).context["show"] == "unread"


def test_a_secretary_sees_the_receipts_of_her_branchs_notices(secretary_a_client, for_a):
    assert secretary_a_client.get(url("receipts", for_a.pk)).status_code == 200


@pytest.mark.parametrize("scale", [1, 3])
def test_the_receipts_page_runs_the_same_queries_at_1x_and_3x_members(
    admin_client, building, branch_a, group_a, django_assert_num_queries, scale
):
    notice = NoticeFactory(building=building)
    for n in range(5 * scale):
        user = UserFactory(username=f"m{n}", role="member", building=building) if n % 2 else None
        MemberFactory(organization=group_a if n % 3 else branch_a, user=user)
        if user and n % 4 == 1:
            NoticeRead.objects.create(notice=notice, user=user)
    admin_client.get(url("receipts", notice.pk))
    for show in ("unread", "read", "all"):
        with django_assert_num_queries(RECEIPTS_QUERIES):
            response = admin_client.get(url("receipts", notice.pk), {"show": show})
        assert response.status_code == 200


# Session read, user, the unread-notification count, the notice, the counts, count and page of the members
# (their branch and enterprise joined, the read time as a subquery), the session write (3).
RECEIPTS_QUERIES = 10


# --- the rules ----------------------------------------------------------------------------------------------


def test_the_rules_page_shows_the_buildings_rules_in_full_and_marks_them_read(member_client, member_user, building):
    rule = NoticeFactory(building=building, kind=Notice.Kind.RULE, pinned=True, title="行为规范", body="1. **守纪律**")
    NoticeFactory(building=building, kind=Notice.Kind.RULE, title="旧制度", withdrawn_at=timezone.now())
    NoticeFactory(building=BuildingFactory(name="别的大厦"), kind=Notice.Kind.RULE, title="别楼制度")
    response = member_client.get(url("rules"))
    assert [n.title for n in response.context["page"]] == ["行为规范"]
    assert "<strong>守纪律</strong>" in response.content.decode()
    assert NoticeRead.objects.filter(user=member_user).get().notice == rule


def test_the_street_reads_every_buildings_rules(login_as, street_user, building):
    NoticeFactory(building=building, kind=Notice.Kind.RULE, title="中央大厦制度")
    NoticeFactory(building=BuildingFactory(name="别的大厦"), kind=Notice.Kind.RULE, title="别楼制度")
    response = login_as(street_user).get(url("rules"))
    assert {n.title for n in response.context["page"]} == {"中央大厦制度", "别楼制度"}


# --- the home page ------------------------------------------------------------------------------------------


def panel(response):
    return next(p for p in response.context["panels"] if p["template"] == "notices/_panel.html")


def test_the_home_page_shows_the_pinned_notices_and_how_many_are_unread(member_client, member_user, building, branch_b):
    pinned = NoticeFactory(building=building, title="置顶通知", pinned=True)
    for n in range(6):
        NoticeFactory(building=building, title=f"通知{n}")
    NoticeFactory(audience=branch_b, title="别的支部")
    home = member_client.get(reverse("home"))
    shown = panel(home)
    assert [n.title for n in shown["pinned"]] == ["置顶通知"]
    assert shown["unread_count"] == 7 and len(shown["unread"]) == 5 and pinned not in shown["unread"]
    assert "7 条未读" in home.content.decode()

    member_client.get(url("detail", pinned.pk))
    assert panel(member_client.get(reverse("home")))["unread_count"] == 6


@pytest.mark.parametrize("persona", ["admin_user", "secretary_a", "liaison_user", "contact_user", "street_user"])
def test_every_role_finds_the_board_on_the_home_page(request, login_as, persona, building):
    NoticeFactory(building=building, title="全楼通知")
    shown = panel(login_as(request.getfixturevalue(persona)).get(reverse("home")))
    assert [n.title for n in shown["unread"]] == ["全楼通知"]


def test_the_panel_says_when_everything_is_read(member_client):
    home = member_client.get(reverse("home"))
    assert panel(home)["unread_count"] == 0 and "宣传栏内容均已阅读" in home.content.decode()
