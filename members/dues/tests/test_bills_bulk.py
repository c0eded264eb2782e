"""The monthly bills at the database's speed (issue 15): one INSERT … SELECT makes the same bills as the Python
rule, the newly billed members are told in bulk, and the queries do not grow with the members."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buildingparty.models import Notification, OutboxMessage
from members.dues import services as dues_services
from members.dues.models import DuesBill, DuesStandard
from members.dues.selectors import STANDARD_AMOUNT, in_force, standards_in_force
from members.dues.tests.factories import BillFactory, StandardFactory, month, paying_member, this_month
from members.models import Member
from tests.factories import MemberFactory, UserFactory


def python_rule_bills(month_day, building_id=None) -> set:
    """The bills the Python rule (``_new_bill`` over ``standards_in_force``) makes for the paying members who
    have none yet: what the job made, member by member, before the INSERT … SELECT."""
    members = list(
        dues_services.paying_members(month=month_day, building_id=building_id).select_related("organization")
    )
    billed = set(DuesBill.objects.filter(month=month_day).values_list("member_id", flat=True))
    standards = standards_in_force([m.pk for m in members], month_day.year)
    rows = set()
    for member in members:
        if member.pk in billed or member.pk not in standards:
            continue
        bill = dues_services._new_bill(member, month_day, standards[member.pk])
        rows.add((bill.member_id, bill.organization_id, bill.amount, bill.paid_on, bill.standard_id))
    return rows


def made_bills(month_day) -> set:
    return set(
        DuesBill.objects.filter(month=month_day).values_list(
            "member_id", "organization_id", "amount", "paid_on", "standard_id"
        )
    )


def with_account(organization, n: int) -> list[Member]:
    """``n`` paying members (120.00 a month) with member accounts."""
    return [
        paying_member(organization, user=UserFactory(role="member", building=organization.building)) for _ in range(n)
    ]


@pytest.fixture
def varied(branch_a, branch_b, group_a, outsider):
    """Paying members of every kind the rule distinguishes, and some who owe nothing this month."""
    year = this_month().year
    m = {}
    m["plain"] = paying_member(branch_a)
    m["group"] = paying_member(group_a)  # billed to the group's branch
    m["low"] = MemberFactory(organization=branch_b)
    StandardFactory(member=m["low"], declared_base=Decimal("3000.01"))  # 30.00 by the rule
    m["reduced"] = MemberFactory(organization=branch_a)
    StandardFactory(member=m["reduced"], override_amount=Decimal("10.00"), override_reason="困难党员，支部同意减交")
    m["exempt"] = MemberFactory(organization=group_a)
    StandardFactory(member=m["exempt"], override_amount=Decimal("0"), override_reason="重病，经总支批准免交")
    m["carried"] = MemberFactory(organization=branch_a)  # two years ago, nothing since
    StandardFactory(member=m["carried"], year=year - 2, declared_base=Decimal("4000"))
    m["latest"] = MemberFactory(organization=branch_b)  # last year's, not the one before
    StandardFactory(member=m["latest"], year=year - 2, declared_base=Decimal("4000"))
    StandardFactory(member=m["latest"], year=year - 1, declared_base=Decimal("12000"))
    m["declared_only"] = MemberFactory(organization=branch_a)  # this year's not confirmed: last year's bills
    StandardFactory(member=m["declared_only"], year=year - 1, declared_base=Decimal("2500"))
    StandardFactory(member=m["declared_only"], declared_base=Decimal("15000"), status="declared")
    m["next_year_only"] = MemberFactory(organization=branch_a)  # no standard in force yet: missing
    StandardFactory(member=m["next_year_only"], year=year + 1)
    m["none"] = MemberFactory(organization=branch_b)  # missing
    m["suspended"] = paying_member(branch_a, status=Member.Status.SUSPENDED)
    m["gone"] = paying_member(branch_a, whereabouts=Member.Whereabouts.TRANSFERRED_OUT)
    m["not_yet"] = paying_member(  # admitted next month
        branch_a,
        category=Member.Category.PROBATIONARY,
        full_member_on=None,
        joined_on=this_month() + datetime.timedelta(days=40),
    )
    StandardFactory(member=outsider.member)  # another building's member
    m["outsider"] = outsider.member
    m["already"] = paying_member(branch_b)  # billed on demand by a payment, at another amount
    BillFactory(member=m["already"], organization=branch_b, amount=Decimal("99.00"))
    return m


def test_the_insert_makes_the_same_bills_as_the_python_rule(varied, branch_a, branch_b):
    expected = python_rule_bills(this_month())

    counts = dues_services.generate_bills(month=this_month())

    assert made_bills(this_month()) - {b for b in made_bills(this_month()) if b[0] == varied["already"].pk} == expected
    assert counts == {
        "month": f"{this_month():%Y-%m}",
        "paying": 12,
        "created": 9,
        "existing": 1,
        "exempt": 1,
        "missing_standard": 2,
        "notified": 1,  # the outsider: the only one with an account
    }
    bill = {b.member_id: b for b in DuesBill.objects.filter(month=this_month())}
    amounts = {name: bill[member.pk].amount for name, member in varied.items() if member.pk in bill}
    assert amounts == {
        "plain": Decimal("120.00"),
        "group": Decimal("120.00"),
        "low": Decimal("30.00"),
        "reduced": Decimal("10.00"),
        "exempt": Decimal("0.00"),
        "carried": Decimal("40.00"),
        "latest": Decimal("240.00"),
        "declared_only": Decimal("12.50"),
        "already": Decimal("99.00"),  # left as the payment made it
        "outsider": Decimal("120.00"),
    }
    assert bill[varied["group"].pk].organization == branch_a and bill[varied["exempt"].pk].organization == branch_a
    assert bill[varied["exempt"].pk].paid_on == this_month() and bill[varied["exempt"].pk].is_paid
    assert bill[varied["plain"].pk].paid_on is None and bill[varied["low"].pk].organization == branch_b
    assert bill[varied["latest"].pk].standard.year == this_month().year - 1


def test_the_building_option_makes_the_same_bills_for_that_building_only(varied, branch_a):
    expected = python_rule_bills(this_month(), building_id=branch_a.building_id)

    counts = dues_services.generate_bills(month=this_month(), building_id=branch_a.building_id)

    assert made_bills(this_month()) - {b for b in made_bills(this_month()) if b[0] == varied["already"].pk} == expected
    assert (counts["paying"], counts["created"], counts["existing"]) == (11, 8, 1)
    assert not DuesBill.objects.filter(member=varied["outsider"]).exists()


def test_a_second_run_makes_nothing_and_tells_nobody(branch_a, django_capture_on_commit_callbacks):
    with_account(branch_a, 3)

    with django_capture_on_commit_callbacks(execute=True):
        first = dues_services.generate_bills(month=this_month())
    with django_capture_on_commit_callbacks(execute=True):
        second = dues_services.generate_bills(month=this_month())

    assert (first["created"], first["notified"]) == (3, 3)
    assert (second["created"], second["existing"], second["notified"]) == (0, 3, 0)
    assert Notification.objects.filter(event="dues_bill").count() == 3


def test_each_member_with_an_account_owing_money_is_told_once_per_month(branch_a, group_a):
    told = with_account(branch_a, 2) + with_account(group_a, 1)
    exempt_user = UserFactory(username="exempt_member", role="member")
    exempt = MemberFactory(organization=branch_a, user=exempt_user)
    StandardFactory(member=exempt, override_amount=Decimal("0"), override_reason="重病，经总支批准免交")
    inactive = UserFactory(username="inactive_member", role="member", is_active=False)
    paying_member(branch_a, user=inactive)
    paying_member(branch_a)  # no account

    counts = dues_services.generate_bills(month=this_month())
    dues_services.generate_bills(month=month(-1))

    assert counts["notified"] == 3 and counts["exempt"] == 1
    notes = Notification.objects.filter(event="dues_bill")
    assert sorted(notes.values_list("user_id", flat=True)) == sorted([m.user_id for m in told] * 2)
    assert {n.dedupe_key for n in notes} == {
        f"dues:bill:{m.pk}:{d:%Y-%m}" for m in told for d in (this_month(), month(-1))
    }
    note = notes.get(user=told[0].user, dedupe_key__endswith=f"{this_month():%Y-%m}")
    assert "120.00" in note.title and f"{this_month().month}月" in note.title and note.url == reverse("dues:mine")


def test_a_member_told_already_is_not_told_again(branch_a):
    member = with_account(branch_a, 1)[0]
    Notification.objects.create(
        user=member.user, event="dues_bill", title="t", dedupe_key=f"dues:bill:{member.pk}:{this_month():%Y-%m}"
    )

    counts = dues_services.generate_bills(month=this_month())

    assert (counts["created"], counts["notified"]) == (1, 0)


def test_the_demos_history_makes_bills_and_tells_nobody(branch_a):
    with_account(branch_a, 2)

    counts = dues_services.generate_bills(month=month(-2), notify_members=False)

    assert (counts["created"], counts["notified"]) == (2, 0)
    assert not Notification.objects.exists()


@pytest.mark.parametrize("sizes", [(3, 30, 60)])
def test_the_queries_do_not_grow_with_the_members(branch_a, group_a, sizes, django_capture_on_commit_callbacks):
    """A fixed number of queries whatever the number of members (all with accounts, so all told): well under
    20 per 1,000 members. Each size is a month of its own, with as many members billed as the size."""
    counts, made = [], 0
    for i, size in enumerate(sizes):
        with_account(branch_a if i % 2 else group_a, size - made)
        made = size
        with django_capture_on_commit_callbacks(), CaptureQueriesContext(connection) as queries:
            result = dues_services.generate_bills(month=month(-i))
        assert result["created"] == result["notified"] == size
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2] <= 20, counts
    assert OutboxMessage.objects.count() == 3  # one outbox message per batch of notifications


def test_the_bills_are_read_back_in_batches(branch_a, monkeypatch, django_capture_on_commit_callbacks):
    """Memory stays flat: the made bills and the notifications go a batch at a time (here 2 at a time)."""
    monkeypatch.setattr(dues_services, "BILL_BATCH", 2)
    with_account(branch_a, 5)

    with django_capture_on_commit_callbacks():
        counts = dues_services.generate_bills(month=this_month())

    assert (counts["created"], counts["notified"]) == (5, 5)
    assert OutboxMessage.objects.count() == 3


def test_a_bill_of_an_amount_not_rendered_beforehand_is_told_all_the_same(
    branch_a, group_a, monkeypatch, django_capture_on_commit_callbacks
):
    """PostgreSQL writes the notifications in the bills' statement, rendered beforehand once per amount a bill
    can have; a bill of an amount not among them (a standard confirmed meanwhile) comes back and its member is
    told through notify_bulk, once, with the same text."""
    monkeypatch.setattr(dues_services, "_bill_amounts", lambda month: set())
    told = with_account(branch_a, 2) + with_account(group_a, 1)

    with django_capture_on_commit_callbacks():
        counts = dues_services.generate_bills(month=this_month())

    assert (counts["created"], counts["existing"], counts["notified"]) == (3, 0, 3)
    notes = Notification.objects.filter(event="dues_bill")
    assert {n.dedupe_key for n in notes} == {f"dues:bill:{m.pk}:{this_month():%Y-%m}" for m in told}
    assert all("120.00" in n.title and n.url == reverse("dues:mine") for n in notes)


def test_the_counts_are_exact_when_some_members_were_billed_before_or_have_no_standard(branch_a):
    """The statement counts the paying members it saw; when it billed them all the count query is left out,
    otherwise it runs as before."""
    with_account(branch_a, 2)
    billed_before = paying_member(branch_a)
    BillFactory(member=billed_before, organization=branch_a, amount=Decimal("120.00"))
    MemberFactory(organization=branch_a)  # no standard

    counts = dues_services.generate_bills(month=this_month())
    again = dues_services.generate_bills(month=this_month())

    assert (counts["paying"], counts["created"], counts["existing"], counts["missing_standard"]) == (4, 2, 1, 1)
    assert (again["paying"], again["created"], again["existing"], again["missing_standard"]) == (4, 0, 3, 1)


def test_the_standard_in_force_in_sql_is_the_python_one(branch_a):
    year = this_month().year
    override = StandardFactory(
        member=MemberFactory(organization=branch_a), override_amount=Decimal("0.50"), override_reason="农民党员"
    )
    carried = StandardFactory(member=MemberFactory(organization=branch_a), year=year - 3)
    StandardFactory(member=carried.member, year=year - 4, declared_base=Decimal("2000"))
    StandardFactory(member=carried.member, year=year + 1, declared_base=Decimal("2000"))

    rows = in_force(DuesStandard.objects.all(), year).annotate(sql_amount=STANDARD_AMOUNT)

    assert {s.pk: s.sql_amount for s in rows} == {override.pk: Decimal("0.50"), carried.pk: carried.amount}
    assert standards_in_force([override.member_id, carried.member_id], year) == {
        override.member_id: override,
        carried.member_id: carried,
    }
