"""secretary1 plans a 支部党员大会; member1 asks for leave on her phone; another member checks in on hers with the QR
link; secretary1 approves the leave, records attendance and minutes; the quorum shows; the compliance page turns
the quarter green for her branch, while a branch that held none last quarter stays red with the meeting named; the
street viewer reads the same grid and can plan nothing."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.meetings import compliance
from activities.meetings.models import Attendance, Meeting
from buildingparty import demo
from buildingparty.models import PartyOrganization, User
from members.models import Member

from .conftest import axe_violations, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"
PHONE = {"width": 390, "height": 844}
TOPIC = "学习贯彻党的二十届四中全会精神（浏览器测试）"


def phone_page(browser, base_url):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = base_url
    return context, page


def quarter_cell(page, organization, quarter):
    return page.locator(
        f"[data-section='quarter'] tr[data-organization='{organization.pk}'] td[data-period='quarter-{quarter}']"
    )


def test_a_branch_general_meeting_from_planning_to_the_compliance_grid(page, browser, live_server):
    call_command("seed_demo", verbosity=0)
    branch = PartyOrganization.objects.get(name=demo.BRANCH_1)
    today = timezone.localdate()
    quarter = compliance.quarter_of(today.month)
    # Another member of the branch gets an account, to check in on her own phone.
    checker = (
        Member.objects.active()
        .filter(organization=branch, user__isnull=True, category=Member.Category.FULL)
        .order_by("pk")
        .first()
    )
    checker.user = User.objects.create_user(
        "checker1", password=DEMO_PASSWORD, role="member", building=branch.building, name=checker.name
    )
    checker.save(update_fields=["user"])

    # 1. secretary1 sees her branch's quarter still open (the demo's 支部党员大会 is only planned) and plans one now.
    sign_in(page, "secretary1", DEMO_PASSWORD)
    page.goto(page.base_url + "/activities/meetings/compliance/")
    assert quarter_cell(page, branch, quarter).get_attribute("data-state") == "amber"
    page.goto(page.base_url + "/activities/meetings/new/")
    starts = timezone.localtime() + datetime.timedelta(minutes=10)
    page.select_option("select[name=kind]", "general_meeting")
    page.select_option("select[name=organization]", str(branch.pk))
    page.fill("input[name=topic]", TOPIC)
    page.fill("input[name=day]", starts.strftime("%Y-%m-%d"))
    page.fill("input[name=starts_at]", starts.strftime("%H:%M"))
    page.fill("input[name=host]", "第一党支部书记")
    page.fill("input[name=recorder]", "组织委员")
    page.locator("[data-testid=meeting-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/activities/meetings/\d+/$"))
    meeting = Meeting.objects.get(topic=TOPIC)
    assert page.get_by_test_id("meeting-topic").inner_text() == TOPIC
    assert meeting.status == Meeting.Status.PLANNED and meeting.attendances.count() > 3
    assert page.console_errors == []

    # 2. member1, on her phone, asks for leave before the meeting starts.
    context, phone = phone_page(browser, live_server.url)
    sign_in(phone, "member1", DEMO_PASSWORD)
    phone.goto(phone.base_url + f"/activities/meetings/{meeting.pk}/")
    phone.get_by_test_id("ask-leave").click()
    phone.fill("textarea[name=reason]", "外出参加企业年度客户会，无法到会")
    phone.locator("[data-testid=leave-form] button[type=submit]").click()
    phone.wait_for_url("**/activities/meetings/mine/")
    assert "待批" in phone.get_by_test_id("upcoming").inner_text()
    assert axe_violations(phone) == []
    context.close()
    member1 = User.objects.get(username="member1").member
    assert Attendance.objects.get(meeting=meeting, member=member1).leave == Attendance.Leave.REQUESTED

    # 3. secretary1 shows the check-in code; another member scans it with her phone and checks in.
    page.goto(page.base_url + f"/activities/meetings/{meeting.pk}/")
    page.get_by_test_id("qr-link").click()
    assert page.get_by_test_id("qr-image").is_visible()
    checkin_path = re.sub(r"^https?://[^/]+", "", page.get_by_test_id("checkin-url").inner_text().strip())
    assert checkin_path.startswith("/activities/meetings/checkin/")
    context, phone = phone_page(browser, live_server.url)
    sign_in(phone, "checker1", DEMO_PASSWORD)
    phone.goto(phone.base_url + checkin_path)
    phone.locator("[data-testid=checkin-form] button[type=submit]").click()
    assert phone.get_by_test_id("checkin-done").is_visible()
    context.close()
    qr_row = Attendance.objects.get(meeting=meeting, member=checker)
    assert qr_row.status == Attendance.Status.PRESENT and qr_row.method == Attendance.Method.QR

    # 4. secretary1 approves member1's leave.
    page.goto(page.base_url + f"/activities/meetings/{meeting.pk}/")
    page.locator("[data-testid=leave-requests] button[value=approve]").first.click()
    page.wait_for_load_state()
    assert Attendance.objects.get(meeting=meeting, member=member1).leave == Attendance.Leave.APPROVED

    # 5. The meeting has begun (a quarter of an hour later): secretary1 records attendance, everyone else present
    #    but one, and then the minutes.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=15))
    page.goto(page.base_url + f"/activities/meetings/{meeting.pk}/attendance/")
    rows = page.locator("[data-testid=attendance-form] tr[data-attendance]")
    absent_pk = None
    for i in range(rows.count()):
        row = rows.nth(i)
        pk = int(row.get_attribute("data-attendance"))
        if pk == qr_row.pk or row.locator("input[value=leave]").is_checked():
            continue
        if absent_pk is None:
            absent_pk = pk
            row.locator("input[value=absent]").check()
        else:
            row.locator("input[value=present]").check()
    page.locator("[data-testid=attendance-form] button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/activities/meetings/{meeting.pk}/$"))
    page.get_by_test_id("hold-link").click()
    page.fill("textarea[name=minutes]", "书记传达全会精神，党员交流学习体会，讨论支部下季度工作安排。")
    page.fill("textarea[name=resolutions]", "通过支部下季度工作计划。")
    page.locator("[data-testid=hold-form] button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/activities/meetings/{meeting.pk}/$"))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert Attendance.objects.get(pk=absent_pk).status == Attendance.Status.ABSENT

    # 6. The quorum shows: more than half of the members with a vote were there.
    quorum = page.get_by_test_id("quorum-line").inner_text()
    voting = meeting.attendances.filter(is_voting=True).count()
    present = meeting.attendances.filter(is_voting=True, status=Attendance.Status.PRESENT).count()
    assert f"{voting}" in quorum and f"{present}" in quorum and "超过半数" in quorum
    assert page.get_by_test_id("no-quorum-warning").count() == 0
    assert axe_violations(page) == []

    # 7. The compliance page: her branch's quarter is green; the joint branch that held no 支部党员大会 last
    #    quarter is red with the meeting named; secretary1 sees only her own branch.
    page.goto(page.base_url + "/activities/meetings/compliance/")
    assert quarter_cell(page, branch, quarter).get_attribute("data-state") == "green"
    behind = PartyOrganization.objects.get(name=demo.SOCIAL_ORG_BRANCH)
    assert page.locator(f"tr[data-organization='{behind.pk}']").count() == 0
    assert page.console_errors == []
    sign_out(page)

    # 8. The street viewer reads the same grid, read-only: the red cell names the meeting and offers no plan link.
    sign_in(page, "street1", DEMO_PASSWORD)
    page.goto(page.base_url + f"/activities/meetings/compliance/?building={branch.building_id}")
    assert quarter_cell(page, branch, quarter).get_attribute("data-state") == "green"
    if quarter == 1:  # last quarter was last year's fourth
        page.goto(
            page.base_url + f"/activities/meetings/compliance/?building={branch.building_id}&year={today.year - 1}"
        )
    previous = quarter_cell(page, behind, quarter - 1 or 4)
    assert previous.get_attribute("data-state") == "red"
    assert "支部党员大会" in previous.get_by_test_id("missing").inner_text()
    assert page.locator("[data-plan]").count() == 0
    assert page.get_by_test_id("settings-link").count() == 0
    assert axe_violations(page) == []
    assert page.console_errors == []
