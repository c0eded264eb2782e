"""The survey's tallies (the campaign list's overview, a campaign's progress) are kept in the cache under
``buildingparty.data_cache``'s data version: served from there until something is written, counted again on the
next request after a write.

These tests run outside a test transaction (``transaction=True``): writes then commit as they do in production.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EnterpriseFactory

from .factories import FIVE_CLEARS, CampaignFactory, VisitFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_visit_shows_on_the_next_request_of_the_campaign_pages(admin_client, building):
    campaign = CampaignFactory(building=building)
    first, second = (EnterpriseFactory(building=building, floor=2, room=f"20{n}") for n in range(2))
    VisitFactory(campaign=campaign, enterprise=first, **FIVE_CLEARS)

    def numbers():
        # The campaign's numbers from its HTML: a page served from the cache is rendered from no template context.
        html = admin_client.get(campaign.get_absolute_url()).content.decode()
        visited, complete = (int(re.search(rf'data-testid="stat-{n}">(\d+)', html)[1]) for n in ("visited", "complete"))
        listed = admin_client.get(reverse("survey:campaign_list")).context["page"]
        overview = listed.object_list[0].progress
        return (visited, complete, html.count('data-testid="progress-row"')), (overview.visited, overview.total)

    assert numbers() == ((1, 1, 2), (1, 2))
    with CaptureQueriesContext(connection) as cached:
        assert numbers() == ((1, 1, 2), (1, 2))
    assert not [q for q in cached.captured_queries if "COUNT(" in q["sql"] and "survey_surveyvisit" in q["sql"]]

    VisitFactory(campaign=campaign, enterprise=second)  # visited, five clears incomplete
    assert numbers() == ((2, 1, 2), (2, 2))
    EnterpriseFactory(building=building, floor=3)
    assert numbers() == ((2, 1, 3), (2, 3))
