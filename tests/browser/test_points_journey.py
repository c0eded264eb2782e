"""member1 claims points for an honour with a certificate attached; her branch secretary checks the evidence and
approves; member1 sees her total go up on her points page and on the leaderboard."""

import pytest
from django.core.management import call_command

from buildingparty.models import Notification, User
from members.points import selectors as points_selectors
from members.points.models import PointEntry

from .conftest import axe_violations, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"
WHAT_FOR = "获评慈溪市“最美楼宇党员”（浏览器测试）"
PDF = b"%PDF-1.4\n1 0 obj<</Type /Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def total_shown(page) -> int:
    return int(page.get_by_test_id("points-total").inner_text())


def test_a_member_claims_points_her_secretary_approves_and_her_total_goes_up(page):
    call_command("seed_demo", verbosity=0)
    member1 = User.objects.get(username="member1")
    year = points_selectors.current_year()
    expected_before = points_selectors.member_ledger(member1.member, year).total

    # 1. member1 opens her points and claims, with the certificate as a PDF.
    sign_in(page, "member1", DEMO_PASSWORD)
    page.goto(page.base_url + "/members/points/")
    assert "我的积分" in page.locator("h1").inner_text()
    before = total_shown(page)
    assert before == expected_before
    assert axe_violations(page) == []
    page.get_by_test_id("claim-points").click()
    page.wait_for_url("**/members/points/claim/")
    page.select_option("select[name=rule]", label="获得表彰奖励（申报）（+5，每年最多20分）")
    page.fill("textarea[name=note]", WHAT_FOR)
    page.set_input_files(
        "input[name=evidence]", files=[{"name": "荣誉证书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("[data-testid=claim-form] button[type=submit]").click()
    page.wait_for_url("**/members/points/?year=*")
    assert WHAT_FOR in page.get_by_test_id("pending-claims").inner_text()
    assert total_shown(page) == before  # waiting: not counted yet
    entry = PointEntry.objects.get(note=WHAT_FOR)
    assert entry.status == PointEntry.Status.PENDING
    assert page.console_errors == []
    sign_out(page)

    # 2. secretary1 is told, sees the claim on her home page, checks the evidence and approves.
    secretary1 = User.objects.get(username="secretary1")
    assert Notification.objects.filter(user=secretary1, event="points_claim_submitted").exists()
    sign_in(page, "secretary1", DEMO_PASSWORD)
    assert page.get_by_test_id("claims-panel").is_visible()
    page.goto(page.base_url + "/members/points/claims/")
    card = page.locator(f"[data-claim='{entry.pk}']")
    assert WHAT_FOR in card.inner_text()
    evidence_url = page.base_url + card.get_by_test_id("evidence-link").get_attribute("href")
    download = page.context.request.get(evidence_url)
    assert download.status == 200 and download.body() == PDF
    assert axe_violations(page) == []
    card.locator("button[value=approve]").click()
    page.wait_for_load_state()
    assert page.locator(f"[data-claim='{entry.pk}']").count() == 0
    entry.refresh_from_db()
    assert (entry.status, entry.points, entry.decided_by) == (PointEntry.Status.APPROVED, 5, secretary1)
    assert page.console_errors == []
    sign_out(page)

    # 3. member1 is told and sees her total up by five, the entry in her ledger, and herself on the board.
    assert Notification.objects.filter(user=member1, dedupe_key=f"points-claim-decided:{entry.pk}").count() == 1
    sign_in(page, "member1", DEMO_PASSWORD)
    assert int(page.get_by_test_id("panel-points-total").inner_text()) == before + 5
    page.goto(page.base_url + "/members/points/")
    assert total_shown(page) == before + 5
    assert WHAT_FOR in page.get_by_test_id("entry-table").inner_text()
    page.goto(page.base_url + "/members/points/board/")
    mine = page.locator("[data-testid=board-table] tr[data-mine]")
    assert mine.count() == 1 and str(before + 5) in mine.inner_text()
    assert page.locator("#points-chart").is_visible()
    assert page.console_errors == []

    # 4. Another branch's secretary cannot open the evidence.
    sign_out(page)
    sign_in(page, "secretary2", DEMO_PASSWORD)
    assert page.context.request.get(evidence_url).status == 404
