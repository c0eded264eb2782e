"""The survey's rules as SQL agree with the rules in Python, visit by visit and enterprise by enterprise, over a
varied set: the five clears (``FIVE_CLEARS_Q``, ``COMPLETE_Q``) with ``SurveyVisit.five_clears``, the latest
visit (``latest_only``) with ``latest_visits``, and the tallies with the counting the pages did in Python before.
The two cannot drift apart."""

import datetime
import itertools

import pytest
from django.urls import reverse

from enterprises.models import Enterprise
from enterprises.survey.models import COMPLETE_Q, FIVE_CLEARS_Q, WHITESPACE, SurveyVisit
from enterprises.survey.selectors import (
    EnterpriseProgress,
    Tally,
    campaign_enterprises,
    campaign_progress,
    campaigns_overview,
    latest_only,
    latest_visits,
    liaison_tally,
    progress_queryset,
)
from tests.factories import BuildingFactory, EnterpriseFactory, UserFactory

from .factories import FIVE_CLEARS, CampaignFactory, FollowUpFactory, LeadFactory, VisitFactory, days_ago

pytestmark = pytest.mark.django_db

# Blank to str.strip() (ASCII whitespace, the full-width space, a no-break space), and filled in.
TEXTS = ["", " \n\t", "\u3000\u3000", "\xa0", " 已了解 "]
FOUND = [None, 0, 3]
ATTITUDES = ["", Enterprise.Attitude.UNKNOWN, Enterprise.Attitude.SUPPORTIVE, Enterprise.Attitude.OPPOSED]


def test_the_whitespace_spelled_out_is_all_the_whitespace_python_knows():
    assert WHITESPACE == "".join(c for c in map(chr, range(0x110000)) if c.isspace())


@pytest.fixture
def visits(building):
    """Every combination of the five clears' fields (and each whitespace character alone and in a text)."""
    campaign = CampaignFactory(building=building)
    enterprise = EnterpriseFactory(building=building)
    rows = [
        SurveyVisit(
            campaign=campaign,
            enterprise=enterprise,
            visited_on=datetime.date(2026, 3, 2),
            enterprise_situation=situation,
            members_found=found,
            relationships_note=relationships,
            members_thinking=thinking,
            owner_attitude=attitude,
        )
        for situation, found, relationships, thinking, attitude in itertools.product(
            TEXTS[::2], FOUND, TEXTS, TEXTS[1:4], ATTITUDES
        )
    ]
    for character in WHITESPACE:
        for text in (character * 2, f"{character}有{character}"):
            rows.append(
                SurveyVisit(
                    campaign=campaign,
                    enterprise=enterprise,
                    visited_on=datetime.date(2026, 3, 2),
                    **{**FIVE_CLEARS, "enterprise_situation": text, "members_thinking": text, "members_found": 1},
                )
            )
    SurveyVisit.objects.bulk_create(rows)
    return list(SurveyVisit.objects.all())


def test_each_clear_in_sql_picks_exactly_the_visits_the_property_says(visits):
    assert len(visits) > 500
    for key, condition in FIVE_CLEARS_Q.items():
        in_sql = set(SurveyVisit.objects.filter(condition).values_list("pk", flat=True))
        assert in_sql == {v.pk for v in visits if v.five_clears[key]}, key
        assert 0 < len(in_sql) < len(visits), key  # the set tells the two answers apart
    complete = set(SurveyVisit.objects.filter(COMPLETE_Q).values_list("pk", flat=True))
    assert complete == {v.pk for v in visits if v.is_complete}
    assert 0 < len(complete) < len(visits)


# --- a varied building: the latest visit, the states and the tallies -------------------------------------------


@pytest.fixture
def survey(building):
    """Two campaigns over enterprises on four floors, of two liaisons or none, some moved out, one of another
    building; each visited 0 to 3 times with every kind of visit, some on the same day, in one campaign or both."""
    liaisons = [UserFactory(username=f"liaison-s{n}", role="liaison", building=building) for n in range(2)]
    campaign, last_year = CampaignFactory(building=building), CampaignFactory(building=building)
    kinds = [
        FIVE_CLEARS,
        {**FIVE_CLEARS, "members_found": 0, "relationships_note": "", "members_thinking": " "},
        {**FIVE_CLEARS, "owner_attitude": Enterprise.Attitude.UNKNOWN},
        {"enterprise_situation": "贸易公司", "members_found": 4},
        {},
    ]
    dates = [days_ago(9), days_ago(3), days_ago(3), days_ago(1)]
    enterprises = []
    for n in range(24):
        enterprise = EnterpriseFactory(
            building=building, floor=2 + n % 4, room=f"{n:03d}", liaison=[None, *liaisons][n % 3]
        )
        if n % 7 == 6:
            enterprise.status, enterprise.moved_out_on = Enterprise.Status.MOVED_OUT, days_ago(5)
            enterprise.save()
        enterprises.append(enterprise)
        for k in range(n % 4):  # 0 to 3 visits, the later ones of the same or a later day
            VisitFactory(campaign=campaign, enterprise=enterprise, visited_on=dates[k + n % 2], **kinds[(n + k) % 5])
        if n % 5 == 1:
            VisitFactory(campaign=last_year, enterprise=enterprise, visited_on=days_ago(300), **kinds[n % 3])
    elsewhere = EnterpriseFactory(building=BuildingFactory(name="别的大厦"))
    VisitFactory(campaign=campaign, enterprise=elsewhere, **FIVE_CLEARS)  # not through the forms: never counted
    return {"campaign": campaign, "last_year": last_year, "liaisons": liaisons}


def test_the_latest_visit_in_sql_is_the_one_python_picks(survey):
    latest, _counts = latest_visits(SurveyVisit.objects.all())
    assert set(latest_only(SurveyVisit.objects.all()).values_list("pk", flat=True)) == {v.pk for v in latest.values()}
    assert len(latest) < SurveyVisit.objects.count()  # some enterprises were visited more than once


def python_progress(campaign, liaison=None) -> tuple[Tally, dict, dict]:
    """The progress as the pages counted it in Python before: ``(total, {floor: tally}, {enterprise: state})``."""
    enterprises = campaign_enterprises(campaign)
    if liaison is not None:
        enterprises = enterprises.filter(liaison=liaison)
    latest, _counts = latest_visits(SurveyVisit.objects.filter(campaign=campaign))
    total, floors, states = Tally(), {}, {}
    for enterprise in enterprises:
        row = EnterpriseProgress(enterprise, latest.get((campaign.pk, enterprise.pk)))
        states[enterprise.pk] = row.state
        for counted in (total, floors.setdefault(enterprise.floor, Tally())):
            counted.add(
                Tally(
                    total=1,
                    visited=row.latest is not None,
                    complete=row.state == "complete",
                    members_found=(row.latest.members_found or 0) if row.latest else 0,
                )
            )
    return total, floors, states


def numbers(t) -> tuple:
    return (t.total, t.visited, t.complete, t.members_found)


@pytest.mark.parametrize("whose", ["building", "liaison0", "liaison1"])
def test_the_progress_counted_in_sql_equals_the_progress_counted_in_python(survey, whose):
    campaign = survey["campaign"]
    liaison = None if whose == "building" else survey["liaisons"][int(whose[-1])]
    total, floors, states = python_progress(campaign, liaison)
    progress = campaign_progress(campaign, liaison=liaison)
    assert numbers(progress) == numbers(total)
    assert 0 < progress.complete < progress.visited < progress.total
    assert {f.floor: numbers(f) for f in progress.floors} == {floor: numbers(t) for floor, t in floors.items()}
    if liaison is not None:
        assert numbers(liaison_tally(campaign, liaison)) == numbers(total)
    for state in ("complete", "incomplete", "not_visited"):
        in_sql = set(progress_queryset(campaign, liaison=liaison, state=state).values_list("pk", flat=True))
        assert in_sql == {pk for pk, s in states.items() if s == state}, state


def test_the_overview_of_several_campaigns_equals_the_progress_counted_in_python(survey):
    campaigns = [survey["campaign"], survey["last_year"], CampaignFactory(building=BuildingFactory(name="空楼"))]
    overview = campaigns_overview(campaigns)
    for campaign in campaigns:
        assert numbers(overview[campaign.pk]) == numbers(python_progress(campaign)[0])
    assert overview[campaigns[1].pk].visited > 0 and numbers(overview[campaigns[2].pk]) == (0, 0, 0, 0)


# --- the pages show the enterprises a page at a time, in a fixed number of queries ------------------------------


def test_the_campaign_page_lists_the_enterprises_a_page_at_a_time(admin_client, building, monkeypatch):
    monkeypatch.setattr("enterprises.survey.views.ENTERPRISE_PAGE_SIZE", 2)
    campaign = CampaignFactory(building=building)
    enterprises = [EnterpriseFactory(building=building, floor=3, room=f"30{n}") for n in range(5)]
    VisitFactory(campaign=campaign, enterprise=enterprises[3], visited_on=days_ago(2))
    VisitFactory(campaign=campaign, enterprise=enterprises[3], **FIVE_CLEARS)
    url = campaign.get_absolute_url()
    second = admin_client.get(url, {"page": 2})
    rows = list(second.context["page"])
    assert [r.enterprise for r in rows] == enterprises[2:4]
    assert (rows[1].state, rows[1].visit_count, rows[1].latest.visited_on) == ("complete", 2, days_ago(0))
    assert second.context["page"].paginator.count == 5
    assert "page=3" in second.content.decode()
    filtered = admin_client.get(url, {"state": "not_visited", "page": 2})
    assert [r.enterprise for r in filtered.context["page"]] == [enterprises[2], enterprises[4]]


def add_survey_work(campaign, liaison, n: int):
    """``n`` enterprises of the liaison's on three floors: some not visited, some complete, some incomplete, with
    leads and follow-ups past due."""
    for i in range(n):
        enterprise = EnterpriseFactory(building=campaign.building, floor=2 + i % 3, liaison=liaison)
        if i % 3 == 0:
            continue
        visit = VisitFactory(campaign=campaign, enterprise=enterprise, **(FIVE_CLEARS if i % 3 == 1 else {}))
        VisitFactory(campaign=campaign, enterprise=enterprise, visited_on=days_ago(4))
        LeadFactory(visit=visit)
        FollowUpFactory(visit=visit, due_on=days_ago(i % 4))


@pytest.mark.parametrize(
    "persona, page",
    [
        ("liaison_user", "home"),
        ("admin_user", "home"),
        ("secretary_a", "home"),
        ("admin_user", "survey:campaign_list"),
        ("liaison_user", "campaign"),
        ("admin_user", "campaign"),
    ],
)
def test_the_survey_pages_and_panels_run_the_same_queries_at_1x_and_3x_visits(
    request, login_as, building, persona, page, django_assert_max_num_queries, django_assert_num_queries
):
    user, liaison = request.getfixturevalue(persona), request.getfixturevalue("liaison_user")
    campaign = CampaignFactory(building=building)
    client = login_as(user)
    url = campaign.get_absolute_url() if page == "campaign" else reverse(page)
    add_survey_work(campaign, liaison, 12)  # more than a panel shows, already at 1x
    client.get(url)  # warm the session
    with django_assert_max_num_queries(60) as first:
        client.get(url)
    add_survey_work(campaign, liaison, 24)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_a_liaisons_home_shows_the_first_of_their_enterprises_and_links_to_all(login_as, liaison_user, building):
    campaign = CampaignFactory(building=building)
    add_survey_work(campaign, liaison_user, 30)
    response = login_as(liaison_user).get(reverse("home"))
    panels = {p["template"].rsplit("/", 1)[-1]: p for p in response.context["panels"]}
    survey, assigned = panels["liaison.html"], panels["assigned.html"]
    assert len(survey["to_visit"]) == len(survey["incomplete"]) == 8
    # 10 of the 30 not visited, and the liaison's enterprise from the start; 10 visited and incomplete.
    assert (survey["to_visit_more"], survey["incomplete_more"]) == (11 - 8, 10 - 8)
    assert {r.state for r in survey["incomplete"]} == {"incomplete"}
    assert len(list(assigned["enterprises"])) == 8 and (assigned["count"], assigned["more"]) == (31, 23)
    body = response.content.decode()
    assert f"{campaign.get_absolute_url()}?state=incomplete" in body
    assert 'data-testid="assigned-more"' in body and reverse("enterprises:list") in body


@pytest.mark.parametrize("persona", ["admin_user", "liaison0"])
def test_the_campaign_pages_count_comes_from_the_tallies_and_is_the_number_of_enterprises_listed(
    request, survey, login_as, persona
):
    """The page counts its enterprises from the per-floor tallies (no COUNT over the semi-joins): for each state
    and floor that number is what the list holds."""
    campaign = survey["campaign"]
    if persona == "liaison0":
        user = survey["liaisons"][0]
        user.building = campaign.building
        user.save()
    else:
        user = request.getfixturevalue(persona)
    client = login_as(user)
    liaison = user if persona == "liaison0" else None
    for state in ("", "complete", "incomplete", "not_visited"):
        for floor in ("", 2, 3, 9):
            response = client.get(campaign.get_absolute_url(), {"state": state, "floor": floor})
            if response.context["form"].is_valid():
                listed = progress_queryset(campaign, liaison=liaison, state=state)
                listed = listed.filter(floor=floor) if floor != "" else listed
            else:  # a floor not in the building: the form lists every enterprise
                listed = progress_queryset(campaign, liaison=liaison)
            assert response.context["page"].paginator.count == listed.count(), (state, floor)
