"""A campaign's page is kept whole, as HTML, with its title, by ``buildingparty.data_cache.page_with``: a repeat
request reads no campaign or visit, a write shows on the next request, viewers of different scope (two buildings'
admins, the street, two liaisons) never see each other's content, and the page's style keeps each request's CSP
nonce.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enterprises.survey.models import SurveyCampaign
from tests.factories import BuildingFactory, EnterpriseFactory, UserFactory
from tests.kept import main, signed_in

from .factories import FIVE_CLEARS, CampaignFactory, VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1]


def stat(html: str, name: str) -> int:
    return int(re.search(rf'data-testid="stat-{name}">(\d+)', html)[1])


def test_the_campaign_page_is_kept_and_shows_a_write_at_once(admin_user, building):
    campaign = CampaignFactory(building=building, name="二〇二六年调查摸底")
    first, second = (EnterpriseFactory(building=building, floor=2, name=f"企业{n}") for n in range(2))
    VisitFactory(campaign=campaign, enterprise=first, **FIVE_CLEARS)
    client = signed_in(admin_user)
    url = campaign.get_absolute_url()

    before = client.get(url)
    with CaptureQueriesContext(connection) as again:
        response = client.get(url)
    html = main(response)
    tables = ("survey_surveycampaign", "survey_surveyvisit", "enterprises_enterprise")
    assert not [q for q in again.captured_queries if any(t in q["sql"] for t in tables)]  # from the cache
    assert html == main(before)
    assert "二〇二六年调查摸底" in title(response) and stat(html, "visited") == 1
    assert 'data-testid="record-visit"' in html and 'id="floor-chart-data"' in html
    nonces = [re.search(r'<style nonce="([^"]+)"', r.content.decode())[1] for r in (before, response)]
    assert nonces[0] != nonces[1] and nonces[1] in response["Content-Security-Policy"]

    SurveyCampaign.objects.filter(pk=campaign.pk).update(name="二〇二六年调查摸底（续）")  # no signal, still seen
    response = client.get(url)
    assert "（续）" in title(response) and "（续）" in main(response)
    VisitFactory(campaign=campaign, enterprise=second)
    assert stat(main(client.get(url)), "visited") == 2
    SurveyCampaign.objects.filter(pk=campaign.pk).update(status=SurveyCampaign.Status.CLOSED)
    assert 'data-testid="record-visit"' not in main(client.get(url))  # no visit recorded in a closed campaign


def test_a_campaign_page_never_reaches_another_scope(admin_user, street_user, building):
    campaign = CampaignFactory(building=building)
    EnterpriseFactory(building=building, name="本楼企业")
    url = campaign.get_absolute_url()
    other_admin = UserFactory(username="other_admin", role="admin", building=BuildingFactory(name="别的大厦"))

    mine = main(signed_in(admin_user).get(url))
    assert "本楼企业" in mine and "中央大厦 ·" not in mine
    assert signed_in(other_admin).get(url).status_code == 404  # not served the first admin's page
    street = main(signed_in(street_user).get(url))
    assert "本楼企业" in street and "中央大厦 ·" in street  # the street sees whose building it is
    assert 'data-testid="record-visit"' in mine and 'data-testid="record-visit"' not in street


def test_two_liaisons_each_see_their_own_enterprises(building):
    campaign = CampaignFactory(building=building)
    liaisons = [UserFactory(username=f"liaison{n}", role="liaison", building=building) for n in range(2)]
    for n, liaison in enumerate(liaisons):
        EnterpriseFactory(building=building, name=f"联络企业{n}", liaison=liaison)
    url = campaign.get_absolute_url()

    pages = [main(signed_in(liaison).get(url)) for liaison in liaisons]
    assert "联络企业0" in pages[0] and "联络企业1" not in pages[0]
    assert "联络企业1" in pages[1] and "联络企业0" not in pages[1]
    assert 'data-testid="my-progress"' in pages[1]
