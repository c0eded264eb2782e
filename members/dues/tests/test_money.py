"""Money is printed as money: yuan and fen, two decimals, on every dues page, print and export, on SQLite (the
default test database, which sums decimals as floats: 240.800000000000) as on PostgreSQL."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from buildingparty.money import money
from members.dues.models import DuesBill
from members.dues.selectors import collection, report_bills
from members.dues.tests.factories import StandardFactory
from members.models import Member, add_months
from tests.factories import MemberFactory

# A number with three or more decimals (a date, a phone number or a version has none).
LONG_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d{3,}(?![\d.])")


@pytest.fixture
def odd_amounts(branch_a, member_user):
    """Bills whose sums are not whole yuan, every month of last year and this year up to now: 120.40 + 30.30 +
    0.20 = 150.90 a month; every third month half paid."""
    year = timezone.localdate().year
    members = [member_user.member, MemberFactory(organization=branch_a), MemberFactory(organization=branch_a)]
    amounts = [Decimal("120.40"), Decimal("30.30"), Decimal("0.20")]
    current = timezone.localdate().replace(day=1)
    for member, amount in zip(members, amounts, strict=True):
        StandardFactory(member=member, declared_base=Decimal("2000"), computed_amount=amount)
        for offset in range(-(11 + current.month), 1):
            month = add_months(current, offset)
            paid = amount if offset % 3 else (amount / 2).quantize(Decimal("0.01"))
            DuesBill.objects.create(
                member=member, organization=member.organization, month=month, amount=amount, paid_amount=paid
            )
    return year


def assert_money(body: str):
    assert not LONG_DECIMAL.findall(body), LONG_DECIMAL.findall(body)[:5]


def test_money_rounds_to_the_fen():
    assert str(money(240.8)) == "240.80" and str(money(None)) == "0.00" and str(money("0.005")) == "0.01"


def test_rule_money_is_printed_with_two_decimals_on_every_dues_page(
    secretary_a_client, login_as, member_user, branch_a, odd_amounts
):
    year = odd_amounts
    member = Member.objects.filter(organization=branch_a).first()
    pages = {
        "annual": secretary_a_client.get(reverse("dues:annual_report"), {"year": year - 1}),
        "annual this year": secretary_a_client.get(reverse("dues:annual_report"), {"year": year}),
        "collection": secretary_a_client.get(reverse("dues:collection"), {"year": year - 1}),
        "ledger": secretary_a_client.get(reverse("dues:ledger"), {"year": year - 1, "month": ""}),
        "month": secretary_a_client.get(reverse("dues:month")),
        "arrears": secretary_a_client.get(reverse("dues:arrears")),
        "member": secretary_a_client.get(reverse("dues:member", args=[member.pk])),
        "standards": secretary_a_client.get(reverse("dues:standards")),
        "home": secretary_a_client.get("/"),
    }
    pages["my dues"] = login_as(member_user).get(reverse("dues:mine"))
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert_money(response.content.decode())
    assert "150.90" in pages["annual"].content.decode()  # one month of the three, to the fen


def test_rule_money_sums_are_two_decimal_decimals_in_the_selectors(odd_amounts, admin_user):
    result = collection(report_bills(admin_user), year=odd_amounts - 1)
    values = [result.total.due, result.total.collected] + [line.cell.due for line in result.months]
    assert all(v.as_tuple().exponent == -2 for v in values)
    assert result.total.due == Decimal("150.90") * 12


def test_rule_money_is_exported_with_two_decimals(secretary_a_client, odd_amounts):
    response = secretary_a_client.get(
        reverse("dues:ledger_export"), {"year": odd_amounts - 1, "month": "", "format": "csv"}
    )
    assert_money(b"".join(response.streaming_content).decode("utf-8"))


def test_the_yearly_report_prints_two_decimal_money_for_a_year_of_odd_amounts(secretary_a_client, odd_amounts):
    body = secretary_a_client.get(reverse("dues:annual_report"), {"year": odd_amounts - 1}).content.decode()
    totals = re.findall(r"应交党费([\d.]+)元", body)
    assert totals == [str(Decimal("150.90") * 12)]
