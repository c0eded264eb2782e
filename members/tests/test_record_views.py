"""The member pages: list and search, the record with its timeline, editing, revealing, proposing."""

import datetime

import pytest
from django.urls import reverse

from buildingparty.models import AuditRecord
from members import services
from members.models import ChangeProposal, Member, MemberChange, MobilePeriod
from members.points import services as points
from members.points.models import PointEntry, PointRule
from tests.factories import EnterpriseFactory, MemberFactory, make_id_number

pytestmark = pytest.mark.django_db


# --- list ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1, 3])
def test_the_list_runs_the_same_queries_at_1x_and_3x_members(
    secretary_a_client, branch_a, group_a, enterprise, django_assert_num_queries, scale
):
    MemberFactory.create_batch(10 * scale, organization=branch_a, enterprise=enterprise)
    MemberFactory.create_batch(5 * scale, organization=group_a, is_mobile=True)
    secretary_a_client.get(reverse("members:list"))  # warm the session
    with django_assert_num_queries(FIXED_LIST_QUERIES):
        response = secretary_a_client.get(reverse("members:list"), {"category": "full"})
    assert response.context["page"].paginator.count == 15 * scale


# Session read and write, user, the unread-notification count, the secretary's branch and two levels below it,
# organisations in the filter form, the filter's choices (organisations; enterprises are searched, not listed),
# count, the page's pks (sorted), those members with their branch and enterprise, and the transaction's
# savepoints: the same however many members there are.
FIXED_LIST_QUERIES = 13


def test_search_by_pinyin_initials(secretary_a_client, branch_a):
    zhang = MemberFactory(organization=branch_a, name="张三")
    services.member_update(member=zhang, changed_by=None)  # no change: initials set below
    Member.objects.filter(pk=zhang.pk).update(name_initials=services.name_initials("张三"))
    MemberFactory(organization=branch_a, name="李四", name_initials="ls")
    page = secretary_a_client.get(reverse("members:list"), {"q": "zs"}).context["page"]
    assert [m.name for m in page] == ["张三"]


def test_search_by_phone_and_id_tail(secretary_a_client, branch_a):
    target = MemberFactory(organization=branch_a, phone="13812345678")
    other = MemberFactory(organization=branch_a, phone="13900000000")
    assert [m.pk for m in secretary_a_client.get(reverse("members:list"), {"q": "2345678"}).context["page"]] == [
        target.pk
    ]
    # ID numbers are encrypted at rest: searchable by their last four characters (kept apart) or in full. (A short
    # tail is also a phone fragment, so the other member's phone and ID tail must not hold it.)
    assert other.id_number[-4:] != target.id_number[-4:] and target.id_number[-4:] not in other.phone
    for q in (target.id_number[-4:], target.id_number, target.id_number.lower()):
        assert [m.pk for m in secretary_a_client.get(reverse("members:list"), {"q": q}).context["page"]] == [
            target.pk
        ], q


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"category": "probationary"}, {"预备"}),
        ({"mobile": "yes"}, {"流动"}),
        ({"lost": "yes"}, {"失联"}),
        ({"gender": "F"}, {"女"}),
        ({"education": "14"}, {"研究生"}),
        ({"age": "under30"}, {"年轻"}),
    ],
)
def test_each_filter_narrows_the_list(secretary_a_client, branch_a, params, expected):
    today = datetime.date.today()
    MemberFactory(organization=branch_a, name="普通")
    MemberFactory(
        organization=branch_a,
        name="预备",
        category="probationary",
        full_member_on=None,
        joined_on=today - datetime.timedelta(days=100),
    )
    MemberFactory(organization=branch_a, name="流动", is_mobile=True)
    MemberFactory(organization=branch_a, name="失联", lost_contact_since=today - datetime.timedelta(days=200))
    MemberFactory(organization=branch_a, name="女", id_number=make_id_number(77, male=False))
    MemberFactory(organization=branch_a, name="研究生", education="14")
    MemberFactory(
        organization=branch_a,
        name="年轻",
        id_number=make_id_number(78, born=datetime.date(2001, 5, 5)),
        joined_on=datetime.date(2022, 1, 1),
        full_member_on=datetime.date(2023, 1, 1),
    )
    page = secretary_a_client.get(reverse("members:list"), params).context["page"]
    assert {m.name for m in page} == expected


def test_branch_filter_includes_its_groups(admin_client, branch_a, group_a, branch_b):
    MemberFactory(organization=branch_a, name="支部")
    MemberFactory(organization=group_a, name="小组")
    MemberFactory(organization=branch_b, name="别的支部")
    page = admin_client.get(reverse("members:list"), {"organization": branch_a.pk}).context["page"]
    assert {m.name for m in page} == {"支部", "小组"}


def test_a_secretary_cannot_filter_their_way_into_another_branch(secretary_a_client, branch_b):
    MemberFactory(organization=branch_b, name="别的支部")
    response = secretary_a_client.get(reverse("members:list"), {"organization": branch_b.pk})
    assert "别的支部" not in response.content.decode()


def test_the_list_is_paginated(secretary_a_client, branch_a):
    MemberFactory.create_batch(30, organization=branch_a)
    page2 = secretary_a_client.get(reverse("members:list"), {"page": 2}).context["page"]
    assert len(page2) == 5


# --- detail -------------------------------------------------------------------------------------------------


def test_the_record_shows_a_timeline_and_masks_the_id(secretary_a_client, branch_a):
    member = MemberFactory(organization=branch_a, joined_on=datetime.date(2015, 7, 1))
    services.lost_contact_set(member=member, since=datetime.date(2026, 1, 1), by=None)
    response = secretary_a_client.get(member.get_absolute_url())
    body = response.content.decode()
    assert member.masked_id_number in body and member.id_number not in body
    titles = [e.title for e in response.context["events"]]
    assert "入党" in titles[-1] or "Joined" in titles[-1]
    assert response.context["events"][0].date == datetime.date(2026, 1, 1)


def test_the_detail_runs_a_fixed_number_of_queries(
    secretary_a_client, branch_a, secretary_a, django_assert_max_num_queries
):
    member = MemberFactory(organization=branch_a)
    secretary_a_client.get(member.get_absolute_url())
    with django_assert_max_num_queries(30) as captured:
        secretary_a_client.get(member.get_absolute_url())
    for n in range(10):
        services.record_change(member=member, action=MemberChange.Action.UPDATED, by=secretary_a, note=str(n))
    with django_assert_max_num_queries(len(captured.captured_queries)):
        secretary_a_client.get(member.get_absolute_url())


@pytest.mark.parametrize("scale", [1, 3])
def test_a_members_own_record_runs_the_same_queries_at_1x_and_3x_history(
    member_client, member_user, building, django_assert_num_queries, scale
):
    member = member_user.member
    points.ensure_default_rules(building)
    rule = PointRule.objects.filter(building=building, kind=PointRule.Kind.AUTOMATIC).first()
    for n in range(5 * scale):
        PointEntry.objects.create(
            member=member, rule=rule, year=2025, occurred_on=datetime.date(2025, 1, 1 + n), points=1, source=f"t:{n}"
        )
        MobilePeriod.objects.create(
            member=member, province="广东", since=datetime.date(2024, 1, 1 + n), until=datetime.date(2024, 2, 1 + n)
        )
    services.proposal_submit(member=member, values={"job_note": "会计"}, proposed_by=member_user)
    member_client.get(member.get_absolute_url())  # warm the session
    with django_assert_num_queries(OWN_RECORD_QUERIES):
        response = member_client.get(member.get_absolute_url())
    body = response.content.decode()
    assert 'data-testid="pending-proposal"' in body
    assert body.count("广东") == 2 * 5 * scale  # left and back, each period
    assert body.count('<li class="d-flex gap-2 py-1">') == 5 * scale  # 2025's points, folded


# Session read and write (in its savepoints: 3), user, the member with her transfers' and mobile periods'
# presence and a proposal waiting, her mobile periods, and one query per timeline source (dues, points, posts,
# meetings, appraisals, volunteering), the unread-notification count.
OWN_RECORD_QUERIES = 14


def test_a_record_without_transfers_or_mobile_periods_reads_neither(
    secretary_a_client, branch_a, django_assert_max_num_queries
):
    member = MemberFactory(organization=branch_a)
    secretary_a_client.get(member.get_absolute_url())
    with django_assert_max_num_queries(30) as captured:
        response = secretary_a_client.get(member.get_absolute_url())
    read = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in read if sql.startswith(('SELECT "members_transfer"', 'SELECT "members_mobileperiod"'))]
    assert response.context["can_transfer"] and 'data-testid="pending-proposal"' not in response.content.decode()


def test_history_never_shows_a_full_id_number(secretary_a_client, branch_a, secretary_a):
    member = MemberFactory(organization=branch_a, id_number=make_id_number(5))
    member.id_number = make_id_number(6)
    services.member_update(member=member, changed_by=secretary_a)
    body = secretary_a_client.get(member.get_absolute_url()).content.decode()
    assert make_id_number(5) not in body and make_id_number(6) not in body


# --- revealing the ID number --------------------------------------------------------------------------------


def test_the_members_secretary_reveals_the_id_and_it_is_recorded(secretary_a_client, secretary_a, branch_a):
    member = MemberFactory(organization=branch_a)
    response = secretary_a_client.post(reverse("members:reveal_id", args=[member.pk]))
    assert response.status_code == 200 and member.id_number in response.content.decode()
    record = AuditRecord.objects.get()
    assert (record.action, record.actor, record.object_id) == ("reveal_id", secretary_a, str(member.pk))


def test_the_admin_reveals_any_id_in_their_building(admin_client, branch_b):
    member = MemberFactory(organization=branch_b)
    assert member.id_number in admin_client.post(reverse("members:reveal_id", args=[member.pk])).content.decode()


def test_revealing_is_a_post(secretary_a_client, branch_a):
    member = MemberFactory(organization=branch_a)
    assert secretary_a_client.get(reverse("members:reveal_id", args=[member.pk])).status_code == 405
    assert not AuditRecord.objects.exists()


@pytest.mark.parametrize("persona, status", [("street_user", 403), ("secretary_b", 404), ("member_user", 403)])
def test_others_cannot_reveal(login_as, request, branch_a, member_user, persona, status):
    member = member_user.member if persona == "member_user" else MemberFactory(organization=branch_a)
    client = login_as(request.getfixturevalue(persona))
    assert client.post(reverse("members:reveal_id", args=[member.pk])).status_code == status
    assert not AuditRecord.objects.exists()


# --- create and edit ----------------------------------------------------------------------------------------


def form_data(organization, **overrides):
    data = {
        "name": "王五",
        "id_number": make_id_number(321),
        "ethnicity": "01",
        "category": "full",
        "organization": organization.pk,
        "joined_on": "2015-07-01",
        "full_member_on": "2016-07-01",
        "phone": "13912340000",
        "education": "21",
    }
    data.update(overrides)
    return data


def test_a_secretary_adds_a_member_to_their_branch(secretary_a_client, branch_a):
    response = secretary_a_client.post(reverse("members:create"), form_data(branch_a))
    member = Member.objects.get(name="王五")
    assert response.status_code == 302 and response["Location"] == member.get_absolute_url()
    assert member.gender == "M" and member.changes.filter(action="created").exists()


def test_bad_input_is_reported_in_chinese_next_to_the_field_and_nothing_is_written(secretary_a_client, branch_a):
    response = secretary_a_client.post(
        reverse("members:create"), form_data(branch_a, id_number="320106198808081233", phone="123")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "校验" in errors["id_number"][0] and "11 位" in errors["phone"][0]
    assert not Member.objects.exists()


def test_a_secretary_cannot_add_to_another_branch(secretary_a_client, branch_b):
    response = secretary_a_client.post(reverse("members:create"), form_data(branch_b))
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    assert not Member.objects.exists()


def test_a_secretary_edits_a_member_and_the_change_is_kept(secretary_a_client, secretary_a, branch_a):
    member = MemberFactory(organization=branch_a, job_note="出纳")
    data = form_data(branch_a, name=member.name, id_number=member.id_number, job_note="会计")
    assert secretary_a_client.post(reverse("members:edit", args=[member.pk]), data).status_code == 302
    entry = member.changes.get(action="updated")
    assert entry.changes["job_note"] == ["出纳", "会计"] and entry.changed_by == secretary_a


@pytest.mark.parametrize("persona, status", [("street_user", 403), ("secretary_b", 404), ("liaison_user", 404)])
def test_others_cannot_edit(login_as, request, branch_a, persona, status):
    member = MemberFactory(organization=branch_a)
    client = login_as(request.getfixturevalue(persona))
    assert client.get(reverse("members:edit", args=[member.pk])).status_code == status


def test_a_member_cannot_edit_even_their_own_record(member_client, member_user):
    assert member_client.get(reverse("members:edit", args=[member_user.member.pk])).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client, branch_a):
    member = MemberFactory(organization=branch_a)
    for url in (reverse("members:create"), reverse("members:edit", args=[member.pk]), reverse("members:proposals")):
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_street_viewers_read_but_do_not_add(login_as, street_user, branch_a):
    member = MemberFactory(organization=branch_a)
    client = login_as(street_user)
    assert client.get(member.get_absolute_url()).status_code == 200
    assert client.get(reverse("members:create")).status_code == 403


# --- proposals ----------------------------------------------------------------------------------------------


def test_a_member_proposes_and_the_secretary_approves(member_client, member_user, secretary_a, login_as):
    member = member_user.member
    response = member_client.post(
        reverse("members:propose", args=[member.pk]),
        {"phone": "13766665555", "home_address": member.home_address, "job_note": member.job_note, "skills": "摄影"},
    )
    assert response.status_code == 302
    proposal = ChangeProposal.objects.get()
    client = login_as(secretary_a)
    assert member.name in client.get(reverse("members:proposals")).content.decode()
    client.post(reverse("members:proposal_decide", args=[proposal.pk]), {"decision": "approve"})
    member.refresh_from_db()
    assert member.phone == "13766665555" and member.skills == "摄影"


def test_only_the_member_proposes_for_their_own_record(login_as, secretary_a, member_user, outsider):
    assert login_as(secretary_a).get(reverse("members:propose", args=[member_user.member.pk])).status_code == 403
    assert login_as(outsider).get(reverse("members:propose", args=[member_user.member.pk])).status_code == 404


def test_another_branchs_secretary_cannot_decide(login_as, secretary_b, member_user):
    proposal = services.proposal_submit(member=member_user.member, values={"job_note": "会计"}, proposed_by=member_user)
    response = login_as(secretary_b).post(
        reverse("members:proposal_decide", args=[proposal.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_deciding_is_a_post(secretary_a_client, member_user):
    proposal = services.proposal_submit(member=member_user.member, values={"job_note": "会计"}, proposed_by=member_user)
    assert secretary_a_client.get(reverse("members:proposal_decide", args=[proposal.pk])).status_code == 405


# --- standing, mobile, lost contact -------------------------------------------------------------------------


def test_secretary_records_mobile_period_and_lost_contact(secretary_a_client, branch_a):
    member = MemberFactory(organization=branch_a)
    secretary_a_client.post(
        reverse("members:mobile", args=[member.pk]),
        {"action": "start", "province": "上海市", "city": "", "county": "浦东新区", "since": "2026-06-01"},
    )
    secretary_a_client.post(reverse("members:lost_contact", args=[member.pk]), {"lost_contact_since": "2026-05-01"})
    member.refresh_from_db()
    assert member.is_mobile and member.mobile_destination == "上海市浦东新区"
    assert member.lost_contact_since == datetime.date(2026, 5, 1)


@pytest.mark.parametrize("name", ["members:mobile", "members:lost_contact"])
def test_record_actions_are_posts_and_scoped(secretary_a_client, login_as, secretary_b, branch_a, name):
    member = MemberFactory(organization=branch_a)
    assert secretary_a_client.get(reverse(name, args=[member.pk])).status_code == 405
    assert login_as(secretary_b).post(reverse(name, args=[member.pk]), {}).status_code == 404


def test_secretary_home_lists_lost_contact_candidates_and_waiting_proposals(secretary_a_client, branch_a, member_user):
    MemberFactory(
        organization=branch_a, name="久未联系", lost_contact_since=datetime.date.today() - datetime.timedelta(days=200)
    )
    MemberFactory(
        organization=branch_a, name="刚失联", lost_contact_since=datetime.date.today() - datetime.timedelta(days=30)
    )
    services.proposal_submit(member=member_user.member, values={"job_note": "会计"}, proposed_by=member_user)
    panel = next(
        p for p in secretary_a_client.get("/").context["panels"] if p["template"] == "members/panels/attention.html"
    )
    assert [m.name for m in panel["lost"]] == ["久未联系"]
    assert [p.member for p in panel["proposals"]] == [member_user.member]


def test_enterprise_choices_only_offer_the_users_enterprises(secretary_a_client, outsider):
    foreign = EnterpriseFactory(building=outsider.building)
    form = secretary_a_client.get(reverse("members:create")).context["form"]
    assert foreign not in form.fields["enterprise"].queryset


def test_page_links_keep_the_filters(secretary_a_client, branch_a):
    MemberFactory.create_batch(30, organization=branch_a)
    body = secretary_a_client.get(reverse("members:list"), {"category": "full"}).content.decode()
    assert "?category=full&amp;page=2" in body


def test_the_export_links_keep_the_lists_filters_but_not_its_page(admin_client, branch_a):
    body = admin_client.get(reverse("members:list"), {"q": "张", "category": "full", "page": "1"}).content.decode()
    assert f'href="{reverse("members:export")}?q=%E5%BC%A0&amp;category=full&amp;format=xlsx"' in body
    assert f'href="{reverse("members:export")}?q=%E5%BC%A0&amp;category=full&amp;format=csv"' in body
