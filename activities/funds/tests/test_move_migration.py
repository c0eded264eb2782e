"""Moving FundEntry and LetterTemplate out of the activities app (activities 0003, funds and letters 0001-0002)
keeps every row with its foreign keys, renames the tables, and takes the content types, so the permissions
people were given, along.

The database is taken back to activities 0002, where both models still live in activities; rows are written
through the historical models, then everything is migrated forward again. Only the migrations that depend on
activities 0003 are undone; the other apps stay migrated, so the buildings, enterprises and users the rows point
to are made with today's models.
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from activities.funds.models import FundEntry
from buildingparty.models import User
from tests.factories import EnterpriseFactory

# The letters app is a sibling, which funds does not import, not even in its tests.
LetterTemplate = apps.get_model("letters", "LetterTemplate")

BEFORE = [("activities", "0002_alter_fundentry_recorded_by_and_more")]

FUND_FIELDS = [
    "id",
    "building_id",
    "date",
    "direction",
    "source",
    "enterprise_id",
    "purpose",
    "amount",
    "description",
    "voucher_number",
    "approver",
    "recorded_by_id",
    "recorded_at",
]
LETTER_FIELDS = ["id", "building_id", "audience", "title", "body", "signature", "updated_by_id", "updated_at"]


def migrate(targets):
    # A new executor each time: the loader reads which migrations are applied when it is made.
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


def tables():
    return set(connection.introspection.table_names())


@pytest.mark.django_db(transaction=True)
def test_moving_funds_and_letters_out_of_activities_keeps_every_row_and_permission(building, admin_user, secretary_a):
    sponsor = EnterpriseFactory(building=building, name="慈溪中央大厦物业管理有限公司")
    secretary = secretary_a
    fund_type = ContentType.objects.get_for_model(FundEntry)
    letter_type = ContentType.objects.get_for_model(LetterTemplate)
    may_change = Permission.objects.get(content_type=fund_type, codename="change_fundentry")
    secretary.user_permissions.add(
        may_change, Permission.objects.get(content_type=letter_type, codename="view_lettertemplate")
    )

    try:
        executor = migrate(BEFORE)
        assert {"activities_fundentry", "activities_lettertemplate"} <= tables()
        assert not {"funds_fundentry", "letters_lettertemplate"} & tables()
        # The way back returns the content types to activities, the same rows.
        assert ContentType.objects.filter(app_label="activities", model="fundentry").get().pk == fund_type.pk
        assert ContentType.objects.filter(app_label="activities", model="lettertemplate").get().pk == letter_type.pk

        old = executor.loader.project_state(BEFORE).apps
        OldFundEntry = old.get_model("activities", "FundEntry")
        OldLetterTemplate = old.get_model("activities", "LetterTemplate")
        OldFundEntry.objects.create(
            building_id=building.pk,
            date=datetime.date(2026, 3, 18),
            direction="income",
            source="street",
            amount=Decimal("20000.00"),
            description="浒山街道党工委拨付上半年楼宇党建工作经费",
            recorded_by_id=admin_user.pk,
        )
        OldFundEntry.objects.create(
            building_id=building.pk,
            date=datetime.date(2026, 4, 20),
            direction="income",
            source="enterprise",
            enterprise_id=sponsor.pk,
            amount=Decimal("5000.00"),
            description="资助楼宇党建活动",
            recorded_by_id=secretary.pk,
        )
        OldFundEntry.objects.create(
            building_id=building.pk,
            date=datetime.date(2026, 5, 14),
            direction="expense",
            purpose="activities",
            amount=Decimal("6800.50"),
            description="组织党员赴嘉兴南湖开展红色教育",
            voucher_number="记-2026-005",
            approver="沈建国",
        )
        OldLetterTemplate.objects.create(
            building_id=building.pk, audience="members", title="致中央大厦党员的一封信", body="{姓名}同志：您好！"
        )
        OldLetterTemplate.objects.create(
            building_id=building.pk,
            audience="owners",
            title="致“两新”组织企业主的一封信",
            body="{企业}：您好！",
            signature="中央大厦联合党总支",
            updated_by_id=admin_user.pk,
        )
        funds_before = list(OldFundEntry.objects.order_by("pk").values(*FUND_FIELDS))
        letters_before = list(OldLetterTemplate.objects.order_by("pk").values(*LETTER_FIELDS))
    finally:
        migrate(None)
        ContentType.objects.clear_cache()

    assert {"funds_fundentry", "letters_lettertemplate"} <= tables()
    assert not {"activities_fundentry", "activities_lettertemplate"} & tables()

    assert list(FundEntry.objects.order_by("pk").values(*FUND_FIELDS)) == funds_before
    income, sponsored, spent = FundEntry.objects.order_by("pk").select_related("building", "enterprise", "recorded_by")
    assert (income.building, income.enterprise, income.recorded_by) == (building, None, admin_user)
    assert (sponsored.building, sponsored.enterprise, sponsored.recorded_by) == (building, sponsor, secretary)
    assert (spent.building, spent.enterprise, spent.recorded_by) == (building, None, None)
    assert spent.amount == Decimal("6800.50") and spent.voucher_number == "记-2026-005"
    assert list(LetterTemplate.objects.order_by("pk").values(*LETTER_FIELDS)) == letters_before
    members_letter, owners_letter = LetterTemplate.objects.order_by("pk").select_related("building", "updated_by")
    assert (members_letter.building, members_letter.updated_by) == (building, None)
    assert (owners_letter.building, owners_letter.updated_by) == (building, admin_user)
    # New rows go on after the moved ones.
    assert FundEntry.objects.create(
        building=building, date=datetime.date(2026, 6, 1), direction="income", source="other", amount=1, description="x"
    ).pk > max(row["id"] for row in funds_before)

    # The content types moved (the same rows), so the permissions, and who was given them, came along.
    assert not ContentType.objects.filter(app_label="activities").exists()
    assert ContentType.objects.get(app_label="funds", model="fundentry").pk == fund_type.pk
    assert ContentType.objects.get(app_label="letters", model="lettertemplate").pk == letter_type.pk
    assert Permission.objects.get(codename="change_fundentry").pk == may_change.pk
    secretary = User.objects.get(pk=secretary.pk)  # no cached permissions
    assert secretary.has_perm("funds.change_fundentry") and secretary.has_perm("letters.view_lettertemplate")
    assert not secretary.has_perm("funds.delete_fundentry")
