"""No unit pays a member's dues (dues 0003 and 0004): standards and payments that named an enterprise as the
payer are kept, become the member's own, keep the enterprise's name in their note, and each member's history
says so; the enterprise fields are gone.

The test database is taken back to dues 0002, rows are written through the historical models of that moment,
and the database is migrated forward again. It runs on SQLite and, with DATABASE_URL, on PostgreSQL.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import BuildingFactory, EnterpriseFactory, MemberFactory, OrganizationFactory, UserFactory

BEFORE = [("dues", "0002_tables_and_content_types")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_rule_no_unit_pays_a_members_dues_the_migration_keeps_every_row_and_makes_the_member_the_payer():
    building = BuildingFactory()
    branch = OrganizationFactory(building=building)
    secretary = UserFactory(building=building)
    company = EnterpriseFactory(building=building, name="慈溪星火科技有限公司")
    paid_by_company = MemberFactory(organization=branch, enterprise=company)
    paid_by_wife = MemberFactory(organization=branch)

    executor = migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Standard = old.get_model("dues", "DuesStandard")
    Payment = old.get_model("dues", "DuesPayment")
    Bill = old.get_model("dues", "DuesBill")
    Allocation = old.get_model("dues", "DuesAllocation")

    def standard(member, **payer):
        return Standard.objects.create(
            member_id=member.pk,
            year=2026,
            kind="employed",
            declared_base=Decimal("6000.00"),
            computed_amount=Decimal("90.00"),
            status="confirmed",
            confirmed_by_id=secretary.pk,
            note="年初核定",
            **payer,
        )

    by_company = standard(paid_by_company, payer="enterprise", payer_enterprise_id=company.pk)
    by_wife = standard(paid_by_wife, payer="other", payer_name="周丽（配偶）")
    bills = [
        Bill.objects.create(
            member_id=paid_by_company.pk,
            organization_id=branch.pk,
            month=datetime.date(2026, month, 1),
            amount=Decimal("90.00"),
            paid_amount=Decimal("90.00"),
            paid_on=datetime.date(2026, 3, 10),
            standard_id=by_company.pk,
        )
        for month in (1, 2, 3)
    ]

    def payment(member, amount, **payer):
        return Payment.objects.create(
            member_id=member.pk,
            amount=Decimal(amount),
            paid_on=datetime.date(2026, 3, 10),
            first_month=datetime.date(2026, 1, 1),
            last_month=datetime.date(2026, 3, 1),
            recorded_by_id=secretary.pk,
            **payer,
        )

    company_quarter = payment(
        paid_by_company,
        "180.00",
        method="proxy",
        payer_enterprise_id=company.pk,
        receipt_number="DF-2026-001",
        note="一季度",
    )
    company_via_clerk = payment(
        paid_by_company, "90.00", method="proxy", payer_enterprise_id=company.pk, payer_name="王会计"
    )
    wife = payment(paid_by_wife, "270.00", method="proxy", payer_name="周丽（配偶）")
    Allocation.objects.create(payment_id=company_quarter.pk, bill_id=bills[0].pk, amount=Decimal("90.00"))
    Allocation.objects.create(payment_id=company_quarter.pk, bill_id=bills[1].pk, amount=Decimal("90.00"))
    Allocation.objects.create(payment_id=company_via_clerk.pk, bill_id=bills[2].pk, amount=Decimal("90.00"))

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from members.dues.models import DuesAllocation, DuesBill, DuesPayment, DuesStandard
    from members.models import MemberChange

    columns = {c.name for c in connection.introspection.get_table_description(connection.cursor(), "dues_duespayment")}
    assert "payer_enterprise_id" not in columns and {"decision_by", "decision_on", "decision_reason"} <= columns

    # every row is kept
    assert DuesStandard.objects.count() == 2 and DuesPayment.objects.count() == 3 and DuesBill.objects.count() == 3
    assert DuesAllocation.objects.count() == 3
    assert sum(DuesPayment.objects.values_list("amount", flat=True), Decimal("0")) == Decimal("540.00")

    # the enterprise payer became the member; its name stays in the note beside what was there
    standard_now = DuesStandard.objects.get(pk=by_company.pk)
    assert (standard_now.payer, standard_now.payer_name) == ("self", "")
    assert standard_now.note.startswith("年初核定；") and "慈溪星火科技有限公司" in standard_now.note
    quarter = DuesPayment.objects.get(pk=company_quarter.pk)
    assert (quarter.method, quarter.payer_name, quarter.receipt_number) == ("not_recorded", "", "DF-2026-001")
    assert quarter.note.startswith("一季度；") and "慈溪星火科技有限公司" in quarter.note
    clerk = DuesPayment.objects.get(pk=company_via_clerk.pk)
    assert clerk.payer_name == "" and "王会计" in clerk.note and "公款代交不允许" in clerk.note

    # a relative's 代交 is untouched
    assert DuesStandard.objects.get(pk=by_wife.pk).payer_name == "周丽（配偶）"
    assert (DuesPayment.objects.get(pk=wife.pk).method, DuesPayment.objects.get(pk=wife.pk).note) == ("proxy", "")

    # one history entry for the member whose dues an enterprise paid, none for the other
    history = MemberChange.objects.get(member=paid_by_company)
    assert history.action == "updated" and history.changes == {"dues_payer": ["企业代交", "本人"]}
    assert "2026年党费标准" in history.note and "180.00" in history.note and "公款代交不允许" in history.note
    assert not MemberChange.objects.filter(member=paid_by_wife).exists()
