"""党员亮相 pages: the boards on screen and on paper, the photos, a member's own card and consent on her phone, and
the officers' list and page for one member."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.showcase.models import ShowcaseProfile
from activities.showcase.tests.factories import JPG, PNG, WEBP, ShowcaseProfileFactory, on_board
from activities.uploads import MAX_PHOTO_SIZE
from buildingparty.models import Notification
from members.models import Member
from tests.factories import BuildingFactory, EnterpriseFactory, MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def url(name, *args):
    return reverse(f"showcase:{name}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def photo_file(name="我.png", content=PNG, size=None, content_type="image/png"):
    if size is not None:
        content = content + b"0" * (size - len(content))
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def card_a(branch_a, enterprise):
    """A card of branch A on the board, with a photo."""
    return on_board(branch_a, name="张亮相", enterprise=enterprise, showcase_post="党员示范岗", phone="13912345678")


@pytest.fixture
def other_building_card(outsider):
    return on_board(outsider.member.organization, name="别楼党员")


@pytest.fixture
def showing_member(member_user):
    """member_user's record, marked by her branch as showing her membership at work."""
    Member.objects.filter(user=member_user).update(shows_membership=True, showcase_post="服务标兵")
    return Member.objects.get(user=member_user)


def board_names(response) -> set:
    return {card.member.name for card in response.context["page"]}


# --- who may open what --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, card_a, building, branch_a, member_user):
    member = member_user.member
    for target in [
        url("index"),
        url("building", building.pk),
        url("building_print", building.pk),
        url("branch", branch_a.pk),
        url("branch_print", branch_a.pk),
        url("photo", card_a.pk),
        url("mine"),
        url("manage"),
        url("member", member.pk),
    ]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    posts = [url("mine"), url("mine_withdraw"), url("member", member.pk), url("member_withdraw", card_a.member.pk)]
    for target in posts:
        response = client.post(target, {"consent": "on"})
        assert response["Location"].startswith(reverse("login")), target
    assert ShowcaseProfile.objects.get(pk=card_a.pk).has_consent


@pytest.mark.parametrize(
    "persona", ["admin_user", "secretary_a", "secretary_b", "liaison_user", "member_user", "contact_user"]
)
def test_everybody_of_the_building_sees_its_board_the_branch_boards_and_the_photos(
    request, login_as, persona, card_a, building, branch_a
):
    client = login_as(request.getfixturevalue(persona))
    response = client.get(url("index"))
    assert response.status_code == 302 and response["Location"] == url("building", building.pk)
    for target in [url("building", building.pk), url("branch", branch_a.pk)]:
        response = client.get(target)
        assert response.status_code == 200 and board_names(response) == {"张亮相"}, target
    for target in [url("building_print", building.pk), url("branch_print", branch_a.pk)]:
        assert "张亮相" in client.get(target).content.decode(), target
    assert client.get(url("photo", card_a.pk)).status_code == 200


def test_the_street_reads_every_buildings_board(login_as, street_user, card_a, other_building_card, building):
    client = login_as(street_user)
    listing = client.get(url("index"))
    assert listing.status_code == 200
    assert {(b.name, n) for b, n in listing.context["rows"]} == {("中央大厦", 1), ("另一幢楼", 1)}
    assert board_names(client.get(url("building", building.pk))) == {"张亮相"}
    assert client.get(url("photo", other_building_card.pk)).status_code == 200
    assert client.get(url("manage")).status_code == 403
    assert client.get(url("member", card_a.member.pk)).status_code == 403
    assert client.get(url("mine")).status_code == 403


def test_another_buildings_board_branch_and_photos_are_not_found(login_as, outsider, card_a, building, branch_a):
    client = login_as(outsider)
    for target in [
        url("building", building.pk),
        url("building_print", building.pk),
        url("branch", branch_a.pk),
        url("branch_print", branch_a.pk),
        url("photo", card_a.pk),
    ]:
        assert client.get(target).status_code == 404, target


def test_a_party_group_or_the_general_branch_has_no_board_of_its_own(member_client, group_a, general_branch):
    assert member_client.get(url("branch", group_a.pk)).status_code == 404
    assert member_client.get(url("branch", general_branch.pk)).status_code == 404


@pytest.mark.parametrize("persona", ["liaison_user", "contact_user", "member_user", "street_user"])
def test_only_officers_open_the_consent_list_and_a_members_card(request, login_as, persona, card_a):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(url("manage")).status_code == 403
    assert client.get(url("member", card_a.member.pk)).status_code == 403
    assert client.post(url("member", card_a.member.pk), {"pledge": "改掉"}).status_code == 403
    assert client.post(url("member_withdraw", card_a.member.pk)).status_code == 403
    assert ShowcaseProfile.objects.get(pk=card_a.pk).has_consent


def test_another_branchs_secretary_finds_no_card_of_branch_a(login_as, secretary_b, card_a):
    client = login_as(secretary_b)
    assert client.get(url("member", card_a.member.pk)).status_code == 404
    assert client.post(url("member", card_a.member.pk), {"pledge": "改掉"}).status_code == 404
    assert client.post(url("member_withdraw", card_a.member.pk)).status_code == 404
    card_a.refresh_from_db()
    assert card_a.has_consent and card_a.pledge == "立足岗位作表率"


def test_the_withdraw_buttons_take_no_get(member_client, secretary_a_client, card_a):
    assert member_client.get(url("mine_withdraw")).status_code == 405
    assert secretary_a_client.get(url("member_withdraw", card_a.member.pk)).status_code == 405


def test_an_account_without_a_member_record_has_no_card_of_its_own(login_as, liaison_user, admin_user):
    for user in (liaison_user, admin_user):
        client = login_as(user)
        assert client.get(url("mine")).status_code == 403
        assert client.post(url("mine_withdraw")).status_code == 403


# --- the board ----------------------------------------------------------------------------------------------


def test_the_board_shows_photo_name_enterprise_post_and_pledge_but_no_id_or_phone(member_client, card_a, building):
    response = member_client.get(url("building", building.pk))
    page = response.content.decode()
    member = card_a.member
    for shown in ("张亮相", member.enterprise.name, "党员示范岗", "立足岗位作表率", url("photo", card_a.pk)):
        assert shown in page, shown
    for hidden in (member.id_number, member.phone, member.masked_id_number[:6] + "*"):
        assert hidden not in page, hidden


def test_only_consenting_members_who_show_their_membership_are_on_the_board(member_client, card_a, branch_a, building):
    ShowcaseProfileFactory(member=MemberFactory(organization=branch_a, name="未亮相", shows_membership=False))
    MemberFactory(organization=branch_a, name="未同意", shows_membership=True)
    withdrawn = on_board(branch_a, name="撤回了")
    ShowcaseProfile.objects.filter(pk=withdrawn.pk).update(consent_withdrawn_at=withdrawn.consent_given_at)
    response = member_client.get(url("building", building.pk))
    assert board_names(response) == {"张亮相"}
    page = response.content.decode()
    assert "未亮相" not in page and "未同意" not in page and "撤回了" not in page


def test_a_branch_board_shows_its_own_and_its_groups_cards(member_client, card_a, group_a, branch_b):
    on_board(group_a, name="小组党员")
    on_board(branch_b, name="二支部党员")
    response = member_client.get(url("branch", card_a.member.organization_id))
    assert board_names(response) == {"张亮相", "小组党员"}
    counts = {b.name: n for b, n in response.context["branches"]}
    assert counts == {"第一党支部": 2, "第二党支部": 1}


def test_the_board_comes_in_pages_of_twelve(member_client, branch_a, building):
    for n in range(14):
        on_board(branch_a, name=f"党员{n:02d}")
    first = member_client.get(url("building", building.pk))
    second = member_client.get(url("building", building.pk), {"page": 2})
    assert len(first.context["page"]) == 12 and len(second.context["page"]) == 2


@pytest.mark.parametrize("scale", [1, 3])
def test_the_board_runs_the_same_queries_at_1x_and_3x_cards(
    member_client, branch_a, group_a, branch_b, building, django_assert_num_queries, scale
):
    for n in range(3 * scale):
        enterprise = EnterpriseFactory(building=building) if n % 2 else None
        on_board([branch_a, group_a, branch_b][n % 3], enterprise=enterprise)
    member_client.get(url("building", building.pk))  # warm the session
    with django_assert_num_queries(BOARD_QUERIES):
        response = member_client.get(url("building", building.pk))
    assert len(response.context["page"]) == 3 * scale
    assert response.context["page"].paginator.count == 3 * scale  # summed from the branches' counts
    # the branch, the two levels of its subtree, and the count of its cards
    with django_assert_num_queries(BOARD_QUERIES + 3):
        response = member_client.get(url("branch", branch_a.pk))
    assert len(response.context["page"]) == 2 * scale
    assert response.context["page"].paginator.count == 2 * scale
    with django_assert_num_queries(PRINT_QUERIES):
        member_client.get(url("building_print", building.pk))


@pytest.mark.parametrize("scale", [1, 3])
def test_the_streets_list_of_buildings_runs_the_same_queries_at_1x_and_3x_buildings(
    login_as, street_user, django_assert_num_queries, scale
):
    for n in range(scale):
        building = BuildingFactory(name=f"楼宇{n}")
        on_board(OrganizationFactory(building=building))
    client = login_as(street_user)
    client.get(url("index"))
    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get(url("index"))
    assert [n for _b, n in response.context["rows"]] == [1] * scale


# Session read, user, the count and the page of buildings, their cards, the unread count, the session write (3).
INDEX_QUERIES = 9
# Session read, user, the building, the page of cards, the branches' counts (2; the building's count is their sum),
# whether the user has a member record, the unread-notification count, and the session write (3).
BOARD_QUERIES = 11
# Session read, user, the building, the cards, the unread count (the context processor), the session write (3).
PRINT_QUERIES = 8


# --- the board on paper -------------------------------------------------------------------------------------


def test_the_a4_board_prints_nine_cards_a_page_with_the_print_stylesheet(member_client, branch_a, building):
    for n in range(10):
        on_board(branch_a, name=f"党员{n:02d}")
    response = member_client.get(url("building_print", building.pk))
    page = response.content.decode()
    assert response.status_code == 200 and "css/print.css" in page
    assert "size: A4 portrait" in page and "repeat(3, 1fr)" in page
    assert [len(cards) for cards in response.context["pages"]] == [9, 1]
    assert page.count('data-testid="print-page"') == 2 and page.count('data-testid="print-card"') == 10
    assert "data-print" in page and "js/print-button.js" in page


def test_the_poster_prints_six_big_cards_a_page_on_a3_landscape(member_client, branch_a):
    for n in range(7):
        on_board(branch_a, name=f"党员{n:02d}")
    response = member_client.get(url("branch_print", branch_a.pk), {"layout": "poster"})
    page = response.content.decode()
    assert "css/print.css" in page and "size: A3 landscape" in page
    assert [len(cards) for cards in response.context["pages"]] == [6, 1]


def test_an_unknown_layout_prints_a4_and_an_empty_board_prints_one_page(member_client, building):
    response = member_client.get(url("building_print", building.pk), {"layout": "<script>"})
    assert response.context["layout"] == "a4" and response.context["pages"] == [[]]
    assert "<script>" not in response.content.decode().split("<body>")[1].split("print-button.js")[0]


# --- photos -------------------------------------------------------------------------------------------------


def test_a_photo_is_served_privately_with_its_own_type(member_client, card_a):
    response = member_client.get(url("photo", card_a.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_a_photo_off_the_board_is_not_found_but_for_the_member_and_her_officers(
    login_as, member_user, secretary_a, admin_user, secretary_b, liaison_user, street_user
):
    profile = ShowcaseProfileFactory(member=member_user.member, photo=True)  # her record does not show membership
    for user in (member_user, secretary_a, admin_user):
        assert login_as(user).get(url("photo", profile.pk)).status_code == 200, user.username
    for user in (secretary_b, liaison_user, street_user):
        assert login_as(user).get(url("photo", profile.pk)).status_code == 404, user.username


def test_a_withdrawn_cards_photo_is_gone_from_the_building_at_once(login_as, card_a, liaison_user, secretary_a):
    client = login_as(liaison_user)
    assert client.get(url("photo", card_a.pk)).status_code == 200
    login_as(secretary_a).post(url("member_withdraw", card_a.member.pk))
    client = login_as(liaison_user)
    assert client.get(url("photo", card_a.pk)).status_code == 404
    assert board_names(client.get(url("building", card_a.member.organization.building_id))) == set()


def test_a_card_without_a_photo_has_no_photo_to_open(member_client, branch_a):
    profile = ShowcaseProfileFactory(member=MemberFactory(organization=branch_a, shows_membership=True))
    assert member_client.get(url("photo", profile.pk)).status_code == 404


# --- the member's own card (我的亮相) -----------------------------------------------------------------------


def test_the_member_opens_her_card_on_her_phone(client, member_user):
    client.force_login(member_user)
    response = client.get(url("mine"), HTTP_USER_AGENT=PHONE)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="viewport"' in page and 'enctype="multipart/form-data"' in page
    assert 'accept="image/jpeg,image/png,image/webp"' in page
    assert "我同意在楼宇党员亮相栏展示我的照片、姓名、所在企业、示范岗和承诺" in page
    assert "<table" not in page  # nothing wider than the phone


def test_the_member_uploads_her_photo_and_pledge_and_consents_and_her_card_is_on_the_board(
    member_client, showing_member, building
):
    response = member_client.post(
        url("mine"), {"photo": photo_file(), "pledge": "有困难找党员", "consent": "on"}, follow=True
    )
    assert response.status_code == 200
    assert messages_of(response)
    profile = ShowcaseProfile.objects.get(member=showing_member)
    assert profile.is_on_board and profile.consent_method == ShowcaseProfile.Method.ONLINE
    assert profile.pledge == "有困难找党员" and profile.photo.name.endswith(".png")
    board = member_client.get(url("building", building.pk))
    assert board_names(board) == {showing_member.name}


def test_saving_without_the_box_ticked_keeps_the_card_off_the_board(member_client, showing_member, building):
    member_client.post(url("mine"), {"photo": photo_file(), "pledge": "服务"})
    profile = ShowcaseProfile.objects.get(member=showing_member)
    assert not profile.has_consent and profile.photo
    assert board_names(member_client.get(url("building", building.pk))) == set()


def test_a_member_not_marked_as_showing_membership_is_told_her_card_waits_for_the_branch(member_client, member_user):
    response = member_client.post(url("mine"), {"pledge": "服务", "consent": "on"}, follow=True)
    profile = ShowcaseProfile.objects.get(member=member_user.member)
    assert profile.has_consent and not profile.is_on_board
    assert response.context["profile"].has_consent
    assert 'data-testid="consent-state"' in response.content.decode()


def test_unticking_the_box_withdraws_the_consent_at_once(member_client, showing_member, building, secretary_a):
    ShowcaseProfileFactory(member=showing_member, photo=True)
    response = member_client.post(url("mine"), {"pledge": "服务"}, follow=True)
    assert response.status_code == 200
    profile = ShowcaseProfile.objects.get(member=showing_member)
    assert profile.is_withdrawn and not profile.is_on_board
    assert board_names(member_client.get(url("building", building.pk))) == set()
    assert Notification.objects.get(event="showcase_withdrawn").user == secretary_a


def test_the_withdraw_button_takes_the_card_off_the_board(member_client, showing_member, building):
    ShowcaseProfileFactory(member=showing_member, photo=True)
    response = member_client.post(url("mine_withdraw"))
    assert response.status_code == 302 and response["Location"] == url("mine")
    assert ShowcaseProfile.objects.get(member=showing_member).is_withdrawn
    assert board_names(member_client.get(url("building", building.pk))) == set()


@pytest.mark.parametrize(
    "upload, error",
    [
        (photo_file("我.png", content=JPG), "file_content"),
        (photo_file("我.gif", content=b"GIF89a" + b"\x00" * 20, content_type="image/gif"), "file_type"),
        (photo_file("我.jpg", content=JPG, size=MAX_PHOTO_SIZE + 1, content_type="image/jpeg"), "file_size"),
    ],
    ids=["a JPG named .png", "a GIF", "over 5 MB"],
)
def test_a_photo_that_is_not_a_photo_or_too_big_is_refused(member_client, showing_member, upload, error):
    response = member_client.post(url("mine"), {"photo": upload, "pledge": "", "consent": "on"})
    assert response.status_code == 200 and response.context["form"].has_error("photo", error)
    assert not ShowcaseProfile.objects.exists()


@pytest.mark.parametrize("name, content", [("我.jpg", JPG), ("我.webp", WEBP), ("我.JPEG", JPG)])
def test_jpg_and_webp_photos_are_taken(member_client, showing_member, name, content):
    member_client.post(url("mine"), {"photo": photo_file(name, content=content), "pledge": "", "consent": "on"})
    profile = ShowcaseProfile.objects.get(member=showing_member)
    response = member_client.get(url("photo", profile.pk))
    assert response["Content-Type"] == ("image/webp" if name.endswith("webp") else "image/jpeg")


def test_a_pledge_is_at_most_120_characters(member_client, showing_member):
    response = member_client.post(url("mine"), {"pledge": "承" * 121, "consent": "on"})
    assert response.context["form"].has_error("pledge")
    assert not ShowcaseProfile.objects.exists()


def test_the_member_removes_her_photo(member_client, showing_member):
    profile = ShowcaseProfileFactory(member=showing_member, photo=True)
    member_client.post(url("mine"), {"pledge": "", "consent": "on", "remove_photo": "on"})
    profile.refresh_from_db()
    assert not profile.photo and profile.has_consent


# --- the officers -------------------------------------------------------------------------------------------


def test_the_secretary_records_a_consent_the_member_gave_on_paper(
    secretary_a_client, secretary_a, showing_member, building, member_user
):
    response = secretary_a_client.post(
        url("member", showing_member.pk),
        {
            "photo": photo_file(),
            "pledge": "一名党员一面旗",
            "paper_consent": "on",
            "consent_note": "签字同意书已存支部档案",
        },
        follow=True,
    )
    assert response.status_code == 200 and messages_of(response)
    profile = ShowcaseProfile.objects.get(member=showing_member)
    assert profile.consent_method == ShowcaseProfile.Method.PAPER and profile.consent_recorded_by == secretary_a
    assert profile.consent_note == "签字同意书已存支部档案" and profile.is_on_board
    assert Notification.objects.get(user=member_user).event == "showcase_consent_recorded"
    assert board_names(secretary_a_client.get(url("building", building.pk))) == {showing_member.name}


def test_a_paper_consent_needs_to_say_how_it_was_given(secretary_a_client, showing_member):
    response = secretary_a_client.post(url("member", showing_member.pk), {"pledge": "", "paper_consent": "on"})
    assert response.status_code == 200 and response.context["form"].has_error("consent_note")
    assert not ShowcaseProfile.objects.exists()


def test_the_secretary_keeps_a_card_without_recording_any_consent(secretary_a_client, showing_member):
    secretary_a_client.post(url("member", showing_member.pk), {"photo": photo_file(), "pledge": "服务"})
    profile = ShowcaseProfile.objects.get(member=showing_member)
    assert profile.photo and profile.pledge == "服务" and not profile.has_consent


def test_once_consented_the_officers_form_asks_no_more_about_consent(secretary_a_client, card_a):
    response = secretary_a_client.get(url("member", card_a.member.pk))
    assert "paper_consent" not in response.context["form"].fields
    secretary_a_client.post(url("member", card_a.member.pk), {"pledge": "新的承诺"})
    card_a.refresh_from_db()
    assert card_a.pledge == "新的承诺" and card_a.consent_method == ShowcaseProfile.Method.ONLINE


def test_the_secretary_withdraws_the_consent_on_the_members_word(secretary_a_client, card_a, building):
    response = secretary_a_client.post(url("member_withdraw", card_a.member.pk))
    assert response.status_code == 302 and response["Location"] == url("member", card_a.member.pk)
    card_a.refresh_from_db()
    assert card_a.is_withdrawn
    assert board_names(secretary_a_client.get(url("building", building.pk))) == set()


def test_the_admin_keeps_the_card_of_any_member_of_the_building(admin_client, card_a, branch_b):
    other = MemberFactory(organization=branch_b, shows_membership=True)
    response = admin_client.post(
        url("member", other.pk), {"pledge": "服务", "paper_consent": "on", "consent_note": "书面同意"}
    )
    assert response.status_code == 302
    assert ShowcaseProfile.objects.get(member=other).is_on_board


def test_the_consent_list_shows_the_secretarys_members_only_with_their_standing(
    secretary_a_client, card_a, branch_b, group_a
):
    MemberFactory(organization=branch_b, name="二支部的")
    waiting = MemberFactory(organization=group_a, name="小组的", shows_membership=True)
    response = secretary_a_client.get(url("manage"))
    rows = {member.name: status for member, status in response.context["rows"]}
    assert rows == {"张亮相": "on_board", "小组的": "no_consent"}  # not 二支部的
    filtered = secretary_a_client.get(url("manage"), {"status": "no_consent"})
    assert [m for m, _ in filtered.context["rows"]] == [waiting]
    by_name = secretary_a_client.get(url("manage"), {"q": "张"})
    assert [m.name for m, _ in by_name.context["rows"]] == ["张亮相"]


@pytest.mark.parametrize("scale", [1, 3])
def test_the_consent_list_runs_the_same_queries_at_1x_and_3x_members(
    secretary_a_client, branch_a, group_a, django_assert_num_queries, scale
):
    for n in range(3 * scale):
        if n % 3:
            on_board(branch_a if n % 2 else group_a)
        else:
            MemberFactory(organization=group_a, shows_membership=True)
    secretary_a_client.get(url("manage"))
    with django_assert_num_queries(MANAGE_QUERIES):
        response = secretary_a_client.get(url("manage"))
    assert response.context["page"].paginator.count == 3 * scale


# Session read, user, the secretary's branch and its subtree (2), the count, the page's member ids and those
# members, the unread count, and the session write (3).
MANAGE_QUERIES = 12


# --- the home page ------------------------------------------------------------------------------------------


def showcase_panel(response) -> dict:
    return next(p for p in response.context["panels"] if p["template"] == "showcase/_panel.html")


def test_the_home_page_shows_the_board_and_whether_the_members_card_is_on_it(member_client, showing_member, card_a):
    response = member_client.get(reverse("home"))
    page = response.content.decode()
    assert 'data-testid="showcase-panel"' in page and url("building", card_a.member.organization.building_id) in page
    panel = showcase_panel(response)
    assert panel["count"] == 1 and not panel["own_on_board"]
    ShowcaseProfileFactory(member=showing_member)
    panel = showcase_panel(member_client.get(reverse("home")))
    assert panel["count"] == 2 and panel["own_on_board"]


def test_the_street_has_no_board_panel(login_as, street_user):
    response = login_as(street_user).get(reverse("home"))
    assert not any(p["template"] == "showcase/_panel.html" for p in response.context["panels"])


def test_a_user_of_no_building_finds_no_board(login_as, db):
    user = UserFactory(role="admin", building=None, is_superuser=True)
    assert login_as(user).get(url("index")).status_code == 404
