"""Issue 13, done when: secretary1 publishes a volunteer activity with one place; member1 signs up on her phone,
another member lands on the waiting list and moves up (and is told) when member1 withdraws; the admin fills a
duty week with 一键排班, prints one A4 page per team, and approves member1's swap; secretary1 records a home visit
with a follow-up date; the admin pins a notice that member1 reads on her phone and sees her among the readers; an
overlapping booking of the 党支部活动室 is refused with the booking in the way named and nothing saved."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.duty import selectors as duty_selectors
from activities.duty.models import Assignment, DutyShift, DutyTeam, SwapRequest
from activities.notices.models import Notice, NoticeRead
from activities.rooms.models import Room, RoomBooking
from activities.visits.models import HomeVisit
from activities.volunteering.models import Activity, Signup
from buildingparty import demo
from buildingparty.models import Notification, PartyOrganization, User
from members.models import Member

from .conftest import axe_violations, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"
PHONE = {"width": 390, "height": 844}
ACTIVITY_TITLE = "大厦南广场便民义诊（浏览器测试）"
NOTICE_TITLE = "关于本周五下午消防演练的通知（浏览器测试）"
BOOKING_TITLE = "第一党支部支委会（浏览器测试）"


def phone_page(browser, base_url):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    page.base_url = base_url
    return context, page


def alerts(page) -> str:
    return " ".join(page.locator("main [role=alert]").all_inner_texts())


def submit(page, form_testid):
    page.locator(f"[data-testid={form_testid}] button[type=submit]").first.click()
    page.wait_for_load_state()


def free_evening(room: Room, today: datetime.date) -> datetime.date:
    """A day ahead when the room is free from 18:00 to 21:00 (the demo books it on some days)."""
    for days in range(14, 90):
        day = today + datetime.timedelta(days=days)
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(18)))
        end = timezone.make_aware(datetime.datetime.combine(day, datetime.time(21)))
        if not RoomBooking.objects.filter(room=room, starts_at__lt=end, ends_at__gt=start).exists():
            return day
    raise AssertionError("no free evening for the room")


def test_volunteering_duty_visits_notices_and_rooms_in_the_browser(page, browser, live_server):
    call_command("seed_demo", verbosity=0)
    branch = PartyOrganization.objects.get(name=demo.BRANCH_1)
    building = branch.building
    today = timezone.localdate()
    member1_user = User.objects.get(username="member1")
    member1 = member1_user.member
    # Another member of the building gets an account, to sign up on her own phone.
    other = (
        Member.objects.active()
        .filter(organization__building=building, user__isnull=True, category=Member.Category.FULL)
        .exclude(pk=member1.pk)
        .order_by("pk")
        .first()
    )
    other.user = User.objects.create_user(
        "volunteer2", password=DEMO_PASSWORD, role="member", building=building, name=other.name
    )
    other.save(update_fields=["user"])
    all_errors = []

    # 1. secretary1 drafts a volunteer activity with one place for next week and publishes it.
    sign_in(page, "secretary1", DEMO_PASSWORD)
    page.goto(page.base_url + "/activities/volunteering/")
    page.get_by_test_id("create-activity").click()
    page.wait_for_url("**/activities/volunteering/new/")
    day = today + datetime.timedelta(days=7)
    page.fill("input[name=title]", ACTIVITY_TITLE)
    page.select_option("select[name=kind]", Activity.Kind.SERVICE.value)
    page.select_option("select[name=organizer]", str(branch.pk))
    page.fill("input[name=day]", day.isoformat())
    page.fill("input[name=starts_at]", "10:00")
    page.fill("input[name=ends_at]", "11:30")
    page.fill("input[name=place]", "大厦南广场")
    page.fill("input[name=capacity]", "1")
    page.fill("textarea[name=description]", "为大厦职工量血压、测血糖，请穿志愿者马甲。")
    submit(page, "activity-form")
    page.wait_for_url(re.compile(r".*/activities/volunteering/\d+/$"))
    activity = Activity.objects.get(title=ACTIVITY_TITLE)
    assert activity.status == Activity.Status.DRAFT and activity.capacity == 1 and activity.organizer == branch
    assert page.get_by_test_id("draft-note").is_visible()
    submit(page, "publish-form")
    assert "活动已开放报名" in alerts(page)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    assert page.get_by_test_id("draft-note").count() == 0
    assert "0 / 1" in page.get_by_test_id("places").inner_text()
    all_errors += page.console_errors

    # 5. secretary1 records a home visit to a member of her branch, with a follow-up in two weeks.
    visited = Member.objects.active().filter(organization=branch).exclude(pk=member1.pk).order_by("pk").first()
    page.goto(page.base_url + "/activities/visits/")
    page.get_by_test_id("new-visit").click()
    page.fill("[data-testid=visit-pick] input[name=q]", visited.name)
    page.locator("[data-testid=visit-pick] button[type=submit]").click()
    page.wait_for_load_state()
    page.get_by_test_id("pick-results").get_by_role("link", name=visited.name).first.click()
    page.wait_for_load_state()
    follow_up = today + datetime.timedelta(days=14)
    page.get_by_label("问一问").check()
    page.fill("textarea[name=found]", "母亲住院，本人工作和家庭两头跑，情绪尚好。")
    page.fill("input[name=follow_up_on]", follow_up.isoformat())
    submit(page, "visit-form")
    visit = HomeVisit.objects.filter(member=visited).latest("pk")
    assert page.url.endswith(f"/activities/visits/{visit.pk}/")
    assert visit.follow_up_on == follow_up and visit.recorded_by.username == "secretary1"
    assert visit.kind == HomeVisit.Kind.ENQUIRE
    assert "母亲住院" in page.get_by_test_id("visit-notes").inner_text()
    assert follow_up.strftime("%Y-%m-%d") in page.get_by_test_id("visit-follow-up").inner_text()
    all_errors += page.console_errors
    sign_out(page)

    # 2. member1 signs up on her phone: the one place is hers.
    m1_context, m1 = phone_page(browser, live_server.url)
    sign_in(m1, "member1", DEMO_PASSWORD)
    m1.goto(m1.base_url + f"/activities/volunteering/{activity.pk}/")
    assert m1.get_by_test_id("activity-title").inner_text() == ACTIVITY_TITLE
    assert axe_violations(m1) == []
    submit(m1, "signup-form")
    assert "报名成功" in alerts(m1)
    assert m1.locator("[data-testid=own-signup] [data-own=signed_up]").inner_text() == "已报名"
    assert "1 / 1" in m1.get_by_test_id("places").inner_text()
    assert axe_violations(m1) == []
    own = Signup.objects.get(activity=activity, member=member1)
    assert own.status == Signup.Status.SIGNED_UP

    # 3. The other member signs up on her phone: full, she is number 1 on the waiting list.
    o_context, o = phone_page(browser, live_server.url)
    sign_in(o, "volunteer2", DEMO_PASSWORD)
    o.goto(o.base_url + f"/activities/volunteering/{activity.pk}/")
    join = o.locator("[data-testid=signup-form] button[type=submit]")
    assert join.inner_text().strip() == "报名候补"
    join.click()
    o.wait_for_load_state()
    assert "候补第 1 位" in o.locator("[data-testid=own-signup] [data-own=waiting]").inner_text()
    assert "您在候补名单第 1 位" in o.get_by_test_id("waiting-position").inner_text()
    waiting = Signup.objects.get(activity=activity, member=other)
    assert waiting.status == Signup.Status.WAITING and waiting.position == 1

    #    member1 withdraws on her phone; the other member moves up at once and is told.
    submit(m1, "withdraw-form")
    assert "已取消报名" in alerts(m1)
    assert m1.locator("[data-testid=own-signup] [data-own]").count() == 0
    assert m1.get_by_test_id("signup-form").is_visible()
    own.refresh_from_db()
    waiting.refresh_from_db()
    assert own.status == Signup.Status.WITHDRAWN
    assert waiting.status == Signup.Status.SIGNED_UP and waiting.position is None
    assert Notification.objects.filter(user=other.user, event="volunteering_promoted", url__endswith=f"/{activity.pk}/")
    o.reload()
    assert o.locator("[data-testid=own-signup] [data-own=signed_up]").inner_text() == "已报名"
    assert o.get_by_test_id("waiting-position").count() == 0
    assert "1 / 1" in o.get_by_test_id("places").inner_text()
    all_errors += o.console_errors
    o_context.close()

    # 4. The admin fills a week of the 普法队 (member1 leads it) a month and more ahead: a shift, then 一键排班.
    team = DutyTeam.objects.get(building=building, kind=DutyTeam.Kind.LEGAL)
    monday = duty_selectors.monday_of(today + datetime.timedelta(days=40))
    week = duty_selectors.week_label(monday)
    wednesday = monday + datetime.timedelta(days=2)
    assert not DutyShift.objects.filter(team=team, starts_at__date__gte=monday).exists()
    sign_in(page, "admin", DEMO_PASSWORD)
    page.goto(page.base_url + f"/activities/duty/teams/{team.pk}/roster/?week={week}")
    page.get_by_test_id("add-shift").click()
    page.wait_for_load_state()
    page.fill("[data-testid=shift-form] input[name=day]", wednesday.isoformat())
    page.fill("[data-testid=shift-form] input[name=start]", "12:00")
    page.fill("[data-testid=shift-form] input[name=end]", "13:30")
    page.fill("[data-testid=shift-form] input[name=post]", "一楼大堂普法咨询台")
    page.fill("[data-testid=shift-form] input[name=needed]", "2")
    submit(page, "shift-form")
    shift = DutyShift.objects.get(team=team, starts_at__date=wednesday)
    assert shift.needed == 2 and not shift.assignments.exists()
    page.get_by_test_id("fill-week").click()
    page.wait_for_url(f"**/activities/duty/teams/{team.pk}/fill/?week={week}")
    assert "一键排班" in page.locator("h1").inner_text()
    assert "2" in page.get_by_test_id("fill-summary").inner_text()
    row = page.locator(f"[data-testid=fill-form] fieldset[data-shift='{shift.pk}']")
    proposed = [box.get_attribute("value") for box in row.locator("input[type=checkbox]:checked").all()]
    assert len(proposed) == 2
    # The leader's review: member1 takes one of the two places on the proposal.
    leader_pk = str(team.leader_id)
    assert team.leader.member_id == member1.pk
    if leader_pk not in proposed:
        row.locator(f"input[value='{proposed[-1]}']").uncheck()
        row.locator(f"input[value='{leader_pk}']").check()
    page.get_by_test_id("fill-save").click()
    page.wait_for_url(f"**/activities/duty/teams/{team.pk}/roster/?week={week}")
    assert "已保存 2 人次" in alerts(page)
    assert shift.assignments.count() == 2
    mine = shift.assignments.get(team_member_id=team.leader_id)
    assert member1.name in page.get_by_test_id("roster").inner_text()
    assert axe_violations(page) == []

    #    The printout: one A4 page per team of the building.
    teams = DutyTeam.objects.filter(building=building).count()
    page.goto(page.base_url + f"/activities/duty/print/?week={week}")
    sheets = page.get_by_test_id("print-page")
    assert teams == 5 and sheets.count() == teams
    assert sheets.first.evaluate("e => getComputedStyle(e).breakAfter") == "page"
    assert sheets.last.evaluate("e => getComputedStyle(e).breakAfter") == "auto"
    assert member1.name in page.locator(f"[data-testid=print-page][data-team='{team.pk}']").inner_text()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == teams
    a4 = rb"/MediaBox\s*\[\s*0 0 59[45](?:\.\d+)? 84[12](?:\.\d+)?\s*\]"  # 210 x 297 mm in points
    assert len(re.findall(a4, pdf)) == teams, re.findall(rb"/MediaBox[^\]]*\]", pdf)[:2]
    all_errors += page.console_errors

    #    member1 asks on her phone to hand the shift to a colleague not on it; the admin approves.
    colleague = duty_selectors.active_people(team).exclude(pk__in=shift.assignments.values("team_member")).first()
    m1.goto(m1.base_url + "/activities/duty/mine/")
    m1.locator(f"[data-testid=upcoming] a[href$='/assignments/{mine.pk}/swap/']").click()
    m1.wait_for_load_state()
    assert "一楼大堂普法咨询台" in m1.get_by_test_id("swap-shift").inner_text()
    m1.select_option("[data-testid=swap-form] select[name=to_member]", str(colleague.pk))
    m1.fill("[data-testid=swap-form] input[name=reason]", "当天要去宁波参加律师协会培训")
    submit(m1, "swap-form")
    m1.wait_for_url("**/activities/duty/mine/")
    swap = SwapRequest.objects.get(assignment=mine)
    assert swap.status == SwapRequest.Status.REQUESTED and swap.to_member == colleague
    page.goto(page.base_url + f"/activities/duty/teams/{team.pk}/")
    page.locator(f"[data-testid=waiting-swaps] li[data-swap='{swap.pk}'] [data-testid=approve-swap]").click()
    page.wait_for_load_state()
    assert "已同意换班" in alerts(page) and colleague.display_name in alerts(page)
    swap.refresh_from_db()
    mine.refresh_from_db()
    assert swap.status == SwapRequest.Status.APPROVED and mine.team_member == colleague
    assert not Assignment.objects.filter(shift=shift, team_member_id=team.leader_id).exists()

    # 6. The admin writes a notice for the whole building and pins it.
    page.goto(page.base_url + "/activities/notices/")
    page.get_by_test_id("new-notice").click()
    page.wait_for_load_state()
    page.check(f"[data-testid=notice-form] input[name=kind][value={Notice.Kind.NOTICE.value}]")
    page.fill("[data-testid=notice-form] input[name=title]", NOTICE_TITLE)
    page.fill("[data-testid=notice-form] textarea[name=body]", "本周五14:00全楼消防演练，请各企业提前安排。")
    submit(page, "notice-form")
    notice = Notice.objects.get(title=NOTICE_TITLE)
    assert page.url.endswith(f"/activities/notices/{notice.pk}/") and not notice.pinned
    page.locator(f"[data-testid=notice-actions] form[action$='/notices/{notice.pk}/pin/'] button").click()
    page.wait_for_load_state()
    assert "已置顶" in alerts(page)
    notice.refresh_from_db()
    assert notice.pinned

    #    member1 reads it on her phone: it is at the top of the board, pinned and unread.
    m1.goto(m1.base_url + "/activities/notices/")
    first = m1.get_by_test_id("notice-row").first
    assert NOTICE_TITLE in first.inner_text()
    assert first.get_by_test_id("pinned").is_visible() and first.get_by_test_id("unread").is_visible()
    first.click()
    m1.wait_for_url(f"**/activities/notices/{notice.pk}/")
    assert "消防演练" in m1.get_by_test_id("notice-body").inner_text()
    assert NoticeRead.objects.filter(notice=notice, user=member1_user).exists()
    all_errors += m1.console_errors
    m1_context.close()

    #    The admin sees member1 among the readers (已读).
    page.goto(page.base_url + f"/activities/notices/{notice.pk}/receipts/?show=read")
    assert page.get_by_role("link", name="已读").get_attribute("aria-current") == "page"
    readers = page.get_by_test_id("receipt-table").locator("tbody tr")
    assert readers.count() == 1 and member1.name in readers.first.inner_text()
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", readers.first.inner_text())
    assert page.get_by_test_id("receipt-counts").locator(".stat").inner_text() == "1"
    assert axe_violations(page) == []

    # 7. The admin books the 党支部活动室 for an evening; an overlapping booking is refused, naming the first.
    room = Room.objects.get(building=building, name="党支部活动室")
    evening = free_evening(room, today)
    before = RoomBooking.objects.filter(room=room).count()
    page.goto(page.base_url + "/activities/rooms/bookings/new/")
    page.select_option("[data-testid=booking-form] select[name=room]", str(room.pk))
    page.select_option("[data-testid=booking-form] select[name=organization]", str(branch.pk))
    page.fill("[data-testid=booking-form] input[name=title]", BOOKING_TITLE)
    page.fill("[data-testid=booking-form] input[name=day]", evening.isoformat())
    page.fill("[data-testid=booking-form] input[name=starts_at]", "18:30")
    page.fill("[data-testid=booking-form] input[name=ends_at]", "20:00")
    submit(page, "booking-form")
    assert "党支部活动室" in alerts(page) and evening.isoformat() in alerts(page)
    booking = RoomBooking.objects.get(room=room, title=BOOKING_TITLE)
    assert timezone.localtime(booking.starts_at).time() == datetime.time(18, 30)
    page.goto(page.base_url + "/activities/rooms/bookings/new/")
    page.select_option("[data-testid=booking-form] select[name=room]", str(room.pk))
    page.fill("[data-testid=booking-form] input[name=title]", "企业新员工培训（借用）")
    page.fill("[data-testid=booking-form] input[name=day]", evening.isoformat())
    page.fill("[data-testid=booking-form] input[name=starts_at]", "19:30")
    page.fill("[data-testid=booking-form] input[name=ends_at]", "21:00")
    submit(page, "booking-form")
    assert "/bookings/new/" in page.url
    error = page.locator("[data-testid=booking-form] input[name=starts_at] ~ .invalid-feedback")
    expected = f"党支部活动室在 {evening.isoformat()} 18:30 至 20:00 已被预约（“{BOOKING_TITLE}”）"
    assert expected in error.inner_text()
    assert page.locator("[data-testid=booking-form] input[name=starts_at]").get_attribute("aria-invalid") == "true"
    assert RoomBooking.objects.filter(room=room).count() == before + 1
    assert not RoomBooking.objects.filter(title="企业新员工培训（借用）").exists()
    all_errors += page.console_errors
    assert all_errors == []
    assert page.console_errors == []
