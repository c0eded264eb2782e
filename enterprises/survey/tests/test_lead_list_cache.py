"""The survey leads' list is kept whole, as HTML, by ``buildingparty.data_cache.page``: a repeat request reads no
lead, a write shows on the next request, viewers of different scope (two buildings' admins, a liaison) never see
each other's content, and the kept close forms get each request's own CSRF token.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buildingparty import data_cache
from enterprises.survey.models import SurveyLead
from tests.factories import BuildingFactory, EnterpriseFactory, UserFactory
from tests.kept import main, queries_on, signed_in

from .factories import CampaignFactory, LeadFactory, VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

URL = "/enterprises/leads/"


def lead_in(building, name, **visit):
    campaign = CampaignFactory(building=building)
    return LeadFactory(visit=VisitFactory(campaign=campaign, **visit), name=name, relationship_location="某社区")


def test_the_lead_list_is_kept_and_shows_a_write_at_once(admin_user, building):
    lead = lead_in(building, "赵立群", enterprise=EnterpriseFactory(building=building))
    client = signed_in(admin_user)
    first = main(client.get(URL))
    with CaptureQueriesContext(connection) as again:
        second = main(client.get(URL))
    assert "赵立群" in second and 'data-testid="lead-close-form"' in second
    assert not queries_on(again, "survey_surveylead")  # from the cache
    assert data_cache.CSRF_PLACEHOLDER not in second  # the close form has this request's token
    assert first.split('name="csrfmiddlewaretoken"')[0] == second.split('name="csrfmiddlewaretoken"')[0]

    SurveyLead.objects.filter(pk=lead.pk).update(name="钱立群")  # update(): no signal, still seen
    assert "钱立群" in main(client.get(URL))
    lead_in(building, "孙小梅", enterprise=EnterpriseFactory(building=building))
    assert "孙小梅" in main(client.get(URL))


def test_the_leads_of_one_building_or_liaison_never_reach_another(admin_user, building, liaison_user, enterprise):
    lead_in(building, "赵立群", enterprise=enterprise)  # of the liaison's enterprise
    lead_in(building, "孙小梅", enterprise=EnterpriseFactory(building=building))
    other = BuildingFactory(name="别的大厦")
    lead_in(other, "李外楼", enterprise=EnterpriseFactory(building=other))
    other_admin = UserFactory(username="other_admin", role="admin", building=other)

    mine = main(signed_in(admin_user).get(URL))
    assert "赵立群" in mine and "孙小梅" in mine and "李外楼" not in mine
    theirs = main(signed_in(other_admin).get(URL))
    assert "李外楼" in theirs and "赵立群" not in theirs
    liaison = main(signed_in(liaison_user).get(URL))
    assert "赵立群" in liaison and "孙小梅" not in liaison and 'data-testid="lead-close-form"' not in liaison
