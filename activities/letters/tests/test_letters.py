"""The outreach letters: merging, validation, choosing recipients, the print page, and who may do what."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.letters import selectors, services, views
from activities.letters.models import LetterTemplate
from members.models import Member
from tests.factories import BuildingFactory, EnterpriseFactory, MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

ALL_MEMBER_FIELDS = "{姓名}在{企业}（{房间}室），属{支部}；联络员{联络员}，电话{联络员电话}。"


def make_letter(building, *, audience="owners", body="请与联络员{联络员}联系。", title=None):
    return LetterTemplate.objects.create(
        building=building, audience=audience, title=title or f"给{audience}的信", body=body
    )


def print_url(letter, **params):
    return reverse("letters:print", args=[letter.pk]), {"print": "1", **params}


@pytest.fixture
def liaison(building):
    return UserFactory(username="liaison_wang", role="liaison", building=building, name="王联络", phone="13900001111")


# --- merging ------------------------------------------------------------------------------------------------


def test_a_members_letter_fills_in_every_merge_field(building, branch_a, liaison):
    company = EnterpriseFactory(building=building, name="慈溪云帆科技有限公司", room="1203", liaison=liaison)
    member = MemberFactory(name="张三", organization=branch_a, enterprise=company)
    letter = make_letter(building, audience="members", body=ALL_MEMBER_FIELDS)

    [composed] = selectors.compose(letter, selectors.recipients(letter, [member]))

    assert composed.recipient.salutation == "张三同志："
    assert composed.paragraphs == [
        "张三在慈溪云帆科技有限公司（1203室），属第一党支部；联络员王联络，电话13900001111。"
    ]
    assert composed.missing == []


def test_a_members_own_room_wins_over_the_enterprises(building, branch_a):
    company = EnterpriseFactory(building=building, room="1203")
    member = MemberFactory(organization=branch_a, enterprise=company, room="1208")
    assert selectors.member_values(member)["房间"] == "1208"


def test_an_owners_letter_goes_to_the_legal_representative_else_the_contact_person(building, liaison):
    with_rep = EnterpriseFactory(building=building, legal_representative="李总", contact_name="小周", liaison=liaison)
    contact_only = EnterpriseFactory(building=building, name="宁波海曙贸易有限公司", contact_name="小周")
    nobody = EnterpriseFactory(building=building, name="无名氏咨询有限公司")
    letter = make_letter(building, body="{姓名}：{企业}，{房间}室，联络员{联络员}（{联络员电话}）")

    letters = selectors.compose(letter, selectors.recipients(letter, [with_rep, contact_only, nobody]))

    assert [x.recipient.salutation for x in letters] == [
        "尊敬的李总：",
        "尊敬的小周：",
        "尊敬的无名氏咨询有限公司负责人：",
    ]
    assert letters[0].paragraphs == [f"李总：{with_rep.name}，{with_rep.room}室，联络员王联络（13900001111）"]
    assert letters[1].missing == ["联络员", "联络员电话"]
    assert letters[2].missing == ["姓名", "联络员", "联络员电话"]


def test_each_line_of_the_text_is_a_paragraph_and_blank_lines_are_dropped(building):
    letter = make_letter(building, body="第一段。\r\n\r\n  第二段。\n")
    [composed] = selectors.compose(letter, selectors.recipients(letter, [EnterpriseFactory(building=building)]))
    assert composed.paragraphs == ["第一段。", "第二段。"]


def test_html_in_names_is_printed_as_text(admin_client, building):
    EnterpriseFactory(
        building=building, floor=7, name="<script>alert(1)</script>有限公司", legal_representative="<b>王</b>"
    )
    letter = make_letter(building, body="{企业}")
    url, params = print_url(letter, floor=7)

    html = admin_client.get(url, params).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "<b>王</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;有限公司" in html
    assert "尊敬的&lt;b&gt;王&lt;/b&gt;：" in html


# --- writing letters ----------------------------------------------------------------------------------------


def test_an_admin_writes_a_letter(admin_client, admin_user, building):
    response = admin_client.post(
        reverse("letters:create"),
        {"title": "致党员的一封信", "audience": "members", "body": "{姓名}同志在{支部}。", "signature": "联合党总支"},
    )
    assert response.status_code == 302
    letter = LetterTemplate.objects.get(title="致党员的一封信")
    assert (letter.building, letter.updated_by) == (building, admin_user)


def test_an_unknown_merge_field_is_rejected_next_to_the_text(admin_client):
    response = admin_client.post(
        reverse("letters:create"),
        {"title": "有错的信", "audience": "members", "body": "{姓名}，请访问{网址}。", "signature": "联合党总支"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["body"]
    assert "网址" in errors["body"][0]
    assert not LetterTemplate.objects.filter(title="有错的信").exists()


def test_a_members_only_field_is_unknown_in_an_owners_letter(admin_client, building):
    letter = make_letter(building, audience="owners", body="{姓名}")
    response = admin_client.post(
        reverse("letters:edit", args=[letter.pk]),
        {"title": letter.title, "audience": "owners", "body": "{姓名}，您的支部是{支部}", "signature": "联合党总支"},
    )
    assert "支部" in response.context["form"].errors["body"][0]
    letter.refresh_from_db()
    assert letter.body == "{姓名}"


def test_two_letters_of_a_building_cannot_share_a_title(admin_client, building):
    make_letter(building, title="致党员的一封信")
    response = admin_client.post(
        reverse("letters:create"),
        {"title": "致党员的一封信", "audience": "members", "body": "正文", "signature": "联合党总支"},
    )
    assert "title" in response.context["form"].errors


def test_the_form_lists_the_merge_fields_of_each_audience(admin_client):
    html = admin_client.get(reverse("letters:create")).content.decode()
    for name in LetterTemplate.FIELDS[LetterTemplate.Audience.MEMBERS]:
        assert f'data-merge-field="{name}"' in html


def test_the_default_letters_are_valid_and_created_once(building, admin_user):
    for values in services.default_letters():
        LetterTemplate(building=building, **values).full_clean(exclude=["updated_by"])
    assert {letter.audience for letter in services.ensure_default_letters(building, by=admin_user)} == {
        "members",
        "owners",
    }
    assert services.ensure_default_letters(building=building, by=admin_user) == []
    assert LetterTemplate.objects.filter(building=building).count() == 2


def test_the_default_letters_speak_of_the_seeds_services_and_the_liaison():
    members, owners = (values["body"] for values in services.default_letters())
    for words in ("组织关系", "党费代交", "学习资料借阅", "法律咨询", "{联络员}", "{联络员电话}"):
        assert words in members
    for words in ("投资指南", "子女入学", "落户登记", "政策咨询", "街道拨付一点、企业资助一点", "{联络员电话}"):
        assert words in owners


def test_an_admin_adds_the_missing_default_letters_from_the_list(admin_client, building):
    assert admin_client.get(reverse("letters:list")).context["missing_defaults"]
    admin_client.post(reverse("letters:list"))
    assert LetterTemplate.objects.filter(building=building).count() == 2
    assert admin_client.get(reverse("letters:list")).context["missing_defaults"] == []


def test_a_secretary_cannot_add_the_default_letters(secretary_a_client, building):
    assert secretary_a_client.post(reverse("letters:list")).status_code == 403
    assert not LetterTemplate.objects.exists()


# --- choosing recipients and printing -----------------------------------------------------------------------


def test_owners_of_one_floor_get_one_page_each_with_their_names(admin_client, building):
    for room, name in (("503", "孙三"), ("501", "赵一"), ("502", "钱二")):
        EnterpriseFactory(building=building, floor=5, room=room, legal_representative=name)
    EnterpriseFactory(building=building, floor=5, legal_representative="已迁出", status="moved_out")
    EnterpriseFactory(building=building, floor=6, legal_representative="六楼")
    letter = make_letter(building)
    url, params = print_url(letter, floor=5)

    response = admin_client.get(url, params)

    assert response.templates[0].name == "letters/print.html"
    html = response.content.decode()
    assert html.count('<section class="page letter"') == 3
    assert [x.recipient.salutation for x in response.context["letters"]] == [
        "尊敬的赵一：",
        "尊敬的钱二：",
        "尊敬的孙三：",
    ]
    assert "已迁出" not in html and "六楼" not in html
    assert "@page { size: A4; margin: 20mm; }" in html
    assert "page-break-after: always" in html
    assert 'data-testid="print-button"' in html


def test_a_secretarys_members_letter_reaches_only_their_branch(
    secretary_a_client, building, branch_a, group_a, branch_b
):
    MemberFactory(name="甲支部党员", organization=branch_a)
    MemberFactory(name="甲小组党员", organization=group_a)
    MemberFactory(name="乙支部党员", organization=branch_b)
    letter = make_letter(building, audience="members", body="{支部}")
    url, params = print_url(letter)

    response = secretary_a_client.get(url, params)

    names = sorted(x.recipient.salutation for x in response.context["letters"])
    assert names == ["甲小组党员同志：", "甲支部党员同志："]
    assert "乙支部党员" not in response.content.decode()


def test_a_secretary_cannot_pick_another_branch_in_the_filter(secretary_a_client, building, branch_a, branch_b):
    MemberFactory(name="甲支部党员", organization=branch_a)
    MemberFactory(name="乙支部党员", organization=branch_b)
    letter = make_letter(building, audience="members", body="{支部}")
    url, params = print_url(letter, organization=branch_b.pk)
    names = [x.recipient.salutation for x in secretary_a_client.get(url, params).context["letters"]]
    assert "乙支部党员同志：" not in names


def test_the_member_filters_narrow_the_letters(admin_client, building, branch_a):
    MemberFactory(name="正式党员", organization=branch_a)
    MemberFactory(name="预备党员", organization=branch_a, category="probationary", full_member_on=None)
    letter = make_letter(building, audience="members", body="{支部}")
    url, params = print_url(letter, category="probationary")
    assert [x.recipient.salutation for x in admin_client.get(url, params).context["letters"]] == ["预备党员同志："]


def test_members_who_left_or_died_get_no_letter(admin_client, building, branch_a):
    MemberFactory(name="在册", organization=branch_a)
    MemberFactory(name="已转出", organization=branch_a, whereabouts=Member.Whereabouts.TRANSFERRED_OUT)
    MemberFactory(name="已去世", organization=branch_a, status=Member.Status.DECEASED)
    letter = make_letter(building, audience="members", body="{支部}")
    url, params = print_url(letter)
    assert [x.recipient.salutation for x in admin_client.get(url, params).context["letters"]] == ["在册同志："]


def test_without_print_the_page_lists_the_recipients_to_choose_from(admin_client, building):
    EnterpriseFactory(building=building, floor=5, legal_representative="赵一")
    letter = make_letter(building)
    response = admin_client.get(reverse("letters:print", args=[letter.pk]), {"floor": 5})
    assert response.templates[0].name == "letters/choose.html"
    assert "尊敬的赵一：" in response.content.decode()
    assert response.context["total"] == 1


def test_the_printed_date_can_be_chosen(admin_client, building):
    EnterpriseFactory(building=building, floor=5)
    letter = make_letter(building)
    url, params = print_url(letter, floor=5, date="2026-07-01")
    assert "2026年7月1日" in admin_client.get(url, params).content.decode()


def test_too_many_recipients_are_refused_with_a_message(admin_client, building, monkeypatch):
    monkeypatch.setattr(views, "LETTER_CAP", 2)
    EnterpriseFactory.create_batch(3, building=building, floor=5)
    letter = make_letter(building)
    url, params = print_url(letter, floor=5)

    response = admin_client.get(url, params)

    assert response.templates[0].name == "letters/choose.html"
    assert response.context["too_many"] and response.context["total"] == 3
    html = response.content.decode()
    assert 'data-testid="cap-message"' in html and "3" in html
    assert '<section class="page letter"' not in html


def test_the_print_page_shows_how_many_letters_it_holds(admin_client, building):
    EnterpriseFactory.create_batch(2, building=building, floor=9)
    letter = make_letter(building)
    url, params = print_url(letter, floor=9)
    html = admin_client.get(url, params).content.decode()
    assert html.count('<section class="page letter"') == 2
    assert 'data-testid="letter-count">2 ' in html


def _print_queries(client, url, params) -> int:
    client.get(url, params)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def test_owners_letters_cost_the_same_queries_for_1x_and_3x_recipients(admin_client, building):
    letter = make_letter(building, body=ALL_MEMBER_FIELDS.replace("{支部}", ""))
    url, params = print_url(letter, floor=5)
    counts = []
    for _ in range(2):
        for _ in range(2 if not counts else 4):
            liaison = UserFactory(role="liaison", building=building)
            EnterpriseFactory(building=building, floor=5, liaison=liaison)
        counts.append(_print_queries(admin_client, url, params))
    assert len(admin_client.get(url, params).context["letters"]) == 6
    assert counts[0] == counts[1]


def test_members_letters_cost_the_same_queries_for_1x_and_3x_recipients(
    secretary_a_client, building, branch_a, group_a
):
    letter = make_letter(building, audience="members", body=ALL_MEMBER_FIELDS)
    url, params = print_url(letter)
    counts = []
    for scale in (1, 2):
        for _ in range(2 * scale):
            liaison = UserFactory(role="liaison", building=building)
            company = EnterpriseFactory(building=building, liaison=liaison)
            MemberFactory(organization=branch_a, enterprise=company)
            MemberFactory(organization=group_a)
        counts.append(_print_queries(secretary_a_client, url, params))
    assert len(secretary_a_client.get(url, params).context["letters"]) == 12
    assert counts[0] == counts[1]


# --- who may do what ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("admin_user", 200),
        ("secretary_a", 200),
        ("liaison_user", 403),
        ("member_user", 403),
        ("contact_user", 403),
        ("street_user", 403),
    ],
)
def test_the_letters_are_for_admins_and_secretaries(request, login_as, building, persona, expected):
    letter = make_letter(building)
    client = login_as(request.getfixturevalue(persona))
    assert client.get(reverse("letters:list")).status_code == expected
    assert client.get(reverse("letters:print", args=[letter.pk])).status_code == expected


@pytest.mark.parametrize("persona", ["secretary_a", "liaison_user", "member_user", "street_user"])
def test_only_admins_write_letters(request, login_as, building, persona):
    letter = make_letter(building)
    client = login_as(request.getfixturevalue(persona))
    assert client.get(reverse("letters:create")).status_code == 403
    assert client.post(reverse("letters:edit", args=[letter.pk]), {"title": "改"}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, building):
    letter = make_letter(building)
    for url in (
        reverse("letters:list"),
        reverse("letters:create"),
        reverse("letters:edit", args=[letter.pk]),
        reverse("letters:print", args=[letter.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_another_buildings_letter_is_not_found(login_as, building):
    other = BuildingFactory(name="另一幢楼")
    OrganizationFactory(building=other, name="另一总支", kind="general_branch", parent=None)
    other_admin = UserFactory(username="other_admin", role="admin", building=other)
    letter = make_letter(building)
    client = login_as(other_admin)
    assert client.get(reverse("letters:edit", args=[letter.pk])).status_code == 404
    assert client.get(reverse("letters:print", args=[letter.pk])).status_code == 404
    assert letter.title not in client.get(reverse("letters:list")).content.decode()


def test_the_print_page_takes_no_post(admin_client, building):
    letter = make_letter(building)
    assert admin_client.post(reverse("letters:print", args=[letter.pk])).status_code == 405
