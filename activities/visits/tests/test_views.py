"""Home-visit pages: who may open what, recording a visit after a bounded search, one visit and its follow-up, a
member's visits and help, the hardship register, and the counts the street reads."""

import datetime
from decimal import Decimal

import pytest
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape

from activities.visits.models import Assistance, HardshipRecord, HomeVisit
from activities.visits.tests.factories import AssistanceFactory, HardshipRecordFactory, HomeVisitFactory, days_ago
from buildingparty.submissions import new_token
from tests.factories import BuildingFactory, EnterpriseFactory, MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"visits:{name}", args=args)


def today():
    return timezone.localdate()


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def member_a(branch_a):
    return MemberFactory(organization=branch_a, name="张秀英")


@pytest.fixture
def visit_a(member_a, branch_a):
    return HomeVisitFactory(
        member=member_a,
        organization=branch_a,
        kind=HomeVisit.Kind.HELP,
        visited_on=today(),  # this year's counts hold it, whatever the date
        found="家中老人独居，行动不便",
        needs="希望送学上门",
        help_given="送去米和油",
        help_amount=Decimal("300.00"),
        follow_up_on=today() + datetime.timedelta(days=3),
    )


@pytest.fixture
def member_b(branch_b):
    return MemberFactory(organization=branch_b, name="李第二")


@pytest.fixture
def visit_b(member_b, branch_b):
    return HomeVisitFactory(member=member_b, organization=branch_b, visited_on=today(), found="第二支部的走访")


@pytest.fixture
def record_a(member_a):
    return HardshipRecordFactory(member=member_a)


@pytest.fixture
def record_b(member_b):
    return HardshipRecordFactory(member=member_b)


@pytest.fixture
def pages(visit_a, member_a, record_a):
    """Every GET page, and every POST-only action, about branch A's things."""
    gets = [
        url("list"),
        url("create"),
        url("create") + f"?member={member_a.pk}",
        url("detail", visit_a.pk),
        url("edit", visit_a.pk),
        url("member", member_a.pk),
        url("hardship"),
        url("hardship_open"),
        url("hardship_open") + f"?member={member_a.pk}",
        url("summary"),
    ]
    posts = [
        url("follow_up_done", visit_a.pk),
        url("assistance_create", member_a.pk),
        url("hardship_close", record_a.pk),
    ]
    return gets, posts


def visit_data(**changes):
    data = {
        "kind": HomeVisit.Kind.HELP,
        "visited_on": today().isoformat(),
        "visitors": "王海燕、李明",
        "found": "本人住院治疗，家中孩子无人照看",
        "needs": "希望协助申请医疗救助",
        "help_given": "送去慰问金",
        "help_amount": "500",
        "follow_up_on": (today() + datetime.timedelta(days=14)).isoformat(),
        "submission_token": new_token(),  # each call a newly rendered form
    }
    data.update(changes)
    return data


# --- who may open what --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, pages):
    gets, posts = pages
    for target in gets:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    for target in posts:
        response = client.post(target, {})
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user", "outsider"])
def test_members_liaisons_and_contacts_are_refused_every_page(request, login_as, persona, pages):
    client = login_as(request.getfixturevalue(persona))
    gets, posts = pages
    for target in gets:
        assert client.get(target).status_code == 403, target
    for target in posts:
        assert client.post(target, {"note": "x", "resolved_on": today().isoformat()}).status_code == 403, target


def test_a_member_does_not_see_the_visits_about_herself(member_client, member_user, branch_a):
    visit = HomeVisitFactory(member=member_user.member, organization=branch_a, found="家庭情况")
    assert member_client.get(url("detail", visit.pk)).status_code == 403
    assert member_client.get(url("member", member_user.member.pk)).status_code == 403


def test_the_street_reads_the_counts_only(login_as, street_user, pages, visit_a):
    client = login_as(street_user)
    gets, posts = pages
    for target in gets:
        if target != url("summary"):
            assert client.get(target).status_code == 403, target
    for target in posts:
        assert client.post(target, {}).status_code == 403, target
    response = client.get(url("summary"))
    assert response.status_code == 200
    page = response.content.decode()
    # No names, no notes: who was visited and what was found stay with the secretary and the admin.
    for private in ("张秀英", "家中老人独居", "希望送学上门", "送去米和油"):
        assert private not in page
    row = next(r for r in response.context["page"] if r.organization == visit_a.organization)
    assert (row.visits, row.help, row.hardship, row.amount) == (1, 1, 1, Decimal("300.00"))


def test_another_branchs_secretary_finds_nothing_of_branch_a(login_as, secretary_b, visit_a, member_a, record_a):
    client = login_as(secretary_b)
    assert client.get(url("detail", visit_a.pk)).status_code == 404
    assert client.get(url("edit", visit_a.pk)).status_code == 404
    assert client.post(url("edit", visit_a.pk), visit_data()).status_code == 404
    assert client.post(url("follow_up_done", visit_a.pk)).status_code == 404
    assert client.get(url("member", member_a.pk)).status_code == 404
    assert client.post(url("assistance_create", member_a.pk), {"what": "x"}).status_code == 404
    assert client.post(url("hardship_close", record_a.pk), {"resolved_on": today().isoformat()}).status_code == 404
    assert client.get(url("create"), {"member": member_a.pk}).status_code == 404
    assert client.post(url("create"), visit_data(whom="member", member=member_a.pk)).status_code == 404
    assert client.get(url("hardship_open"), {"member": member_a.pk}).status_code == 404
    assert visit_a.pk not in [v.pk for v in client.get(url("list")).context["page"]]
    assert record_a.pk not in [r.record.pk for r in client.get(url("hardship")).context["rows"]]
    visit_a.refresh_from_db()
    record_a.refresh_from_db()
    assert not visit_a.follow_up_done and record_a.is_current


def test_post_only_actions_refuse_a_get(secretary_a_client, pages):
    _gets, posts = pages
    for target in posts:
        assert secretary_a_client.get(target).status_code == 405, target


def test_a_visit_about_her_member_made_by_the_general_branch_is_visible_to_her_secretary(
    login_as, secretary_a, secretary_b, member_a, general_branch
):
    visit = HomeVisitFactory(member=member_a, organization=general_branch)
    assert login_as(secretary_a).get(url("detail", visit.pk)).status_code == 200
    assert login_as(secretary_b).get(url("detail", visit.pk)).status_code == 404


def test_another_buildings_admin_finds_nothing(client, visit_a):
    from tests.factories import UserFactory

    other = BuildingFactory(name="别的大厦")
    client.force_login(UserFactory(username="admin2", role="admin", building=other))
    assert client.get(url("detail", visit_a.pk)).status_code == 404
    assert client.get(url("member", visit_a.member.pk)).status_code == 404


# --- the list -----------------------------------------------------------------------------------------------


def test_the_secretary_lists_her_branchs_visits_with_their_follow_ups(secretary_a_client, visit_a, visit_b):
    response = secretary_a_client.get(url("list"))
    assert response.status_code == 200
    assert [v.pk for v in response.context["page"]] == [visit_a.pk]
    assert "张秀英" in response.content.decode() and 'data-follow-up="due"' in response.content.decode()


def test_the_list_filters_by_kind_whom_name_and_follow_up(secretary_a_client, branch_a, visit_a, building):
    overdue = HomeVisitFactory(
        organization=branch_a, member=MemberFactory(organization=branch_a), follow_up_on=days_ago(1)
    )
    mentor = HomeVisitFactory(organization=branch_a, member=MemberFactory(organization=branch_a), kind="mentor")
    company = HomeVisitFactory(
        organization=branch_a,
        member=None,
        whom="enterprise",
        enterprise=EnterpriseFactory(building=building, name="甬城科技"),
    )

    def shown(**params):
        return {v.pk for v in secretary_a_client.get(url("list"), params).context["page"]}

    assert shown(kind="mentor") == {mentor.pk}
    assert shown(whom="enterprise") == {company.pk}
    assert shown(q="甬城") == {company.pk}
    assert shown(q="张秀英") == {visit_a.pk}
    assert shown(follow_up="overdue") == {overdue.pk}
    assert shown(follow_up="due") == {visit_a.pk}
    assert shown(follow_up="open") == {visit_a.pk, overdue.pk}


def test_the_admin_lists_every_branchs_visits_and_can_pick_one(admin_client, visit_a, visit_b, branch_b):
    assert {v.pk for v in admin_client.get(url("list")).context["page"]} == {visit_a.pk, visit_b.pk}
    assert {v.pk for v in admin_client.get(url("list"), {"organization": branch_b.pk}).context["page"]} == {visit_b.pk}


def _visits(organization, n):
    for _i in range(n):
        HomeVisitFactory(
            organization=organization, member=MemberFactory(organization=organization), follow_up_on=today()
        )
        HomeVisitFactory(
            organization=organization,
            member=None,
            whom="enterprise",
            enterprise=EnterpriseFactory(building=organization.building),
        )


@pytest.mark.parametrize("times", [1, 3])
def test_the_visit_list_takes_the_same_queries_however_many_visits(
    secretary_a_client, branch_a, django_assert_num_queries, times
):
    _visits(branch_a, times)
    # session and its save, user, her organisations (2), unread notifications, count, the page's visits (their
    # ids a subquery), savepoint
    with django_assert_num_queries(10):
        response = secretary_a_client.get(url("list"))
    assert len(response.context["page"]) == 2 * times


# --- recording a visit --------------------------------------------------------------------------------------


def test_the_search_offers_at_most_twenty_names_of_her_own_branch(secretary_a_client, branch_a, group_a, branch_b):
    for i in range(25):
        MemberFactory(organization=branch_a if i % 2 else group_a, name=f"王{i:02d}")
    MemberFactory(organization=branch_b, name="王第二支部")

    response = secretary_a_client.get(url("create"), {"q": "王"})

    names = [m.name for m in response.context["matches"]]
    assert len(names) == 20 and response.context["more"]
    assert "王第二支部" not in names and "王第二支部" not in response.content.decode()


def test_without_a_search_the_members_in_hardship_and_the_mobile_members_are_offered(secretary_a_client, branch_a):
    hardship = MemberFactory(organization=branch_a, is_hardship=True)
    mobile = MemberFactory(organization=branch_a, is_mobile=True)
    MemberFactory(organization=branch_a)
    response = secretary_a_client.get(url("create"))
    assert [m.pk for m in response.context["matches"]] == [hardship.pk, mobile.pk]


def test_an_enterprise_is_found_by_a_search_of_the_building(secretary_a_client, building):
    EnterpriseFactory(building=building, name="甬城电子商务有限公司")
    EnterpriseFactory(building=BuildingFactory(name="别处"), name="甬城别处有限公司")
    response = secretary_a_client.get(url("create"), {"whom": "enterprise", "q": "甬城"})
    assert [e.name for e in response.context["matches"]] == ["甬城电子商务有限公司"]
    assert secretary_a_client.get(url("create"), {"whom": "enterprise"}).context["matches"] == []


def test_the_secretary_records_a_help_visit_to_her_member(secretary_a_client, secretary_a, member_a, branch_a):
    form = secretary_a_client.get(url("create"), {"member": member_a.pk})
    assert form.status_code == 200 and form.context["form"].initial["visitors"] == secretary_a.display_name

    response = secretary_a_client.post(url("create"), visit_data(whom="member", member=member_a.pk))

    visit = HomeVisit.objects.get()
    assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
    assert (visit.organization, visit.member, visit.whom, visit.recorded_by) == (
        branch_a,
        member_a,
        "member",
        secretary_a,
    )
    assert visit.help_amount == Decimal("500.00")


def test_a_family_visit_needs_the_family_member_visited(secretary_a_client, branch_a):
    mobile = MemberFactory(organization=branch_a, is_mobile=True, mobile_destination="杭州市")
    response = secretary_a_client.post(url("create"), visit_data(whom="family", member=mobile.pk, kind="enquire"))
    assert response.status_code == 200 and "family_contact" in response.context["form"].errors
    response = secretary_a_client.post(
        url("create"), visit_data(whom="family", member=mobile.pk, kind="enquire", family_contact="母亲 13800000000")
    )
    visit = HomeVisit.objects.get()
    assert response.status_code == 302 and visit.whom == "family" and visit.family_contact == "母亲 13800000000"


def test_the_secretary_records_a_visit_to_an_enterprise(secretary_a_client, building, branch_a):
    enterprise = EnterpriseFactory(building=building)
    response = secretary_a_client.post(
        url("create"), visit_data(whom="enterprise", enterprise=enterprise.pk, kind="enquire", help_amount="")
    )
    visit = HomeVisit.objects.get()
    assert response.status_code == 302 and visit.enterprise == enterprise and visit.member is None
    assert visit.organization == branch_a


def test_a_visit_in_the_future_is_refused_with_a_message_next_to_the_date(secretary_a_client, member_a):
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    response = secretary_a_client.post(url("create"), visit_data(member=member_a.pk, visited_on=tomorrow))
    assert response.status_code == 200 and "visited_on" in response.context["form"].errors
    assert not HomeVisit.objects.exists()


def test_the_admin_records_a_visit_for_the_general_branch(admin_client, member_b, general_branch):
    response = admin_client.post(url("create"), visit_data(member=member_b.pk))
    assert response.status_code == 302
    assert HomeVisit.objects.get().organization == general_branch


# --- one visit, editing, its follow-up ----------------------------------------------------------------------


def test_the_secretary_reads_what_was_found_and_needed(secretary_a_client, visit_a):
    response = secretary_a_client.get(url("detail", visit_a.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "家中老人独居" in page and "希望送学上门" in page and "300.00" in page
    assert response.context["done_form"] is not None


def test_the_secretary_edits_a_visit(secretary_a_client, visit_a):
    response = secretary_a_client.post(url("edit", visit_a.pk), visit_data(found="已核实情况"))
    visit_a.refresh_from_db()
    assert response.status_code == 302 and visit_a.found == "已核实情况" and visit_a.member.name == "张秀英"


def test_the_secretary_marks_the_follow_up_done(secretary_a_client, secretary_a, visit_a):
    response = secretary_a_client.post(url("follow_up_done", visit_a.pk), {"note": "已上门回访，情况好转"})
    visit_a.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == visit_a.get_absolute_url()
    assert visit_a.follow_up_done and visit_a.follow_up_done_by == secretary_a
    assert visit_a.follow_up_note == "已上门回访，情况好转"
    again = secretary_a_client.post(url("follow_up_done", visit_a.pk), follow=True)
    assert any("already" in m or "已" in m for m in messages_of(again))


# --- a member's visits and help -----------------------------------------------------------------------------


def test_the_member_page_shows_her_visits_records_and_help(secretary_a_client, member_a, visit_a, record_a):
    AssistanceFactory(member=member_a, given_on=today().replace(month=1, day=1), amount=Decimal("800.00"))
    HomeVisitFactory(member=member_a, organization=member_a.organization, found="普通走访")  # no help given

    response = secretary_a_client.get(url("member", member_a.pk))

    assert response.status_code == 200
    assert response.context["current"] == record_a
    assert [h.what for h in response.context["history"]] == ["送去米和油", "春节慰问金"]
    assert response.context["year_total"] == Decimal("1100.00")
    assert response.context["page"].paginator.count == 2


def test_the_secretary_records_help_given_outside_a_visit(secretary_a_client, secretary_a, member_a):
    response = secretary_a_client.post(
        url("assistance_create", member_a.pk),
        {
            "given_on": today().isoformat(),
            "what": "企业爱心捐助",
            "amount": "1000",
            "source": "enterprise",
            "submission_token": new_token(),
        },
    )
    assistance = Assistance.objects.get()
    assert response.status_code == 302 and response["Location"] == url("member", member_a.pk)
    assert assistance.member == member_a and assistance.recorded_by == secretary_a
    assert assistance.amount == Decimal("1000.00")


def test_a_visit_with_help_money_sent_twice_is_recorded_once(secretary_a_client, member_a):
    data = visit_data(whom="member", member=member_a.pk)
    first = secretary_a_client.post(url("create"), data)
    second = secretary_a_client.post(url("create"), data)
    visit = HomeVisit.objects.get()
    assert first["Location"] == second["Location"] == visit.get_absolute_url()


def test_help_sent_twice_is_recorded_once(secretary_a_client, member_a):
    data = {"given_on": today().isoformat(), "what": "春节慰问金", "amount": "500", "source": "street"}
    data["submission_token"] = new_token()
    first = secretary_a_client.post(url("assistance_create", member_a.pk), data)
    second = secretary_a_client.post(url("assistance_create", member_a.pk), data)
    assert second.status_code == 302 and second["Location"] == first["Location"] == url("member", member_a.pk)
    assert Assistance.objects.count() == 1


def test_help_without_what_was_given_is_shown_again_with_the_error(secretary_a_client, member_a):
    response = secretary_a_client.post(url("assistance_create", member_a.pk), {"given_on": today().isoformat()})
    assert response.status_code == 200 and "what" in response.context["assistance_form"].errors
    assert not Assistance.objects.exists()


# --- the hardship register ----------------------------------------------------------------------------------


def test_the_register_lists_her_members_in_hardship_with_their_latest_help(
    secretary_a_client, record_a, record_b, visit_a
):
    response = secretary_a_client.get(url("hardship"))
    rows = response.context["rows"]
    assert [row.record.pk for row in rows] == [record_a.pk]
    assert rows[0].latest[0].what == "送去米和油" and rows[0].year_total == Decimal("300.00")


def test_the_register_shows_resolved_records_when_asked(secretary_a_client, branch_a, secretary_a, record_a):
    resolved = HardshipRecordFactory(
        member=MemberFactory(organization=branch_a),
        status=HardshipRecord.Status.RESOLVED,
        resolved_on=today(),
    )
    assert [r.record.pk for r in secretary_a_client.get(url("hardship")).context["rows"]] == [record_a.pk]
    shown = secretary_a_client.get(url("hardship"), {"status": "resolved"}).context["rows"]
    assert [r.record.pk for r in shown] == [resolved.pk]


def test_the_register_asks_for_a_record_of_members_marked_in_hardship_without_one(secretary_a_client, branch_a):
    marked = MemberFactory(organization=branch_a, is_hardship=True, hardship_note="家人重病")
    response = secretary_a_client.get(url("hardship"))
    assert response.context["unrecorded"] == [marked]


def _records(organization, n):
    for _i in range(n):
        record = HardshipRecordFactory(member=MemberFactory(organization=organization, is_hardship=True))
        HomeVisitFactory(member=record.member, organization=organization, help_given="慰问", help_amount=Decimal("100"))
        AssistanceFactory(member=record.member)


@pytest.mark.parametrize("times", [1, 3])
def test_the_hardship_register_takes_the_same_queries_however_many_members(
    secretary_a_client, branch_a, django_assert_num_queries, times
):
    _records(branch_a, times)
    # session and its save (3), user, her organisations (2), unread notifications, count, the page's records
    # (their ids a subquery), help visits, assistance, members marked without a record (the page's records are
    # members in hardship with one)
    with django_assert_num_queries(13):
        response = secretary_a_client.get(url("hardship"))
    assert len(response.context["rows"]) == times
    assert all(len(row.history) == 2 for row in response.context["rows"])


def test_the_secretary_puts_a_member_on_the_register(secretary_a_client, member_a):
    pick = secretary_a_client.get(url("hardship_open"), {"q": "张秀"})
    assert [m.pk for m in pick.context["matches"]] == [member_a.pk]

    response = secretary_a_client.post(
        url("hardship_open"),
        {"member": member_a.pk, "since": days_ago(3).isoformat(), "kind": "illness", "description": "本人住院"},
    )

    assert response.status_code == 302 and response["Location"] == url("member", member_a.pk)
    member_a.refresh_from_db()
    assert member_a.is_hardship and member_a.hardship_note == "本人住院"
    assert HardshipRecord.objects.get().member == member_a


def test_a_second_current_record_is_refused_with_a_message(secretary_a_client, record_a):
    response = secretary_a_client.post(
        url("hardship_open"),
        {"member": record_a.member.pk, "since": days_ago(3).isoformat(), "kind": "illness", "description": "又住院"},
    )
    assert response.status_code == 200
    assert any(record_a.member.name in m for m in messages_of(response))
    assert HardshipRecord.objects.count() == 1


def test_the_secretary_closes_a_record_as_resolved(secretary_a_client, record_a):
    response = secretary_a_client.post(
        url("hardship_close", record_a.pk), {"resolved_on": today().isoformat(), "resolution": "病愈康复"}
    )
    assert response.status_code == 302
    record_a.refresh_from_db()
    record_a.member.refresh_from_db()
    assert not record_a.is_current and record_a.resolution == "病愈康复"
    assert not record_a.member.is_hardship


def test_closing_before_the_hardship_began_shows_the_error_on_the_member_page(secretary_a_client, record_a):
    early = (record_a.since - datetime.timedelta(days=1)).isoformat()
    response = secretary_a_client.post(url("hardship_close", record_a.pk), {"resolved_on": early})
    assert response.status_code == 200 and "resolved_on" in response.context["close_form"].errors
    record_a.refresh_from_db()
    assert record_a.is_current


# --- counts -------------------------------------------------------------------------------------------------


def test_the_counts_are_per_branch_for_the_admin_and_the_secretarys_own_for_her(
    admin_client, login_as, secretary_a, visit_a, visit_b, record_a, branch_a, branch_b
):
    rows = {row.organization.pk: row for row in admin_client.get(url("summary")).context["page"]}
    assert rows[branch_a.pk].visits == 1 and rows[branch_b.pk].visits == 1
    assert rows[branch_a.pk].hardship == 1
    mine = login_as(secretary_a).get(url("summary")).context["page"]
    assert [row.organization for row in mine] == [branch_a]


def test_the_street_counts_every_building(login_as, street_user, visit_a):
    other = BuildingFactory(name="另一幢")
    branch = OrganizationFactory(building=other, name="别的支部")
    HomeVisitFactory(member=MemberFactory(organization=branch), organization=branch, visited_on=today())
    rows = login_as(street_user).get(url("summary")).context["page"]
    assert {row.organization.name for row in rows if row.visits} == {visit_a.organization.name, "别的支部"}


def test_the_register_rows_written_in_python_escape_what_they_show(secretary_a_client, branch_a):
    """The register's rows are written in the view (``_row_html``): every value still escaped, each help line
    shortened as ``|truncatechars:40`` did, the amount and the link to all lines as before."""
    member = MemberFactory(organization=branch_a, name="<b>王</b>", is_hardship=True)
    HardshipRecordFactory(member=member, description="<script>x</script>")
    for i in range(4):
        HomeVisitFactory(
            member=member, organization=branch_a, help_given=f"<i>慰问{i}</i>" + "米" * 50, help_amount=Decimal("100")
        )
    body = secretary_a_client.get(url("hardship")).content.decode()
    assert "&lt;b&gt;王&lt;/b&gt;" in body and "<b>王</b>" not in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body and "<script>x</script>" not in body
    assert "&lt;i&gt;慰问" in body and "<i>慰问" not in body
    table = body[body.index("<tbody>") : body.index("</tbody>")]
    shortened = conditional_escape(truncatechars("<i>慰问3</i>" + "米" * 50, 40))
    assert f"{shortened} ¥100.00 " in table and "米" * 50 not in table
    assert table.count("<div>") == 3  # the latest three lines
    assert f'<a href="{url("member", member.pk)}">全部 4 条</a>' in table
