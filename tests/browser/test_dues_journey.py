"""Party dues end to end: secretary1 records three months at once and a 代交 by a relative (an enterprise named
as the payer is refused); member1 sees her bills and "党费已交到"; the arrears list shows the member six months
behind. Then secretary1 settles a seven-month arrear on a recorded branch decision, and the yearly 公示 prints
money with two decimals."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import PartyOrganization
from members.dues.models import DuesBill, DuesPayment
from members.dues.selectors import arrears_map, paid_up_to, standards_in_force
from members.dues.tests.factories import BillFactory, StandardFactory
from members.models import Member, add_months
from tests.factories import MemberFactory

from .conftest import ARTIFACTS, axe_violations, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"


def label(month) -> str:
    return f"{month.year}年{month.month}月"


def payers_of_the_first_branch() -> list[tuple[Member, object]]:
    """secretary1's members (not member1) with an enterprise, each with the first month they have not paid and
    whose next three months are untouched, so a payment of three full months fits."""
    branch = PartyOrganization.objects.get(name=demo.BRANCH_1)
    year = timezone.localdate().year
    members = Member.objects.filter(
        organization_id__in=branch.subtree_ids(),
        status=Member.Status.NORMAL,
        whereabouts=Member.Whereabouts.HERE,
        user__isnull=True,
        enterprise__isnull=False,
    ).order_by("pk")
    found = []
    for member in members:
        up_to = paid_up_to(member)
        if up_to is None or member.pk in arrears_map([member.pk]):
            continue
        first = add_months(up_to, 1)
        touched = DuesBill.objects.filter(
            member=member, month__gte=first, month__lte=add_months(first, 2), paid_amount__gt=0
        ).exists()
        if not touched and first <= add_months(timezone.localdate().replace(day=1), 4):
            found.append((member, first))
    assert len(found) >= 2 and all(standards_in_force([m.pk], year) for m, _ in found)
    return found


def test_secretary_records_dues_member_sees_them_and_arrears_show_the_candidate(page):
    call_command("seed_demo", verbosity=0)
    (quarterly, first), (by_relative, proxy_month) = payers_of_the_first_branch()[:2]
    amount = standards_in_force([quarterly.pk], timezone.localdate().year)[quarterly.pk].amount
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. secretary1 opens the month's dues, then the member's page, and records three months at once.
    sign_in(page, "secretary1", DEMO_PASSWORD)
    page.goto(page.base_url + reverse("dues:month"))
    assert page.get_by_test_id("dues-totals").is_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / "dues-month.png"), full_page=True)
    page.goto(page.base_url + reverse("dues:member", args=[quarterly.pk]))
    page.get_by_test_id("record-payment").click()
    page.wait_for_url(f"**{reverse('dues:record_payment', args=[quarterly.pk])}")
    form = page.get_by_test_id("payment-form")
    assert not form.locator("input[name=consent]").is_visible()  # one month needs no consent
    form.locator("input[name=first_month]").fill(f"{first:%Y-%m}")
    form.locator("input[name=last_month]").fill(f"{add_months(first, 2):%Y-%m}")
    form.locator("input[name=consent]").check()
    form.locator("input[name=consent_note]").fill("支委会同意按季度交纳")
    form.locator("input[name=amount]").fill(str(amount * 3))
    form.locator("select[name=method]").select_option("wechat")
    assert not form.locator("input[name=payer_name]").is_visible()
    assert form.locator("select[name=payer_enterprise]").count() == 0  # no unit pays a member's dues
    form.locator("input[name=receipt_number]").fill("JOURNEY-001")
    assert axe_violations(page) == []
    page.get_by_test_id("record-payment-submit").click()
    page.wait_for_url(f"**{reverse('dues:member', args=[quarterly.pk])}")
    assert label(add_months(first, 2)) in page.get_by_test_id("paid-up-to").inner_text()
    payment = DuesPayment.objects.get(receipt_number="JOURNEY-001")
    assert payment.month_count == 3 and payment.consent_by.username == "secretary1"

    # 2. A month paid by the member's wife (代交); mistakes first: the payer is missing, then it is the
    #    member's enterprise, which may never pay (公款代交).
    page.goto(page.base_url + reverse("dues:record_payment", args=[by_relative.pk]))
    form = page.get_by_test_id("payment-form")
    form.locator("input[name=first_month]").fill(f"{proxy_month:%Y-%m}")
    form.locator("input[name=last_month]").fill(f"{proxy_month:%Y-%m}")
    form.locator("select[name=method]").select_option("proxy")
    page.get_by_test_id("record-payment-submit").click()
    page.wait_for_load_state()
    assert "请填写代交党费的亲属或党员" in page.get_by_test_id("payment-form").inner_text()
    form = page.get_by_test_id("payment-form")
    form.locator("input[name=payer_name]").fill(by_relative.enterprise.name)
    page.get_by_test_id("record-payment-submit").click()
    page.wait_for_load_state()
    assert "公款代交不允许" in page.get_by_test_id("payment-form").inner_text()
    form = page.get_by_test_id("payment-form")
    form.locator("input[name=payer_name]").fill("周丽（配偶）")
    page.screenshot(path=str(ARTIFACTS / "dues-payment-form.png"), full_page=True)
    page.get_by_test_id("record-payment-submit").click()
    page.wait_for_url(f"**{reverse('dues:member', args=[by_relative.pk])}")
    assert "周丽（配偶）" in page.get_by_test_id("member-payments").inner_text()
    assert DuesPayment.objects.get(member=by_relative, first_month=proxy_month).payer_name == "周丽（配偶）"
    assert page.console_errors == []
    sign_out(page)

    # 3. member1 sees this month's bill and "paid up to" at home, then all her bills.
    sign_in(page, "member1", DEMO_PASSWORD)
    member1 = Member.objects.get(user__username="member1")
    panel = page.get_by_test_id("my-dues-panel")
    assert label(paid_up_to(member1)) in panel.inner_text()
    panel.get_by_role("link").click()
    page.wait_for_url(f"**{reverse('dues:mine')}")
    assert "党费已交到" in page.get_by_test_id("paid-up-to").inner_text()
    bills = page.get_by_test_id("member-bills").inner_text()
    assert label(timezone.localdate()) in bills and "已交清" in bills
    assert page.get_by_test_id("record-payment").count() == 0
    assert axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / "dues-member1.png"), full_page=True)
    sign_out(page)

    # 4. The arrears list shows the member six months behind, highlighted, with the way to decide.
    candidate = next(d for d in arrears_map(Member.objects.values_list("pk", flat=True)).values() if d.is_candidate)
    candidate_member = Member.objects.get(pk=candidate.member_id)
    sign_in(page, "admin", DEMO_PASSWORD)
    page.goto(page.base_url + reverse("dues:arrears") + "?candidates=on")
    row = page.locator("[data-testid=arrears-table] tr[data-candidate='1']")
    assert row.count() == 1 and candidate_member.name in row.inner_text()
    assert "拟按自行脱党处理" in row.inner_text()
    assert row.locator(f"a[href='{candidate_member.get_absolute_url()}#manage']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "dues-arrears.png"), full_page=True)
    assert page.console_errors == []


LONG_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d{3,}(?![\d.])")


def test_secretary_settles_a_seven_month_arrear_on_a_branch_decision_and_the_yearly_report_prints_money(page):
    """A member seven months behind and owing this month: the oldest month is out of the six-month window.
    The form asks for the branch's decision; with it, 党费已交到 reaches the current month."""
    call_command("seed_demo", verbosity=0)
    branch = PartyOrganization.objects.get(name=demo.BRANCH_1)
    current = timezone.localdate().replace(day=1)
    member = MemberFactory(organization=branch, name="补交测试")
    StandardFactory(member=member, year=add_months(current, -7).year)
    for offset in range(-7, 1):
        BillFactory(member=member, month=add_months(current, offset), amount=Decimal("120.00"))
    ARTIFACTS.mkdir(exist_ok=True)

    sign_in(page, "secretary1", DEMO_PASSWORD)
    page.goto(page.base_url + reverse("dues:member", args=[member.pk]))
    assert label(add_months(current, -8)) in page.get_by_test_id("paid-up-to").inner_text()
    page.get_by_test_id("record-payment").click()
    page.wait_for_url(f"**{reverse('dues:record_payment', args=[member.pk])}")
    form = page.get_by_test_id("payment-form")
    assert form.locator("input[name=first_month]").input_value() == f"{add_months(current, -7):%Y-%m}"
    assert form.get_by_test_id("decision-fields").is_visible()  # May is more than six months back
    form.locator("input[name=last_month]").fill(f"{current:%Y-%m}")
    form.locator("input[name=last_month]").dispatch_event("change")
    owed = form.get_by_test_id("payment-owed")
    owed.get_by_text("所选月份应交 960.00 元").wait_for()
    form.locator("input[name=amount]").fill("960.00")

    # without the decision: refused, with the six-month limit named next to the month
    page.get_by_test_id("record-payment-submit").click()
    page.wait_for_load_state()
    form = page.get_by_test_id("payment-form")
    assert "补交党费一般不超过六个月" in form.inner_text() and "须经支部决定" in form.inner_text()
    assert not DuesPayment.objects.filter(member=member).exists()

    form.locator("input[name=decision_by]").fill("第一党支部支委会")
    form.locator("input[name=decision_on]").fill(f"{timezone.localdate():%Y-%m-%d}")
    form.locator("input[name=decision_reason]").fill("外派期间未能交纳，返回后一次补交")
    assert axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / "dues-long-arrear.png"), full_page=True)
    page.get_by_test_id("record-payment-submit").click()
    page.wait_for_url(f"**{reverse('dues:member', args=[member.pk])}")
    assert f"党费已交到{label(current)}" in page.locator(".alert-success").inner_text()
    assert label(current) in page.get_by_test_id("paid-up-to").inner_text()
    assert "第一党支部支委会" in page.get_by_test_id("payment-decision").inner_text()
    assert paid_up_to(member) == current

    # the yearly 公示: money with two decimals; the current month shown apart, out of the totals
    for year in (current.year - 1, current.year):
        page.goto(page.base_url + reverse("dues:annual_report") + f"?year={year}&branch={branch.pk}")
        text = page.locator(".sheet").inner_text()
        assert "元" in text and LONG_DECIMAL.findall(text) == []
    assert "尚未结束" in page.get_by_test_id("open-month-note").inner_text()
    page.screenshot(path=str(ARTIFACTS / "dues-annual-report.png"), full_page=True)
    assert page.console_errors == []
