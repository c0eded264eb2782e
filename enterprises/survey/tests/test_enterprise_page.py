"""What the survey adds to an enterprise's page through the registry's sections (enterprises/sections.py): the
visits with their open follow-ups, and the button to record a visit in the campaign under way."""

import datetime

import pytest
from django.urls import reverse

from enterprises import services
from enterprises.models import Enterprise, EnterpriseChange
from enterprises.survey.models import FollowUp, SurveyCampaign, SurveyVisit
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visited(enterprise, admin_user, building):
    campaign = SurveyCampaign.objects.create(
        building=building, name="2026 年度调查摸底", starts_on=datetime.date(2026, 3, 1)
    )
    visit = SurveyVisit.objects.create(
        campaign=campaign,
        enterprise=enterprise,
        visited_on=datetime.date(2026, 3, 10),
        enterprise_situation="电商",
        members_found=0,
        owner_attitude="supportive",
    )
    FollowUp.objects.create(visit=visit, action="送党员公开信", due_on=datetime.date(2026, 4, 1))
    FollowUp.objects.create(
        visit=visit, action="已办结的事", due_on=datetime.date(2026, 3, 20), done_on=datetime.date(2026, 3, 19)
    )
    return visit


def record_visit_url(visit) -> str:
    return reverse("survey:visit_create", args=[visit.campaign.pk, visit.enterprise.pk])


def test_the_page_shows_visits_open_follow_ups_and_the_visit_button(admin_client, visited):
    response = admin_client.get(visited.enterprise.get_absolute_url())
    body = response.content.decode()
    assert reverse("survey:visit_detail", args=[visited.pk]) in body
    assert "送党员公开信" in body and "已办结的事" not in body
    assert record_visit_url(visited) in body
    assert visited.is_complete


def test_no_visit_button_without_an_active_campaign(admin_client, visited):
    SurveyCampaign.objects.update(status="closed")
    body = admin_client.get(visited.enterprise.get_absolute_url()).content.decode()
    assert record_visit_url(visited) not in body
    assert reverse("survey:visit_detail", args=[visited.pk]) in body  # the visits stay


def test_no_visit_button_for_an_enterprise_that_moved_out(admin_client, visited):
    Enterprise.objects.filter(pk=visited.enterprise.pk).update(status=Enterprise.Status.MOVED_OUT)
    body = admin_client.get(visited.enterprise.get_absolute_url()).content.decode()
    assert record_visit_url(visited) not in body


def test_the_contact_sees_the_profile_without_visits_attitude_or_history(login_as, contact_user, visited):
    response = login_as(contact_user).get(visited.enterprise.get_absolute_url())
    body = response.content.decode()
    assert "送党员公开信" not in body and 'data-testid="history"' not in body
    assert 'data-testid="visits"' not in body and record_visit_url(visited) not in body
    assert reverse("enterprises:edit", args=[visited.enterprise.pk]) not in body


def test_the_page_runs_a_fixed_number_of_queries(
    admin_client, visited, admin_user, branch_a, django_assert_max_num_queries
):
    enterprise = visited.enterprise
    MemberFactory(organization=branch_a, enterprise=enterprise)  # a page of members to read (none: no query)
    admin_client.get(enterprise.get_absolute_url())
    with django_assert_max_num_queries(20) as captured:
        admin_client.get(enterprise.get_absolute_url())
    for n in range(10):
        services.record_change(
            enterprise=enterprise, action=EnterpriseChange.Action.UPDATED, by=admin_user, note=str(n)
        )
        MemberFactory(organization=branch_a, enterprise=enterprise)
        visit = SurveyVisit.objects.create(
            campaign=visited.campaign, enterprise=enterprise, visited_on=datetime.date(2026, 3, 11)
        )
        FollowUp.objects.create(visit=visit, action=f"事{n}", due_on=datetime.date(2026, 4, 1), assigned_to=admin_user)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        admin_client.get(enterprise.get_absolute_url())
