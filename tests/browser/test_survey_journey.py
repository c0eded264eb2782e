"""A liaison records a visit on their phone; a secretary turns the member it found into a transfer in.

The survey's whole path: the working group knocks on a door (登门拜访), the five clears are recorded on the
spot, the member whose relationship is elsewhere becomes a lead, and the lead becomes a member of the register.
"""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import Building, PartyOrganization, User
from enterprises.models import Enterprise
from enterprises.survey.models import SurveyCampaign, SurveyLead, SurveyVisit
from members.models import Member, Transfer
from tests.factories import make_id_number

from .conftest import ARTIFACTS, axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"
CAMPAIGN = "2026 年度调查摸底"
PHONE = {"width": 390, "height": 844}
LEAD_NAME = "欧阳明远"


def the_campaign() -> SurveyCampaign:
    """This year's round from the demo seed; created here while the seed does not have it yet."""
    building = Building.objects.get(name="中央大厦")
    campaign = SurveyCampaign.objects.filter(building=building, name=CAMPAIGN).first()
    if campaign is None:
        campaign = SurveyCampaign.objects.create(
            building=building,
            name=CAMPAIGN,
            starts_on=timezone.localdate() - datetime.timedelta(days=30),
            working_group="浒山街道党工委、中央社区、物业公司",
        )
    if campaign.status != SurveyCampaign.Status.ACTIVE:
        SurveyCampaign.objects.filter(pk=campaign.pk).update(status=SurveyCampaign.Status.ACTIVE)
    return campaign


def an_enterprise_to_visit(liaison: User, campaign: SurveyCampaign) -> Enterprise:
    """One of the liaison's enterprises not yet visited in this round (the lowest floor first)."""
    mine = Enterprise.objects.filter(liaison=liaison, status=Enterprise.Status.ACTIVE).order_by("floor", "room", "pk")
    return mine.exclude(visits__campaign=campaign).first()


def stat(page, testid: str) -> int:
    return int(page.get_by_test_id(testid).inner_text().split("/")[0].split()[0])


def test_a_liaison_records_a_visit_on_the_phone_and_a_secretary_transfers_the_member_in(browser, live_server):
    call_command("seed_demo", verbosity=0)
    ARTIFACTS.mkdir(exist_ok=True)
    campaign = the_campaign()
    liaison = User.objects.get(username="liaison1")
    enterprise = an_enterprise_to_visit(liaison, campaign)
    assert enterprise is not None, "liaison1 has an enterprise still to visit"
    id_number = make_id_number(4242, born=datetime.date(1991, 5, 20))
    assert not Member.objects.with_id_numbers(id_number).exists()
    errors = []

    # 1. On the phone: the home page leads to the campaign, which shows how far it has got.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = phone.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.base_url = live_server.url
    sign_in(page, "liaison1", DEMO_PASSWORD)
    panel = page.get_by_test_id("survey-panel")
    assert CAMPAIGN in panel.inner_text()
    panel.get_by_test_id("open-campaign").click()
    page.wait_for_url(f"**{campaign.get_absolute_url()}")
    visited_before, mine_before = (
        stat(page, "stat-visited"),
        int(page.get_by_test_id("my-progress").get_by_test_id("progress-bar").get_attribute("data-visited")),
    )
    page.screenshot(path=str(ARTIFACTS / "survey-campaign-phone-before.png"), full_page=True)

    # 2. Record the visit from the enterprise's row: the five clears, and one member whose relationship is
    #    elsewhere.
    row = page.locator(f"[data-testid=progress-row][data-enterprise='{enterprise.pk}']")
    assert row.get_attribute("data-state") == "not_visited"
    row.get_by_test_id("record-visit").click()
    page.wait_for_url("**/visit/**")
    assert enterprise.name in page.get_by_test_id("visit-enterprise").inner_text()
    assert page.input_value("input[name=visited_on]") == timezone.localdate().isoformat()
    page.fill("input[name=met_with]", "总经理 钱宏")
    page.fill("textarea[name=enterprise_situation]", "跨境电商，员工 16 人，入驻 2 年，业务增长较快")
    page.fill("input[name=members_found]", "1")
    page.fill("textarea[name=relationships_note]", f"{LEAD_NAME}的组织关系在余姚老家村党支部")
    page.fill("textarea[name=members_thinking]", "愿意参加楼宇支部活动，希望把关系转过来")
    page.locator("label[for=id_owner_attitude_0]").click()  # supportive
    page.fill("textarea[name=attitude_note]", "支持员工参加活动")
    page.fill("input[name=leads-0-name]", LEAD_NAME)
    page.fill("input[name=leads-0-phone]", "13812345678")
    page.fill("input[name=leads-0-relationship_location]", "中共余姚市梨洲街道某村委员会")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    page.screenshot(path=str(ARTIFACTS / "survey-visit-form-phone.png"), full_page=True)
    assert axe_violations(page) == []
    page.get_by_test_id("save-visit").click()
    page.wait_for_url("**/enterprises/visits/*/")

    # 3. The visit page checks off all five clears and lists the lead.
    visit = SurveyVisit.objects.get(campaign=campaign, enterprise=enterprise)
    assert visit.is_complete and visit.recorded_by == liaison
    assert page.locator("[data-testid=five-clears] [data-done=true]").count() == 5
    assert LEAD_NAME in page.get_by_test_id("visit-leads").inner_text()
    page.screenshot(path=str(ARTIFACTS / "survey-visit-detail-phone.png"), full_page=True)

    # 4. The campaign's progress went up by one, for the building and for the liaison.
    page.goto(live_server.url + campaign.get_absolute_url())
    assert stat(page, "stat-visited") == visited_before + 1
    mine_after = page.get_by_test_id("my-progress").get_by_test_id("progress-bar").get_attribute("data-visited")
    assert int(mine_after) == mine_before + 1
    row = page.locator(f"[data-testid=progress-row][data-enterprise='{enterprise.pk}']")
    assert row.get_attribute("data-state") == "complete"
    page.screenshot(path=str(ARTIFACTS / "survey-campaign-phone-after.png"), full_page=True)
    assert axe_violations(page) == []
    phone.close()

    # 5. At a desk: secretary1 opens the open leads from the home page and registers the transfer in.
    lead = SurveyLead.objects.get(visit=visit)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.base_url = live_server.url
    sign_in(page, "secretary1", DEMO_PASSWORD)
    page.get_by_test_id("survey-work-panel").get_by_test_id("open-leads").click()
    page.wait_for_url("**/enterprises/leads/**")
    row = page.locator(f"[data-testid=lead-row][data-lead='{lead.pk}']")
    assert row.get_attribute("data-status") == "open"
    page.screenshot(path=str(ARTIFACTS / "survey-lead-list.png"), full_page=True)
    assert axe_violations(page) == []
    row.get_by_test_id("lead-transfer-in").click()
    page.wait_for_url(f"**{reverse('members:lead_transfer_in', args=[lead.pk])}")

    branch = PartyOrganization.objects.get(name=demo.BRANCH_1)
    assert page.input_value("input[name=name]") == LEAD_NAME
    assert page.input_value("input[name=phone]") == "13812345678"
    assert page.input_value("input[name=from_name]") == "中共余姚市梨洲街道某村委员会"
    assert page.input_value("input[name=enterprise]") == str(enterprise.pk)  # the picker holds the chosen id
    assert page.input_value("select[name=organization]") == str(branch.pk)
    page.fill("input[name=letter_number]", "余组转〔2026〕118号")
    page.fill("input[name=issued_on]", (timezone.localdate() - datetime.timedelta(days=3)).isoformat())
    page.fill("input[name=validity_days]", "30")
    page.fill("input[name=dues_paid_until]", timezone.localdate().strftime("%Y-%m"))
    page.fill("input[name=id_number]", id_number)
    page.fill("input[name=joined_on]", "2013-06-01")
    page.fill("input[name=full_member_on]", "2014-06-01")
    page.screenshot(path=str(ARTIFACTS / "survey-lead-transfer-in-form.png"), full_page=True)
    page.get_by_test_id("register-transfer-in").click()
    page.wait_for_url("**/members/transfers/*/")

    member = Member.objects.with_id_numbers(id_number).get()
    assert member.source_lead == lead and member.organization == branch and member.enterprise == enterprise
    assert member.transfers.get().direction == Transfer.Direction.IN
    lead.refresh_from_db()
    assert lead.status == SurveyLead.Status.TRANSFERRED_IN
    page.screenshot(path=str(ARTIFACTS / "survey-transfer-in-done.png"), full_page=True)

    # 6. The new member is in secretary1's register.
    page.goto(live_server.url + reverse("members:list") + f"?q={LEAD_NAME}")
    assert LEAD_NAME in page.locator("main table").inner_text()
    page.screenshot(path=str(ARTIFACTS / "survey-member-in-register.png"), full_page=True)
    desk.close()
    assert errors == []
