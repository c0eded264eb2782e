"""The dues pages: a branch's month, a member's dues, recording a payment, excusing a month, arrears."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buildingparty.models import JobRun
from buildingparty.submissions import new_token
from members.dues.models import DuesBill, DuesPayment
from members.dues.tests.factories import StandardFactory, month, open_bill, paid_bill, paying_member
from tests.factories import MemberFactory

MONTH_URL = reverse("dues:month")
ARREARS_URL = reverse("dues:arrears")


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def own(member_user):
    """member_user's record, paying 120.00 a month, paid up to last month, this month open."""
    member = member_user.member
    StandardFactory(member=member)
    paid_bill(member, -2)
    paid_bill(member, -1)
    open_bill(member, 0)
    return member


@pytest.fixture
def other_branch_member(branch_b):
    member = paying_member(branch_b)
    open_bill(member, 0)
    return member


# --- the month page -----------------------------------------------------------------------------------------


def test_a_secretary_sees_her_branchs_bills_of_the_month_with_totals(secretary_a_client, own, other_branch_member):
    response = secretary_a_client.get(MONTH_URL)

    assert response.status_code == 200
    page = text(response)
    assert own.name in page and other_branch_member.name not in page
    assert response.context["totals"]["due"] == Decimal("120.00")
    assert response.context["totals"]["paid"] == Decimal("0.00") or response.context["totals"]["paid"] == 0
    assert reverse("dues:record_payment", args=[own.pk]) in page


def test_the_month_page_shows_another_month_and_filters_by_state(secretary_a_client, own):
    paid = text(secretary_a_client.get(MONTH_URL, {"month": f"{month(-1):%Y-%m}", "state": "paid"}))
    unpaid = text(secretary_a_client.get(MONTH_URL, {"month": f"{month(-1):%Y-%m}", "state": "unpaid"}))

    assert own.name in paid and own.name not in unpaid


def test_the_month_page_names_members_without_a_standard(secretary_a_client, branch_a):
    bare = MemberFactory(organization=branch_a, name="缺标准")

    response = secretary_a_client.get(MONTH_URL)

    assert bare.name in text(response) and response.context["unbilled"] == 1


def test_an_admin_sees_the_building_and_a_street_viewer_reads_without_recording(
    admin_client, own, other_branch_member, login_as, street_user
):
    page = text(admin_client.get(MONTH_URL))
    assert own.name in page and other_branch_member.name in page

    response = login_as(street_user).get(MONTH_URL)
    assert response.status_code == 200 and not response.context["can_record"]
    assert reverse("dues:record_payment", args=[own.pk]) not in text(response)


def test_members_may_not_open_the_month_page(member_client):
    assert member_client.get(MONTH_URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (MONTH_URL, ARREARS_URL, reverse("dues:mine")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.parametrize("rows", [1, 3])
def test_the_month_page_runs_a_fixed_number_of_queries(secretary_a_client, branch_a, rows, django_assert_num_queries):
    for _ in range(rows):
        open_bill(paying_member(branch_a), 0)
        MemberFactory(organization=branch_a)  # without a standard

    # The page's count comes from the totals: no COUNT query for the paginator; the members without a bill and
    # the 党员 are counted in one query.
    with django_assert_num_queries(13):
        assert secretary_a_client.get(MONTH_URL).status_code == 200


@pytest.mark.parametrize("state", ["", "paid", "unpaid", "partial", "excused"])
def test_the_month_page_counts_the_bills_of_the_state_shown(secretary_a_client, branch_a, state):
    for paid in ("0", "0", "10", "120"):  # two unpaid, one partly paid, one paid
        open_bill(paying_member(branch_a), 0, paid_amount=Decimal(paid))
    open_bill(paying_member(branch_a), 0, excused_reason="病假")

    page = secretary_a_client.get(MONTH_URL, {"state": state}).context["page"]

    expected = {"": 5, "paid": 1, "unpaid": 2, "partial": 1, "excused": 1}[state]
    assert page.paginator.count == expected == len(page.object_list)


def test_an_admin_makes_the_missing_bills_of_a_month_now(admin_client, branch_a):
    member = paying_member(branch_a)

    response = admin_client.post(reverse("dues:generate"), {"month": f"{month(0):%Y-%m}"})

    assert response.status_code == 302 and DuesBill.objects.filter(member=member, month=month(0)).exists()
    assert JobRun.objects.filter(job="members.generate_dues", outcome="succeeded").exists()


def test_making_bills_is_post_only_and_for_admins(admin_client, login_as, secretary_a):
    assert admin_client.get(reverse("dues:generate")).status_code == 405
    assert login_as(secretary_a).post(reverse("dues:generate")).status_code == 403


# --- a member's dues ----------------------------------------------------------------------------------------


def test_a_member_sees_their_own_bills_and_paid_up_to(member_client, own):
    response = member_client.get(reverse("dues:mine"))

    assert response.status_code == 200
    page = text(response)
    assert f"{month(-1).year}年{month(-1).month}月" in page and response.context["paid_up_to"] == month(-1)
    assert response.context["form"] is None and "record-payment" not in page


@pytest.mark.parametrize("months", [0, 12])
def test_a_members_own_dues_page_runs_a_fixed_number_of_queries(member_client, own, months, django_assert_num_queries):
    for offset in range(-3 - months, -3):
        open_bill(own, offset)
    member_client.get(reverse("dues:mine"))  # warm the session

    # No payment form on a member's own page, so no query for the months still open.
    with django_assert_num_queries(13):
        response = member_client.get(reverse("dues:mine"))
    assert response.status_code == 200 and response.context["form"] is None


def test_a_member_may_open_their_own_dues_page_but_not_anothers(member_client, own, branch_a):
    neighbour = paying_member(branch_a)

    assert member_client.get(reverse("dues:member", args=[own.pk])).status_code == 200
    assert member_client.get(reverse("dues:member", args=[neighbour.pk])).status_code == 404


def test_my_dues_without_a_member_record_is_not_found(admin_client):
    assert admin_client.get(reverse("dues:mine")).status_code == 404


def test_a_secretary_sees_a_members_dues_with_the_payment_form(secretary_a_client, own):
    response = secretary_a_client.get(reverse("dues:member", args=[own.pk]))

    assert response.status_code == 200 and response.context["form"] is not None
    assert response.context["form"].initial["first_month"] == month(0)


def test_another_branchs_member_is_not_found(secretary_a_client, other_branch_member):
    url = reverse("dues:member", args=[other_branch_member.pk])
    assert secretary_a_client.get(url).status_code == 404
    assert secretary_a_client.get(reverse("dues:record_payment", args=[other_branch_member.pk])).status_code == 404


def test_liaisons_may_not_open_dues_pages(login_as, liaison_user, own):
    client = login_as(liaison_user)
    assert client.get(reverse("dues:member", args=[own.pk])).status_code == 403
    assert client.get(ARREARS_URL).status_code == 403


# --- recording a payment ------------------------------------------------------------------------------------


def payment_data(**overrides):
    data = {
        "first_month": f"{month(0):%Y-%m}",
        "last_month": f"{month(0):%Y-%m}",
        "amount": "120.00",
        "paid_on": timezone.localdate().isoformat(),
        "method": "wechat",
        "receipt_number": "",
        "payer_name": "",
        "consent_note": "",
        "note": "",
        "submission_token": new_token(),  # each call a newly rendered form
    }
    return {**data, **overrides}


def test_a_secretary_records_a_payment_for_this_month(secretary_a_client, own, secretary_a):
    url = reverse("dues:record_payment", args=[own.pk])
    assert secretary_a_client.get(url).status_code == 200

    response = secretary_a_client.post(url, payment_data(receipt_number="DF-100"))

    assert response.status_code == 302 and response.url == reverse("dues:member", args=[own.pk])
    payment = DuesPayment.objects.get()
    assert payment.recorded_by == secretary_a and payment.receipt_number == "DF-100"
    assert DuesBill.objects.get(member=own, month=month(0)).is_paid


def test_three_months_ahead_with_consent_paid_by_a_relative(secretary_a_client, own):
    url = reverse("dues:record_payment", args=[own.pk])

    response = secretary_a_client.post(
        url,
        payment_data(
            first_month=f"{month(0):%Y-%m}",
            last_month=f"{month(2):%Y-%m}",
            amount="360.00",
            method="proxy",
            payer_name="张建华（配偶）",
            consent="on",
            consent_note="支委会同意按季度交纳",
        ),
        follow=True,
    )

    payment = DuesPayment.objects.get()
    assert payment.payer_name == "张建华（配偶）" and payment.consent_by is not None and payment.month_count == 3
    # the message names what was actually paid up to
    assert f"党费已交到{month(2).year}年{month(2).month}月" in text(response)


def test_rule_no_unit_pays_a_members_dues_the_payment_form_refuses_an_enterprise(secretary_a_client, own, enterprise):
    url = reverse("dues:record_payment", args=[own.pk])

    by_name = secretary_a_client.post(url, payment_data(method="proxy", payer_name=enterprise.name))
    by_field = secretary_a_client.post(url, payment_data(method="proxy", payer_enterprise=str(enterprise.pk)))

    assert "公款代交" in str(by_name.context["form"].errors["payer_name"])
    assert "公款代交" in str(by_field.context["form"].non_field_errors())
    assert not DuesPayment.objects.exists()
    body = text(secretary_a_client.get(url))
    assert "payer_enterprise" not in body and "企业代交" not in body


SEVEN_BACK = {"first_month": f"{month(-7):%Y-%m}", "last_month": f"{month(0):%Y-%m}", "amount": "960.00"}


@pytest.fixture
def seven_behind(branch_a):
    """A member whose last seven months and this one are unpaid: the oldest is out of the six-month window."""
    member = paying_member(branch_a)
    for n in range(-7, 1):
        open_bill(member, n)
    return member


def test_rule_a_long_arrear_needs_a_branch_decision_named_next_to_the_field(secretary_a_client, seven_behind):
    url = reverse("dues:record_payment", args=[seven_behind.pk])

    page = secretary_a_client.get(url)
    assert page.context["form"].initial["first_month"] == month(-7)  # the oldest month owed, however old

    response = secretary_a_client.post(url, payment_data(consent="on", **SEVEN_BACK))

    errors = response.context["form"].errors
    assert "六个月" in errors["first_month"][0] and "支部" in errors["first_month"][0]
    assert {"decision_by", "decision_on", "decision_reason"} <= set(errors)
    assert not DuesPayment.objects.exists()


def test_rule_a_long_arrear_is_settled_on_a_recorded_decision_and_shown_beside_the_payment(
    secretary_a_client, seven_behind
):
    url = reverse("dues:record_payment", args=[seven_behind.pk])
    decided_on = timezone.localdate() - timezone.timedelta(days=2)
    decision = {"decision_by": "第一党支部支委会", "decision_on": decided_on.isoformat(), "decision_reason": "外派返回"}

    response = secretary_a_client.post(url, payment_data(**SEVEN_BACK, **decision), follow=True)

    payment = DuesPayment.objects.get()
    assert (payment.decision_by, payment.decision_on) == ("第一党支部支委会", decided_on)
    body = text(response)
    assert f"党费已交到{month(0).year}年{month(0).month}月" in body
    assert "第一党支部支委会" in body and "外派返回" in body and 'data-testid="payment-decision"' in body
    ledger = text(secretary_a_client.get(reverse("dues:ledger"), {"year": month(-7).year, "month": month(-7).month}))
    assert "第一党支部支委会" in ledger and "外派返回" in ledger


def test_rule_the_payment_form_shows_and_checks_what_the_chosen_months_owe(secretary_a_client, own):
    """This month is partly paid (70.00 left) and next month is not billed yet (120.00 from the standard)."""
    DuesBill.objects.filter(member=own, month=month(0)).update(paid_amount=Decimal("50.00"))
    url = reverse("dues:record_payment", args=[own.pk])
    owed_url = reverse("dues:payment_owed", args=[own.pk])

    page = secretary_a_client.get(url, {"month": f"{month(0):%Y-%m}"})
    assert "所选月份应交 70.00 元" in text(page)
    answer = secretary_a_client.get(owed_url, {"first_month": f"{month(0):%Y-%m}", "last_month": f"{month(1):%Y-%m}"})
    assert answer.json()["owed"] == "190.00" and "所选月份应交 190.00 元" in answer.json()["text"]

    two_months = {"last_month": f"{month(1):%Y-%m}", "consent": "on", "amount": "100.00"}
    short = secretary_a_client.post(url, payment_data(**two_months))
    assert "所选月份应交 190.00 元" in str(short.context["form"].errors["amount"])
    assert not DuesPayment.objects.exists() and not DuesBill.objects.filter(month=month(1)).exists()

    partial = secretary_a_client.post(url, payment_data(partial="on", **two_months))
    assert partial.status_code == 302
    assert DuesBill.objects.get(member=own, month=month(0)).is_paid


def test_what_the_months_owe_is_for_the_members_managers_only(
    secretary_a_client, login_as, member_user, own, other_branch_member
):
    months = {"first_month": f"{month(0):%Y-%m}", "last_month": f"{month(0):%Y-%m}"}
    owed_url = reverse("dues:payment_owed", args=[own.pk])
    assert Client().get(owed_url, months).status_code == 302
    other = reverse("dues:payment_owed", args=[other_branch_member.pk])
    assert secretary_a_client.get(other, months).status_code == 404
    assert secretary_a_client.get(owed_url, {"first_month": "x"}).json()["owed"] is None
    assert login_as(member_user).get(owed_url, months).status_code == 403


def test_mistakes_are_shown_next_to_their_fields_in_chinese(secretary_a_client, own):
    url = reverse("dues:record_payment", args=[own.pk])

    several = secretary_a_client.post(url, payment_data(last_month=f"{month(1):%Y-%m}", amount="240.00"))
    proxy = secretary_a_client.post(url, payment_data(method="proxy"))
    too_much = secretary_a_client.post(url, payment_data(amount="500.00"))

    assert several.status_code == 200 and "需经支部同意" in str(several.context["form"].errors["consent"])
    assert "代交" in str(proxy.context["form"].errors["payer_name"])
    assert "500.00" in str(too_much.context["form"].errors["amount"])
    assert not DuesPayment.objects.exists()


def test_a_receipt_number_already_used_is_refused_next_to_the_field(secretary_a_client, own):
    url = reverse("dues:record_payment", args=[own.pk])
    secretary_a_client.post(url, payment_data(receipt_number="DF-7"))

    response = secretary_a_client.post(
        url, payment_data(first_month=f"{month(1):%Y-%m}", last_month=f"{month(1):%Y-%m}", receipt_number="DF-7")
    )

    assert response.status_code == 200 and "receipt_number" in response.context["form"].errors


def test_street_viewers_and_members_may_not_record_payments(login_as, street_user, member_client, own):
    url = reverse("dues:record_payment", args=[own.pk])
    assert login_as(street_user).get(url).status_code == 403
    assert member_client.post(url, payment_data()).status_code == 403


# --- excusing a month ---------------------------------------------------------------------------------------


def test_a_secretary_records_a_valid_reason_for_an_unpaid_month(secretary_a_client, own):
    bill = own.dues_bills.get(month=month(0))

    response = secretary_a_client.post(reverse("dues:excuse_bill", args=[bill.pk]), {"excused_reason": "住院"})

    bill.refresh_from_db()
    assert response.status_code == 302 and bill.state == "excused"


def test_excusing_is_post_only_and_in_scope(secretary_a_client, own, other_branch_member):
    bill = own.dues_bills.get(month=month(0))
    other = other_branch_member.dues_bills.get()
    assert secretary_a_client.get(reverse("dues:excuse_bill", args=[bill.pk])).status_code == 405
    assert (
        secretary_a_client.post(reverse("dues:excuse_bill", args=[other.pk]), {"excused_reason": "x"}).status_code
        == 404
    )


# --- arrears ------------------------------------------------------------------------------------------------


@pytest.fixture
def six_behind(branch_a):
    member = paying_member(branch_a, name="欠六月")
    for offset in range(-6, 1):
        open_bill(member, offset)
    return member


def test_the_arrears_page_highlights_a_member_six_months_behind(secretary_a_client, six_behind, own, branch_a):
    three = paying_member(branch_a, name="欠三月")
    for offset in (-3, -2, -1):
        open_bill(three, offset)

    response = secretary_a_client.get(ARREARS_URL)

    page = text(response)
    assert six_behind.name in page and three.name in page and own.name not in page
    assert 'data-candidate="1"' in page and response.context["candidates"] == 1
    assert f"{six_behind.get_absolute_url()}#manage" in page
    only = text(secretary_a_client.get(ARREARS_URL, {"candidates": "on"}))
    assert six_behind.name in only and three.name not in only


def test_the_arrears_page_keeps_to_the_branch(login_as, secretary_b, six_behind):
    assert six_behind.name not in text(login_as(secretary_b).get(ARREARS_URL))


def test_members_may_not_open_the_arrears_page(member_client):
    assert member_client.get(ARREARS_URL).status_code == 403


@pytest.mark.parametrize("rows", [1, 3])
def test_the_arrears_page_runs_a_fixed_number_of_queries(secretary_a_client, branch_a, rows, django_assert_num_queries):
    for _ in range(rows):
        member = paying_member(branch_a)
        for offset in range(-6, 0):
            open_bill(member, offset)

    with django_assert_num_queries(12):
        assert secretary_a_client.get(ARREARS_URL).status_code == 200


# --- home panels, timeline, transfer letter -----------------------------------------------------------------


def test_the_members_home_page_shows_this_months_bill_and_paid_up_to(member_client, own):
    page = text(member_client.get("/"))
    assert 'data-testid="my-dues-panel"' in page and f"{month(-1).year}年{month(-1).month}月" in page


def test_the_secretarys_home_page_shows_collection_and_candidates(secretary_a_client, own, six_behind):
    response = secretary_a_client.get("/")
    page = text(response)
    assert 'data-testid="dues-panel"' in page and six_behind.name in page


def _dues_panel(client) -> dict:
    return next(p for p in client.get("/").context["panels"] if p["template"] == "dues/_panel_staff.html")


@pytest.mark.parametrize("scale", [1, 3])
def test_the_dues_panel_counts_who_is_behind_in_the_database_at_1x_and_3x(
    secretary_a_client, branch_a, own, scale, django_assert_num_queries
):
    for n in range(scale):
        six = paying_member(branch_a, name=f"欠六月{n}")
        for offset in range(-6, 1):
            open_bill(six, offset)
        three = paying_member(branch_a, name=f"欠三月{n}")
        for offset in (-3, -2, -1):
            open_bill(three, offset)
        gaps = paying_member(branch_a, name=f"隔月欠{n}")  # six open months, never six in a row
        for offset in range(-12, 0, 2):
            open_bill(gaps, offset)
        lost = paying_member(branch_a, name=f"失联{n}", lost_contact_since=month(-8))
        for offset in range(-6, 0):
            open_bill(lost, offset)
    secretary_a_client.get("/")  # warm the session

    with CaptureQueriesContext(connection) as queries:
        panel = _dues_panel(secretary_a_client)

    assert panel["in_arrears"] == 4 * scale
    assert panel["three_or_more"] == 4 * scale
    assert panel["candidate_count"] == scale
    assert [m["name"] for m in panel["candidates"]] == [f"欠六月{n}" for n in range(scale)]  # plain: cached
    assert len(queries) == FIXED_HOME_QUERIES_SECRETARY, [q["sql"] for q in queries]


# The secretary's whole home page (every panel, not only this one) with candidates showing: the same however many
# members are behind, so a growing branch never adds a query.
FIXED_HOME_QUERIES_SECRETARY = 45


def test_payments_appear_on_the_members_timeline(secretary_a_client, own, secretary_a):
    secretary_a_client.post(reverse("dues:record_payment", args=[own.pk]), payment_data())

    events = secretary_a_client.get(own.get_absolute_url()).context["events"]

    assert any(e.kind == "cash-coin" and "120.00" in e.title for e in events)


def test_the_transfer_letter_starts_from_the_dues_paid_up_to(secretary_a_client, own):
    response = secretary_a_client.get(reverse("members:transfer_create", args=[own.pk]))

    assert response.context["form"]["dues_paid_until"].value() == month(-1)
