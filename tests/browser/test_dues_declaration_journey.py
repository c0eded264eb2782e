"""In a browser: the secretary asks the branch to declare, a member declares their base, the secretary confirms
it with one click; the collection page draws its chart. Pages pass the axe WCAG 2 A/AA checks."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from members.dues.models import DuesAllocation, DuesBill, DuesPayment, DuesStandard
from tests.browser.conftest import axe_violations, sign_in, sign_out
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-test-pass-2026"
YEAR = timezone.localdate().year


def serious(violations) -> list:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_a_member_declares_and_the_secretary_confirms(page, secretary_a, member_user, branch_a):  # noqa: F811
    member = member_user.member
    other = MemberFactory(organization=branch_a, name="上年党员")
    bill = DuesBill.objects.create(
        member=other, organization=branch_a, month=datetime.date(YEAR, 1, 1), amount=Decimal("120.00")
    )
    payment = DuesPayment.objects.create(
        member=other,
        amount=Decimal("120.00"),
        paid_on=datetime.date(YEAR, 1, 5),
        first_month=bill.month,
        last_month=bill.month,
    )
    DuesAllocation.objects.create(payment=payment, bill=bill, amount=Decimal("120.00"))
    DuesBill.objects.filter(pk=bill.pk).update(paid_amount=Decimal("120.00"), paid_on=payment.paid_on)

    # 1. The secretary asks the branch to declare its base for the year.
    sign_in(page, secretary_a.username, PASSWORD)
    page.goto(page.base_url + reverse("dues:standards"))
    assert not serious(axe_violations(page))
    page.get_by_test_id("open-round").get_by_role("button").click()
    page.wait_for_load_state()
    assert "已通知1名党员申报" in page.locator(".alert").first.inner_text()
    sign_out(page)

    # 2. The member declares: an employee with 6000 yuan after tax.
    sign_in(page, member_user.username, PASSWORD)
    page.goto(page.base_url + reverse("dues:declare"))
    page.get_by_label("在职（工资收入）").check()
    page.fill("input[name=declared_base]", "6000")
    page.get_by_role("button", name="提交申报").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("pending").is_visible()
    assert not serious(axe_violations(page))
    sign_out(page)

    # 3. The secretary confirms it from the list with one click.
    standard = DuesStandard.objects.get(member=member, year=YEAR)
    assert standard.computed_amount == Decimal("90.00") and not standard.is_confirmed
    sign_in(page, secretary_a.username, PASSWORD)
    page.goto(page.base_url + reverse("dues:standards"))
    page.get_by_test_id(f"confirm-{standard.pk}").click()
    page.wait_for_load_state()
    standard.refresh_from_db()
    assert standard.is_confirmed and standard.confirmed_by == secretary_a

    # 4. The collection page draws its chart from the same numbers as its table.
    page.goto(page.base_url + reverse("dues:collection"))
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('dues-chart'))")
    assert page.get_by_test_id("by-month").locator("tr[data-month='1'] td").first.inner_text() == "120.00"
    assert not serious(axe_violations(page))
    assert not [e for e in page.console_errors if "favicon" not in e and "404" not in e]
