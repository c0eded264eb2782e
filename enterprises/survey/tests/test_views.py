"""Survey pages: campaigns and their progress, recording visits on the spot, follow-ups, leads. Who may do what."""

import datetime
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseChange
from enterprises.survey.models import FollowUp, SurveyCampaign, SurveyLead, SurveyVisit
from tests.factories import BuildingFactory, EnterpriseFactory, UserFactory

from .factories import FIVE_CLEARS, CampaignFactory, FollowUpFactory, LeadFactory, VisitFactory, days_ago

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def campaign(building, admin_user):
    return CampaignFactory(building=building, name="2026 年度调查摸底", created_by=admin_user)


@pytest.fixture
def other_enterprise(building):
    """In the building, but not the liaison's."""
    return EnterpriseFactory(building=building, name="慈溪恒信贸易有限公司")


@pytest.fixture
def visit(campaign, enterprise, liaison_user):
    return VisitFactory(campaign=campaign, enterprise=enterprise, recorded_by=liaison_user, **FIVE_CLEARS)


@pytest.fixture
def lead(visit):
    return LeadFactory(
        visit=visit, name="赵立群", phone="13712345678", relationship_location="中共余姚市梨洲街道某社区委员会"
    )


@pytest.fixture
def follow_up(visit):
    return FollowUpFactory(visit=visit)


@pytest.fixture
def other_admin(db):
    return UserFactory(username="other_admin", role="admin", building=BuildingFactory(name="别的大厦"))


def messages_of(response):
    # From the request: the context of a page's content kept by data_cache holds no messages.
    return [str(m) for m in get_messages(response.wsgi_request)] if response.context else []


def visit_post(**overrides) -> dict:
    """A filled-in visit form: the five clears, no follow-up, no lead (the blank rows stay blank)."""
    data = {
        "visited_on": TODAY().isoformat(),
        "visitors": "周明、陈芳、吴强",
        "met_with": "总经理 钱宏",
        **{k: v for k, v in FIVE_CLEARS.items()},
        "attitude_note": "愿意提供会议室",
        "follow_ups-TOTAL_FORMS": "1",
        "follow_ups-INITIAL_FORMS": "0",
        "follow_ups-MIN_NUM_FORMS": "0",
        "follow_ups-MAX_NUM_FORMS": "1000",
        "leads-TOTAL_FORMS": "1",
        "leads-INITIAL_FORMS": "0",
        "leads-MIN_NUM_FORMS": "0",
        "leads-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return {k: ("" if v is None else v) for k, v in data.items()}


def with_lead(data: dict, index: int = 0, **fields) -> dict:
    row = {"name": "赵立群", "phone": "13712345678", "relationship_location": "余姚市某村党支部", "note": "", **fields}
    data = {**data, **{f"leads-{index}-{k}": v for k, v in row.items()}}
    data["leads-TOTAL_FORMS"] = str(max(int(data["leads-TOTAL_FORMS"]), index + 1))
    return data


def with_follow_up(data: dict, index: int = 0, **fields) -> dict:
    row = {
        "action": "送两封信",
        "due_on": (TODAY() + datetime.timedelta(days=7)).isoformat(),
        "assigned_to": "",
        **fields,
    }
    data = {**data, **{f"follow_ups-{index}-{k}": v for k, v in row.items()}}
    data["follow_ups-TOTAL_FORMS"] = str(max(int(data["follow_ups-TOTAL_FORMS"]), index + 1))
    return data


# --- anonymous, wrong role, out of scope -------------------------------------------------------------------------


def page_urls(campaign, enterprise, visit):
    return [
        reverse("survey:campaign_list"),
        reverse("survey:campaign_create"),
        campaign.get_absolute_url(),
        reverse("survey:campaign_edit", args=[campaign.pk]),
        reverse("survey:visit_create", args=[campaign.pk, enterprise.pk]),
        visit.get_absolute_url(),
        reverse("survey:visit_edit", args=[visit.pk]),
        reverse("survey:lead_list"),
    ]


def post_urls(lead, follow_up):
    return [
        reverse("survey:follow_up_done", args=[follow_up.pk]),
        reverse("survey:lead_close", args=[lead.pk]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, campaign, enterprise, visit, lead, follow_up):
    for url in page_urls(campaign, enterprise, visit):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    for url in post_urls(lead, follow_up):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["member_user", "contact_user"])
def test_members_and_enterprise_contacts_are_refused_every_survey_page(
    request, login_as, persona, campaign, enterprise, visit, lead, follow_up
):
    client = login_as(request.getfixturevalue(persona))
    for url in page_urls(campaign, enterprise, visit):
        assert client.get(url).status_code == 403, url
    for url in post_urls(lead, follow_up):
        assert client.post(url, {"outcome": "x", "close_reason": "x"}).status_code == 403, url


def test_another_buildings_admin_finds_nothing(login_as, other_admin, campaign, enterprise, visit, lead, follow_up):
    client = login_as(other_admin)
    for url in page_urls(campaign, enterprise, visit)[2:7]:
        if url != reverse("survey:campaign_create"):
            assert client.get(url).status_code == 404, url
    for url in post_urls(lead, follow_up):
        assert client.post(url, {"outcome": "x", "close_reason": "x", "done_on": TODAY()}).status_code == 404, url
    assert campaign.name not in client.get(reverse("survey:campaign_list")).content.decode()
    assert lead.name not in client.get(reverse("survey:lead_list")).content.decode()


@pytest.mark.parametrize("name", ["follow_up_done", "lead_close"])
def test_actions_are_post_only(admin_client, lead, follow_up, name):
    pk = follow_up.pk if name == "follow_up_done" else lead.pk
    assert admin_client.get(reverse(f"survey:{name}", args=[pk])).status_code == 405


# --- campaigns ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin_user", "secretary_a", "liaison_user", "street_user"])
def test_readers_see_the_campaign_list_and_its_page(request, login_as, persona, campaign):
    client = login_as(request.getfixturevalue(persona))
    assert campaign.name in client.get(reverse("survey:campaign_list")).content.decode()
    response = client.get(campaign.get_absolute_url())
    assert response.status_code == 200 and "周明" in response.content.decode()  # the working group


@pytest.mark.parametrize("persona", ["secretary_a", "liaison_user", "street_user"])
def test_only_admins_create_and_edit_campaigns(request, login_as, persona, campaign):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(reverse("survey:campaign_create")).status_code == 403
    assert client.post(reverse("survey:campaign_create"), {"name": "x", "starts_on": "2026-01-01"}).status_code == 403
    assert client.get(reverse("survey:campaign_edit", args=[campaign.pk])).status_code == 403


def test_an_admin_creates_a_campaign_in_their_building(admin_client, admin_user, building):
    response = admin_client.post(
        reverse("survey:campaign_create"),
        {
            "name": "2027 年度调查摸底",
            "starts_on": "2027-03-01",
            "ends_on": "2027-06-30",
            "status": "planned",
            "working_group": "街道、社区、物业公司各派一人",
        },
    )
    campaign = SurveyCampaign.objects.get(name="2027 年度调查摸底")
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert campaign.building == building and campaign.created_by == admin_user


def test_a_campaign_name_is_unique_in_the_building_and_ends_after_it_starts(admin_client, campaign):
    response = admin_client.post(
        reverse("survey:campaign_create"),
        {"name": campaign.name, "starts_on": "2027-03-01", "ends_on": "2027-01-01", "status": "active"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "ends_on"}
    assert SurveyCampaign.objects.count() == 1


def test_an_admin_edits_a_campaign(admin_client, campaign):
    response = admin_client.post(
        reverse("survey:campaign_edit", args=[campaign.pk]),
        {"name": campaign.name, "starts_on": "2026-03-01", "status": "closed", "working_group": "新的工作组"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == SurveyCampaign.Status.CLOSED and campaign.working_group == "新的工作组"


def test_the_campaign_page_shows_progress_and_a_record_button_for_the_liaisons_enterprises_only(
    login_as, liaison_user, campaign, enterprise, other_enterprise
):
    VisitFactory(campaign=campaign, enterprise=other_enterprise, **FIVE_CLEARS)
    response = login_as(liaison_user).get(campaign.get_absolute_url())
    progress = response.context["progress"]
    assert (progress.total, progress.visited, progress.complete) == (2, 1, 1)  # the building's numbers
    mine = response.context["mine"]
    assert (mine.total, mine.visited) == (1, 0)
    rows = list(response.context["page"])
    assert [r.enterprise for r in rows] == [enterprise]  # the table: their enterprises only
    assert rows[0].can_record
    body = response.content.decode()
    assert reverse("survey:visit_create", args=[campaign.pk, enterprise.pk]) in body
    assert reverse("survey:visit_create", args=[campaign.pk, other_enterprise.pk]) not in body


def test_the_campaign_page_filters_enterprises_by_state_and_floor(admin_client, campaign, building):
    third = [EnterpriseFactory(building=building, floor=3) for _ in range(3)]
    fifth = EnterpriseFactory(building=building, floor=5)
    VisitFactory(campaign=campaign, enterprise=third[0], **FIVE_CLEARS)
    VisitFactory(campaign=campaign, enterprise=third[1])
    url = campaign.get_absolute_url()

    def shown(**params):
        return {r.enterprise for r in admin_client.get(url, params).context["page"]}

    assert shown(state="complete") == {third[0]}
    assert shown(state="incomplete") == {third[1]}
    assert shown(state="not_visited", floor=3) == {third[2]}
    assert fifth in shown(state="not_visited") and fifth not in shown(floor=3)


def test_the_campaign_page_draws_the_floors_as_a_chart_and_a_table(admin_client, campaign, enterprise):
    body = admin_client.get(campaign.get_absolute_url()).content.decode()
    assert 'id="floor-chart-data"' in body and "vendor/chartjs/chart.umd.min.js" in body
    assert 'data-testid="floor-table"' in body


@pytest.mark.parametrize("scale", [1, 3])
def test_the_campaign_page_runs_the_same_queries_at_1x_and_3x_enterprises(
    admin_client, campaign, building, django_assert_num_queries, scale
):
    for i in range(10 * scale):
        enterprise = EnterpriseFactory(building=building, floor=2 + i % 4)
        if i % 2:
            visit = VisitFactory(campaign=campaign, enterprise=enterprise, **FIVE_CLEARS)
            VisitFactory(campaign=campaign, enterprise=enterprise, visited_on=days_ago(3))
            LeadFactory(visit=visit)
            FollowUpFactory(visit=visit, due_on=days_ago(i % 3))
    admin_client.get(campaign.get_absolute_url())  # warm the session
    with django_assert_num_queries(CAMPAIGN_PAGE_QUERIES):
        response = admin_client.get(campaign.get_absolute_url(), {"state": "complete"})
    assert response.context["progress"].visited == 5 * scale


# Session read, user, the campaign; the enterprises and the latest visits per floor, open leads, follow-ups
# (counted again here: inside the test's transaction, which has written, the cache is not read); the page's
# enterprises and their visits (the page's count comes from the tallies per floor); and the session write (with
# its savepoint and release): the same for any building.
CAMPAIGN_PAGE_QUERIES = 13


def test_the_campaign_list_runs_the_same_queries_however_many_campaigns(
    admin_client, building, enterprise, django_assert_max_num_queries
):
    CampaignFactory(building=building)
    admin_client.get(reverse("survey:campaign_list"))
    with django_assert_max_num_queries(20) as first:
        admin_client.get(reverse("survey:campaign_list"))
    for _ in range(4):
        VisitFactory(campaign=CampaignFactory(building=building), enterprise=enterprise, **FIVE_CLEARS)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = admin_client.get(reverse("survey:campaign_list"))
    assert len(response.context["page"]) == 5


# --- recording a visit -------------------------------------------------------------------------------------------


def test_a_liaison_records_a_visit_to_their_enterprise_with_a_follow_up_and_a_lead(
    login_as, liaison_user, admin_user, campaign, enterprise
):
    client = login_as(liaison_user)
    url = reverse("survey:visit_create", args=[campaign.pk, enterprise.pk])
    form = client.get(url).context["form"]
    assert form["visited_on"].value() == TODAY() and form["visitors"].value() == liaison_user.display_name
    data = with_follow_up(with_lead(visit_post()), assigned_to=admin_user.pk)
    response = client.post(url, data)
    visit = SurveyVisit.objects.get()
    assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
    assert visit.is_complete and visit.recorded_by == liaison_user and visit.enterprise == enterprise
    lead = visit.leads.get()
    assert (lead.name, lead.phone, lead.status) == ("赵立群", "13712345678", SurveyLead.Status.OPEN)
    assert visit.follow_ups.get().assigned_to == admin_user


def test_the_attitude_found_on_a_visit_propagates_to_the_enterprise(login_as, liaison_user, campaign, enterprise):
    login_as(liaison_user).post(
        reverse("survey:visit_create", args=[campaign.pk, enterprise.pk]), visit_post(owner_attitude="reserved")
    )
    enterprise.refresh_from_db()
    assert enterprise.attitude == Enterprise.Attitude.RESERVED
    change = enterprise.changes.get(action=EnterpriseChange.Action.UPDATED)
    assert change.changes["attitude"][1] == "reserved" and change.changed_by == liaison_user


def test_a_bad_lead_row_writes_nothing(login_as, liaison_user, campaign, enterprise):
    data = with_follow_up(with_lead(visit_post(), relationship_location=""))  # where the relationship is: required
    response = login_as(liaison_user).post(reverse("survey:visit_create", args=[campaign.pk, enterprise.pk]), data)
    assert response.status_code == 200
    assert "relationship_location" in response.context["leads"].forms[0].errors
    assert not SurveyVisit.objects.exists() and not FollowUp.objects.exists() and not SurveyLead.objects.exists()
    enterprise.refresh_from_db()
    assert enterprise.attitude == Enterprise.Attitude.UNKNOWN and not enterprise.changes.exists()


def test_a_failure_while_saving_the_leads_rolls_the_whole_visit_back(login_as, liaison_user, campaign, enterprise):
    data = with_follow_up(with_lead(visit_post()))
    client = login_as(liaison_user)
    with mock.patch("enterprises.survey.models.SurveyLead.save", side_effect=RuntimeError("disk full")):
        with pytest.raises(RuntimeError):
            client.post(reverse("survey:visit_create", args=[campaign.pk, enterprise.pk]), data)
    assert not SurveyVisit.objects.exists() and not FollowUp.objects.exists()
    enterprise.refresh_from_db()
    assert enterprise.attitude == Enterprise.Attitude.UNKNOWN and not enterprise.changes.exists()


def test_members_found_must_cover_the_leads(login_as, liaison_user, campaign, enterprise):
    data = with_lead(with_lead(visit_post(members_found=1)), index=1, name="孙梅")
    response = login_as(liaison_user).post(reverse("survey:visit_create", args=[campaign.pk, enterprise.pk]), data)
    assert response.status_code == 200 and "members_found" in response.context["form"].errors
    assert not SurveyVisit.objects.exists()


def test_blank_rows_are_ignored_and_an_incomplete_visit_can_be_saved(login_as, liaison_user, campaign, enterprise):
    data = visit_post(members_thinking="", owner_attitude="")
    response = login_as(liaison_user).post(reverse("survey:visit_create", args=[campaign.pk, enterprise.pk]), data)
    assert response.status_code == 302
    visit = SurveyVisit.objects.get()
    assert not visit.is_complete and not visit.leads.exists() and not visit.follow_ups.exists()


def test_a_visit_cannot_be_dated_in_the_future(login_as, liaison_user, campaign, enterprise):
    data = visit_post(visited_on=(TODAY() + datetime.timedelta(days=1)).isoformat())
    response = login_as(liaison_user).post(reverse("survey:visit_create", args=[campaign.pk, enterprise.pk]), data)
    assert "visited_on" in response.context["form"].errors


def test_a_liaison_cannot_record_a_visit_to_an_enterprise_not_assigned_to_them(
    login_as, liaison_user, campaign, other_enterprise
):
    url = reverse("survey:visit_create", args=[campaign.pk, other_enterprise.pk])
    client = login_as(liaison_user)
    assert client.get(url).status_code == 404
    assert client.post(url, visit_post()).status_code == 404
    assert not SurveyVisit.objects.exists()


def test_the_admin_records_a_visit_to_any_enterprise_of_the_building(admin_client, campaign, other_enterprise):
    url = reverse("survey:visit_create", args=[campaign.pk, other_enterprise.pk])
    assert admin_client.post(url, visit_post()).status_code == 302
    assert SurveyVisit.objects.get().enterprise == other_enterprise


@pytest.mark.parametrize("persona", ["secretary_a", "street_user"])
def test_secretaries_and_street_viewers_read_visits_but_do_not_record_them(request, login_as, persona, campaign, visit):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(visit.get_absolute_url()).status_code == 200
    assert client.get(reverse("survey:visit_create", args=[campaign.pk, visit.enterprise.pk])).status_code == 403
    assert client.get(reverse("survey:visit_edit", args=[visit.pk])).status_code == 403


def test_a_closed_campaign_takes_no_more_visits(login_as, liaison_user, campaign, enterprise):
    SurveyCampaign.objects.filter(pk=campaign.pk).update(status=SurveyCampaign.Status.CLOSED)
    response = login_as(liaison_user).post(
        reverse("survey:visit_create", args=[campaign.pk, enterprise.pk]), visit_post()
    )
    assert response.status_code == 302 and not SurveyVisit.objects.exists()


def test_a_moved_out_enterprise_is_not_visited(admin_client, campaign, other_enterprise):
    Enterprise.objects.filter(pk=other_enterprise.pk).update(status=Enterprise.Status.MOVED_OUT)
    assert admin_client.get(reverse("survey:visit_create", args=[campaign.pk, other_enterprise.pk])).status_code == 404


# --- the visit page and editing ----------------------------------------------------------------------------------


def test_the_visit_page_checks_off_the_clears_established(login_as, liaison_user, campaign, enterprise):
    visit = VisitFactory(campaign=campaign, enterprise=enterprise, recorded_by=liaison_user, members_found=0)
    response = login_as(liaison_user).get(visit.get_absolute_url())
    done = {c["key"]: c["done"] for c in response.context["clears"]}
    assert done == {"situation": False, "members": True, "relationships": True, "thinking": True, "attitude": False}
    assert response.context["clears_done"] == 3


def test_a_liaison_does_not_see_visits_to_enterprises_not_theirs(login_as, liaison_user, campaign, other_enterprise):
    visit = VisitFactory(campaign=campaign, enterprise=other_enterprise)
    assert login_as(liaison_user).get(visit.get_absolute_url()).status_code == 404


def test_the_recorder_edits_the_visit_and_adds_a_lead(login_as, liaison_user, visit, lead):
    data = visit_post(
        **{"leads-TOTAL_FORMS": "2", "leads-INITIAL_FORMS": "1", "leads-0-id": lead.pk, "leads-0-visit": visit.pk},
        enterprise_situation="更新后的情况",
    )
    data.update({f"leads-0-{k}": getattr(lead, k) for k in ("name", "phone", "relationship_location", "note")})
    data["leads-0-phone"] = "13700001111"  # a correction
    data = with_lead(data, index=1, name="孙梅")
    response = login_as(liaison_user).post(reverse("survey:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 302
    visit.refresh_from_db()
    lead.refresh_from_db()
    assert visit.enterprise_situation == "更新后的情况" and lead.phone == "13700001111"
    assert sorted(visit.leads.values_list("name", flat=True)) == ["孙梅", "赵立群"]


def test_only_the_recorder_or_an_admin_edits_a_visit(
    login_as, admin_client, liaison_user, admin_user, campaign, enterprise
):
    by_admin = VisitFactory(campaign=campaign, enterprise=enterprise, recorded_by=admin_user)
    assert login_as(liaison_user).get(reverse("survey:visit_edit", args=[by_admin.pk])).status_code == 403
    by_liaison = VisitFactory(campaign=campaign, enterprise=enterprise, recorded_by=liaison_user)
    assert login_as(admin_user).get(reverse("survey:visit_edit", args=[by_liaison.pk])).status_code == 200


# --- follow-ups --------------------------------------------------------------------------------------------------


def test_the_liaison_marks_a_follow_up_done_with_its_outcome(login_as, liaison_user, follow_up):
    url = reverse("survey:follow_up_done", args=[follow_up.pk])
    response = login_as(liaison_user).post(url, {"done_on": TODAY().isoformat(), "outcome": "两封信已送到"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_on == TODAY() and follow_up.outcome == "两封信已送到"


def test_a_follow_up_needs_an_outcome(login_as, liaison_user, follow_up):
    response = login_as(liaison_user).post(
        reverse("survey:follow_up_done", args=[follow_up.pk]), {"done_on": TODAY().isoformat(), "outcome": ""}
    )
    assert response.status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.done_on is None


def test_a_secretary_marks_done_only_the_follow_ups_given_to_them(login_as, secretary_a, follow_up, visit):
    url = reverse("survey:follow_up_done", args=[follow_up.pk])
    client = login_as(secretary_a)
    assert client.post(url, {"done_on": TODAY().isoformat(), "outcome": "x"}).status_code == 403
    mine = FollowUpFactory(visit=visit, assigned_to=secretary_a, action="办理组织关系转入")
    assert (
        client.post(
            reverse("survey:follow_up_done", args=[mine.pk]), {"done_on": TODAY().isoformat(), "outcome": "已办"}
        ).status_code
        == 302
    )
    assert FollowUp.objects.get(pk=mine.pk).done_on == TODAY()


def test_the_street_viewer_cannot_mark_follow_ups(login_as, street_user, follow_up):
    response = login_as(street_user).post(
        reverse("survey:follow_up_done", args=[follow_up.pk]), {"done_on": TODAY().isoformat(), "outcome": "x"}
    )
    assert response.status_code == 403


# --- leads ---------------------------------------------------------------------------------------------------


def test_the_lead_list_shows_open_leads_first(admin_client, visit):
    closed = LeadFactory(visit=visit, name="已关闭的", status=SurveyLead.Status.CLOSED, close_reason="已离职")
    first_open = LeadFactory(visit=visit, name="甲")
    second_open = LeadFactory(visit=visit, name="乙")
    leads = list(admin_client.get(reverse("survey:lead_list")).context["page"])
    assert leads[-1] == closed and set(leads[:2]) == {first_open, second_open}
    only_closed = admin_client.get(reverse("survey:lead_list"), {"status": "closed"}).context["page"]
    assert list(only_closed) == [closed]


def test_a_liaison_sees_the_leads_of_their_visits_only_and_without_actions(
    login_as, liaison_user, lead, campaign, other_enterprise
):
    elsewhere = LeadFactory(visit=VisitFactory(campaign=campaign, enterprise=other_enterprise), name="别人的线索")
    response = login_as(liaison_user).get(reverse("survey:lead_list"))
    assert list(response.context["page"]) == [lead]
    body = response.content.decode()
    assert elsewhere.name not in body and reverse("members:lead_transfer_in", args=[lead.pk]) not in body


def test_secretaries_see_the_buildings_leads_with_their_actions(secretary_a_client, lead):
    body = secretary_a_client.get(reverse("survey:lead_list")).content.decode()
    assert reverse("members:lead_transfer_in", args=[lead.pk]) in body
    assert reverse("members:lead_incoming", args=[lead.pk]) in body
    assert reverse("survey:lead_close", args=[lead.pk]) in body


def test_the_lead_list_runs_the_same_queries_however_many_leads(admin_client, visit, django_assert_max_num_queries):
    LeadFactory(visit=visit)
    admin_client.get(reverse("survey:lead_list"))
    with django_assert_max_num_queries(20) as first:
        admin_client.get(reverse("survey:lead_list"))
    LeadFactory.create_batch(10, visit=visit)
    with django_assert_max_num_queries(len(first.captured_queries)):
        admin_client.get(reverse("survey:lead_list"))


def test_closing_a_lead_needs_a_reason(secretary_a_client, lead):
    response = secretary_a_client.post(reverse("survey:lead_close", args=[lead.pk]), {"close_reason": "  "})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == SurveyLead.Status.OPEN


def test_a_secretary_closes_a_lead_with_a_reason(secretary_a_client, secretary_a, lead):
    response = secretary_a_client.post(
        reverse("survey:lead_close", args=[lead.pk]),
        {"close_reason": "已调离本楼", "next": lead.visit.get_absolute_url()},
    )
    assert response["Location"] == lead.visit.get_absolute_url()
    lead.refresh_from_db()
    assert (lead.status, lead.close_reason, lead.closed_by, lead.closed_on) == (
        SurveyLead.Status.CLOSED,
        "已调离本楼",
        secretary_a,
        TODAY(),
    )


def test_closing_a_lead_never_redirects_off_the_site(secretary_a_client, lead):
    response = secretary_a_client.post(
        reverse("survey:lead_close", args=[lead.pk]), {"close_reason": "重复", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("survey:lead_list")


def test_a_closed_lead_is_not_closed_again(secretary_a_client, lead):
    secretary_a_client.post(reverse("survey:lead_close", args=[lead.pk]), {"close_reason": "第一次"})
    response = secretary_a_client.post(
        reverse("survey:lead_close", args=[lead.pk]), {"close_reason": "第二次"}, follow=True
    )
    lead.refresh_from_db()
    assert lead.close_reason == "第一次"
    assert any("already" in m or "已" in m for m in messages_of(response))


@pytest.mark.parametrize("persona", ["liaison_user", "street_user"])
def test_liaisons_and_street_viewers_do_not_close_leads(request, login_as, persona, lead):
    response = login_as(request.getfixturevalue(persona)).post(
        reverse("survey:lead_close", args=[lead.pk]), {"close_reason": "x"}
    )
    assert response.status_code == 403


# --- home panels -------------------------------------------------------------------------------------------------


def test_a_liaison_finds_the_campaign_and_what_is_left_to_visit_on_their_home_page(
    login_as, liaison_user, campaign, enterprise
):
    body = login_as(liaison_user).get(reverse("home")).content.decode()
    assert 'data-testid="survey-panel"' in body and campaign.name in body
    assert reverse("survey:visit_create", args=[campaign.pk, enterprise.pk]) in body


def test_a_liaison_without_a_campaign_under_way_sees_no_survey_panel(login_as, liaison_user, campaign):
    SurveyCampaign.objects.filter(pk=campaign.pk).update(status=SurveyCampaign.Status.CLOSED)
    assert 'data-testid="survey-panel"' not in login_as(liaison_user).get(reverse("home")).content.decode()


def test_secretaries_see_open_leads_and_overdue_follow_ups_on_their_home_page(secretary_a_client, lead, visit):
    FollowUpFactory(visit=visit, due_on=days_ago(2), action="补交党费证明")
    response = secretary_a_client.get(reverse("home"))
    panel = next(p for p in response.context["panels"] if p["template"].endswith("survey/panels/leads.html"))
    assert panel["leads_open"] == 1 and panel["overdue_count"] == 1
    assert "补交党费证明" in response.content.decode()


# --- bounded formsets (guards: issue 14, point 8) --------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["follow_ups", "leads"])
def test_a_posted_total_forms_of_100000_is_a_form_error_not_work(admin_client, campaign, enterprise, prefix):
    data = visit_post(**{f"{prefix}-TOTAL_FORMS": "100000"})
    response = admin_client.post(reverse("survey:visit_create", args=[campaign.pk, enterprise.pk]), data)
    assert response.status_code == 200
    formset = response.context[prefix]
    assert formset.non_form_errors() and len(formset.forms) <= 50
    assert str(formset.non_form_errors()[0]) in response.content.decode()  # shown at the top of the form
    assert not SurveyVisit.objects.exists()
