"""The survey's rules: when a visit has established the five clears, and how a campaign's progress is counted."""

import pytest
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseChange
from enterprises.survey import services
from enterprises.survey.models import SurveyLead, SurveyVisit
from enterprises.survey.selectors import (
    COMPLETE,
    INCOMPLETE,
    NOT_VISITED,
    campaign_progress,
    campaigns_overview,
    progress_queryset,
    progress_rows,
)
from tests.factories import BuildingFactory, EnterpriseFactory, UserFactory

from .factories import FIVE_CLEARS, CampaignFactory, FollowUpFactory, LeadFactory, VisitFactory, days_ago

pytestmark = pytest.mark.django_db


# --- the five clears ------------------------------------------------------------------------------------------


def a_visit(**fields) -> SurveyVisit:
    """An unsaved visit: the five clears are a rule about one row."""
    return SurveyVisit(**{"enterprise_situation": "", "relationships_note": "", "members_thinking": "", **fields})


def test_a_visit_that_learnt_everything_is_complete():
    visit = a_visit(**FIVE_CLEARS)
    assert visit.five_clears == dict.fromkeys(["situation", "members", "relationships", "thinking", "attitude"], True)
    assert visit.is_complete


def test_an_empty_visit_has_no_clear():
    assert not any(a_visit().five_clears.values())
    assert not a_visit().is_complete


def test_text_of_only_spaces_does_not_make_a_clear():
    visit = a_visit(**{**FIVE_CLEARS, "enterprise_situation": "   \n", "members_thinking": " "})
    assert not visit.five_clears["situation"] and not visit.five_clears["thinking"]
    assert not visit.is_complete


def test_an_enterprise_without_members_has_nothing_to_say_about_relationships_or_thinking():
    visit = a_visit(**{**FIVE_CLEARS, "members_found": 0, "relationships_note": "", "members_thinking": ""})
    assert visit.is_complete


def test_members_found_unknown_leaves_the_member_clears_open():
    visit = a_visit(**{**FIVE_CLEARS, "members_found": None, "relationships_note": "", "members_thinking": ""})
    clears = visit.five_clears
    assert not clears["members"] and not clears["relationships"] and not clears["thinking"]


@pytest.mark.parametrize("attitude", ["", Enterprise.Attitude.UNKNOWN])
def test_an_attitude_not_yet_known_is_not_clear(attitude):
    visit = a_visit(**{**FIVE_CLEARS, "owner_attitude": attitude})
    assert not visit.five_clears["attitude"] and not visit.is_complete


def test_an_opposed_owner_is_still_a_clear_attitude():
    assert a_visit(**{**FIVE_CLEARS, "owner_attitude": Enterprise.Attitude.OPPOSED}).is_complete


# --- progress -------------------------------------------------------------------------------------------------


@pytest.fixture
def campaign(building):
    return CampaignFactory(building=building, name="2026 年度调查摸底")


@pytest.fixture
def five_enterprises(building):
    return [EnterpriseFactory(building=building, floor=floor) for floor in (3, 3, 5, 5, 8)]


def test_progress_counts_visited_and_complete_out_of_the_active_enterprises(campaign, five_enterprises, building):
    a, b, c, _d, _e = five_enterprises
    EnterpriseFactory(building=building, status=Enterprise.Status.MOVED_OUT)  # not to be visited
    EnterpriseFactory(building=BuildingFactory(name="别的大厦"))  # another building
    VisitFactory(campaign=campaign, enterprise=a, **FIVE_CLEARS)
    VisitFactory(campaign=campaign, enterprise=b, enterprise_situation="贸易公司")
    VisitFactory(campaign=campaign, enterprise=c, **{**FIVE_CLEARS, "members_found": 3})
    progress = campaign_progress(campaign)
    assert (progress.total, progress.visited, progress.complete) == (5, 3, 2)
    assert progress.incomplete == 1 and progress.not_visited == 2
    assert progress.members_found == 5
    assert progress.visited_percent == 60 and progress.complete_percent == 40


def test_an_enterprise_visited_twice_counts_once_by_its_latest_visit(campaign, five_enterprises):
    a, b = five_enterprises[:2]
    VisitFactory(campaign=campaign, enterprise=a, visited_on=days_ago(10), enterprise_situation="初访")
    VisitFactory(campaign=campaign, enterprise=a, visited_on=days_ago(2), **FIVE_CLEARS)
    # b was complete, then a later visit found less (the owner's attitude turned unknown): it counts as incomplete.
    VisitFactory(campaign=campaign, enterprise=b, visited_on=days_ago(9), **FIVE_CLEARS)
    VisitFactory(
        campaign=campaign,
        enterprise=b,
        visited_on=days_ago(1),
        **{**FIVE_CLEARS, "owner_attitude": "", "members_found": 4},
    )
    progress = campaign_progress(campaign)
    assert (progress.visited, progress.complete) == (2, 1)
    assert progress.members_found == 2 + 4  # the latest visits' numbers, not the sum of all visits
    rows = {r.enterprise.pk: r for r in progress_rows(campaign, progress_queryset(campaign))}
    assert rows[a.pk].state == COMPLETE and rows[a.pk].visit_count == 2
    assert rows[b.pk].state == INCOMPLETE and rows[b.pk].latest.members_found == 4


def test_two_visits_on_the_same_day_count_by_the_one_recorded_last(campaign, five_enterprises):
    a = five_enterprises[0]
    VisitFactory(campaign=campaign, enterprise=a, **FIVE_CLEARS)
    VisitFactory(campaign=campaign, enterprise=a, enterprise_situation="补充")
    assert campaign_progress(campaign).complete == 0


def test_visits_of_another_campaign_do_not_count(campaign, five_enterprises, building):
    last_year = CampaignFactory(building=building, name="2025 年度调查摸底")
    VisitFactory(campaign=last_year, enterprise=five_enterprises[0], **FIVE_CLEARS)
    progress = campaign_progress(campaign)
    assert (progress.visited, progress.complete) == (0, 0)
    assert campaigns_overview([campaign, last_year])[last_year.pk].complete == 1


def test_progress_counts_open_leads_and_follow_ups_due_and_overdue(campaign, five_enterprises):
    visit = VisitFactory(campaign=campaign, enterprise=five_enterprises[0], **FIVE_CLEARS)
    LeadFactory(visit=visit)
    LeadFactory(visit=visit)
    LeadFactory(visit=visit, status=SurveyLead.Status.CLOSED, close_reason="已离职")
    FollowUpFactory(visit=visit, due_on=days_ago(-3))
    FollowUpFactory(visit=visit, due_on=timezone.localdate())  # due today is not overdue yet
    FollowUpFactory(visit=visit, due_on=days_ago(1))
    FollowUpFactory(visit=visit, due_on=days_ago(5), done_on=days_ago(4), outcome="已送达")
    progress = campaign_progress(campaign)
    assert progress.leads_open == 2
    assert (progress.follow_ups_due, progress.follow_ups_overdue) == (2, 1)


def test_the_per_floor_breakdown_adds_up_to_the_building(campaign, five_enterprises):
    a, _b, c, _d, e = five_enterprises
    VisitFactory(campaign=campaign, enterprise=a, **FIVE_CLEARS)
    VisitFactory(campaign=campaign, enterprise=c)
    VisitFactory(campaign=campaign, enterprise=e, **FIVE_CLEARS)
    floors = {f.floor: (f.total, f.visited, f.complete) for f in campaign_progress(campaign).floors}
    assert floors == {3: (2, 1, 1), 5: (2, 1, 0), 8: (1, 1, 1)}
    chart = campaign_progress(campaign).chart_data()
    assert chart["floors"] == [3, 5, 8] and chart["not_visited"] == [1, 1, 0] and chart["incomplete"] == [0, 1, 0]


def test_a_liaisons_progress_covers_their_enterprises_only(campaign, five_enterprises, building):
    liaison = UserFactory(username="liaison_x", role="liaison", building=building)
    mine = five_enterprises[:2]
    for n, e in enumerate(mine, start=1):
        e.liaison, e.room = liaison, f"30{n}"  # rows go by floor and room; the factory's rooms may sort either way
        e.save(update_fields=["liaison", "room"])
    VisitFactory(campaign=campaign, enterprise=mine[0], **FIVE_CLEARS)
    LeadFactory(visit=VisitFactory(campaign=campaign, enterprise=five_enterprises[3]))  # not theirs
    progress = campaign_progress(campaign, liaison=liaison)
    assert (progress.total, progress.visited, progress.complete, progress.leads_open) == (2, 1, 1, 0)
    rows = progress_rows(campaign, progress_queryset(campaign, liaison=liaison))
    assert [r.state for r in rows] == [COMPLETE, NOT_VISITED]


def test_the_list_overview_agrees_with_the_campaign_page(campaign, five_enterprises):
    a, b, c = five_enterprises[:3]
    VisitFactory(campaign=campaign, enterprise=a, visited_on=days_ago(3))
    VisitFactory(campaign=campaign, enterprise=a, **FIVE_CLEARS)
    VisitFactory(campaign=campaign, enterprise=b, **FIVE_CLEARS)
    VisitFactory(campaign=campaign, enterprise=c)
    detail, overview = campaign_progress(campaign), campaigns_overview([campaign])[campaign.pk]
    assert (
        (overview.total, overview.visited, overview.complete, overview.members_found)
        == (
            detail.total,
            detail.visited,
            detail.complete,
            detail.members_found,
        )
        == (5, 3, 2, 4)
    )


def test_an_empty_building_shows_zero_percent_not_an_error(db):
    campaign = CampaignFactory(building=BuildingFactory(name="空楼"))
    progress = campaign_progress(campaign)
    assert (progress.total, progress.visited_percent, progress.complete_percent) == (0, 0, 0)


# --- recording a visit ----------------------------------------------------------------------------------------


def test_the_attitude_found_becomes_the_enterprises_attitude_with_history(campaign, five_enterprises, admin_user):
    enterprise = five_enterprises[0]
    visit = SurveyVisit(campaign=campaign, enterprise=enterprise, visited_on=timezone.localdate(), **FIVE_CLEARS)
    services.visit_record(visit=visit, by=admin_user)
    enterprise.refresh_from_db()
    assert enterprise.attitude == Enterprise.Attitude.SUPPORTIVE
    entry = enterprise.changes.get()
    assert entry.action == EnterpriseChange.Action.UPDATED and entry.changed_by == admin_user
    assert entry.changes["attitude"] == [Enterprise.Attitude.UNKNOWN, Enterprise.Attitude.SUPPORTIVE]
    assert visit.recorded_by == admin_user


def test_an_attitude_not_found_leaves_the_enterprise_as_it_was(campaign, five_enterprises, admin_user):
    enterprise = five_enterprises[0]
    Enterprise.objects.filter(pk=enterprise.pk).update(attitude=Enterprise.Attitude.NEUTRAL)
    visit = SurveyVisit(
        campaign=campaign, enterprise=enterprise, visited_on=timezone.localdate(), owner_attitude="unknown"
    )
    services.visit_record(visit=visit, by=admin_user)
    enterprise.refresh_from_db()
    assert enterprise.attitude == Enterprise.Attitude.NEUTRAL and not enterprise.changes.exists()
