"""ID numbers encrypted at rest (issue 14): the database, a dump or a backup never holds a readable ID number;
lookups go through the keyed hash, search through the last four; the data migration and key rotation."""

import base64
import datetime
import io
import secrets

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.urls import reverse

from buildingparty import crypto
from members.models import IncomingMobileMember, Member, MemberChange
from members.register import UNCHANGED, plan_import
from members.validators import mask_id_number
from tests.factories import MemberFactory, make_id_number

from .test_record_views import form_data
from .test_register_import import _row, _xlsx

pytestmark = pytest.mark.django_db


def _raw_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (a table name of ours)
        return cursor.fetchall()


def _raw_column(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {connection.ops.quote_name(table)} ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _every_table_as_text() -> str:
    """What a dump of the whole database would show."""
    return "\n".join(repr(_raw_rows(table)) for table in connection.introspection.table_names())


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


# --- nothing readable at rest -------------------------------------------------------------------------------


def test_a_raw_select_of_the_member_table_finds_no_id_number_in_clear(branch_a):
    members = [MemberFactory(organization=branch_a) for _ in range(3)]
    stored = _raw_column("members_member", "id_number")
    assert len(stored) == 3
    for member, value in zip(members, stored):
        assert member.id_number not in value and member.id_number[:14] not in value
        assert crypto.is_encrypted(value) and crypto.key_id_of(value) == crypto.current_key_id()
    assert repr(_raw_rows("members_member")).count(members[0].id_number) == 0
    # Read back through the model, the number is plain text again.
    assert sorted(Member.objects.values_list("id_number", flat=True)) == sorted(m.id_number for m in members)


def test_the_same_number_encrypts_differently_each_time(branch_a):
    member = MemberFactory(organization=branch_a)
    number, first = member.id_number, _raw_column("members_member", "id_number")[0]
    member.save()
    assert _raw_column("members_member", "id_number")[0] != first
    member.refresh_from_db()
    assert member.id_number == number


def test_creating_editing_revealing_and_printing_leave_no_id_number_anywhere_in_the_database(
    secretary_a_client, secretary_a, branch_a
):
    secretary_a_client.post(reverse("members:create"), form_data(branch_a))
    member = Member.objects.get(name="王五")
    old_number, new_number = member.id_number, make_id_number(322)
    secretary_a_client.post(
        reverse("members:edit", args=[member.pk]), form_data(branch_a, id_number=new_number, phone="13912349999")
    )
    secretary_a_client.post(reverse("members:reveal_id", args=[member.pk]))
    secretary_a_client.post(reverse("members:edit_reveal_id", args=[member.pk]))
    IncomingMobileMember.objects.create(
        name="流入",
        id_number=make_id_number(323),
        home_organization="外地党支部",
        host_organization=branch_a,
        since=datetime.date(2025, 1, 1),
    )
    member.refresh_from_db()
    assert member.id_number == new_number
    # The history shows the change, masked.
    assert member.changes.get(action=MemberChange.Action.UPDATED).changes["id_number"] == [
        mask_id_number(old_number),
        mask_id_number(new_number),
    ]
    dump = _every_table_as_text()
    for number in (old_number, new_number, make_id_number(323)):
        assert number not in dump
        assert number[6:14] + number[14:] not in dump  # not even without the region code


def test_the_incoming_members_number_is_encrypted_and_a_missing_one_stays_empty(branch_a):
    common = {"home_organization": "外地党支部", "host_organization": branch_a, "since": datetime.date(2025, 1, 1)}
    with_number = IncomingMobileMember.objects.create(name="甲", id_number=make_id_number(330), **common)
    IncomingMobileMember.objects.create(name="乙", id_number="", **common)
    stored = _raw_column("members_incomingmobilemember", "id_number")
    assert crypto.is_encrypted(stored[0]) and make_id_number(330) not in stored[0] and stored[1] == ""
    assert list(IncomingMobileMember.objects.with_id_numbers(make_id_number(330))) == [with_number]
    assert IncomingMobileMember.objects.get(name="乙").id_hash == ""


# --- finding a number ---------------------------------------------------------------------------------------


def test_a_member_is_found_by_id_number_through_the_keyed_hash(branch_a):
    member = MemberFactory(organization=branch_a)
    MemberFactory(organization=branch_a)
    assert list(Member.objects.with_id_numbers(member.id_number)) == [member]
    assert list(Member.objects.with_id_numbers(member.id_number.lower(), make_id_number(999))) == [member]
    assert member.id_last4 == member.id_number[-4:] and len(member.id_hash) == 64


def test_a_query_on_the_encrypted_column_fails_loudly_instead_of_finding_nothing(branch_a):
    member = MemberFactory(organization=branch_a)
    for lookup in ("id_number", "id_number__in", "id_number__endswith", "id_number__contains"):
        with pytest.raises(FieldError):
            Member.objects.filter(**{lookup: member.id_number}).exists()


def test_two_members_cannot_share_an_id_number(branch_a, branch_b):
    member = MemberFactory(organization=branch_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(organization=branch_b, id_number=member.id_number)


def test_the_form_says_the_number_is_already_registered(secretary_a_client, branch_a):
    MemberFactory(organization=branch_a, id_number=make_id_number(321))
    response = secretary_a_client.post(reverse("members:create"), form_data(branch_a, name="重复"))
    assert response.status_code == 200
    assert "已" in response.context["form"].errors["id_number"][0]
    assert not Member.objects.filter(name="重复").exists()


def test_the_import_still_matches_members_by_id_number(tmp_path, admin_user, branch_a):
    member = MemberFactory(organization=branch_a, name="张三", id_number=make_id_number(401))
    plan = plan_import(source=_xlsx(tmp_path / "in.xlsx", [_row()]), user=admin_user)
    assert plan.is_valid, plan.errors
    row = plan.rows[0]
    assert row.member is not None and row.member.pk == member.pk and row.kind != "new"
    assert plan.counts[UNCHANGED] + plan.counts.get("update", 0) == 1


def test_saving_only_the_id_number_keeps_hash_and_last_four_in_step(branch_a):
    member = MemberFactory(organization=branch_a)
    member.id_number = make_id_number(777)
    member.save(update_fields=["id_number"])
    assert list(Member.objects.with_id_numbers(make_id_number(777))) == [member]
    assert Member.objects.get(pk=member.pk).id_last4 == make_id_number(777)[-4:]


# --- the deploy check ---------------------------------------------------------------------------------------


def test_the_deploy_check_warns_when_the_keys_are_not_set():
    with override_settings(ID_ENCRYPTION_KEYS="", ID_HASH_KEY=""):
        assert [w.id for w in crypto.check_id_keys(None)] == ["buildingparty.W101"]
    with override_settings(ID_ENCRYPTION_KEYS=f"k1:{_key()}", ID_HASH_KEY=_key()):
        assert crypto.check_id_keys(None) == []


# --- key rotation -------------------------------------------------------------------------------------------


def test_rotate_keys_re_encrypts_under_the_new_key_and_re_hashes_under_the_new_hash_key(branch_a):
    old_key, old_hash_key = f"k1:{_key()}", _key()
    with override_settings(ID_ENCRYPTION_KEYS=old_key, ID_HASH_KEY=old_hash_key, ID_HASH_OLD_KEYS=[]):
        members = [MemberFactory(organization=branch_a) for _ in range(5)]
        IncomingMobileMember.objects.create(
            name="流入",
            id_number=make_id_number(340),
            home_organization="外地",
            host_organization=branch_a,
            since=datetime.date(2025, 1, 1),
        )
    new_hash_key = _key()
    rotating = {
        "ID_ENCRYPTION_KEYS": f"k2:{_key()},{old_key}",
        "ID_HASH_KEY": new_hash_key,
        "ID_HASH_OLD_KEYS": [old_hash_key],
    }
    with override_settings(**rotating):
        # During the rotation old values still open and old hashes still match.
        assert Member.objects.get(pk=members[0].pk).id_number == members[0].id_number
        assert list(Member.objects.with_id_numbers(members[1].id_number)) == [members[1]]
        out = io.StringIO()
        call_command("rotate_keys", "--batch-size", "2", stdout=out)
        assert "members.Member.id_number: 2/5 checked" in out.getvalue()
        assert "members.Member.id_number: 5/5 checked, 5 re-encrypted, 5 re-hashed" in out.getvalue()
        assert "members.IncomingMobileMember.id_number: 1/1 checked, 1 re-encrypted, 1 re-hashed" in out.getvalue()
        assert {crypto.key_id_of(v) for v in _raw_column("members_member", "id_number")} == {"k2"}
        again = io.StringIO()
        call_command("rotate_keys", stdout=again)
        assert "5/5 checked, 0 re-encrypted, 0 re-hashed" in again.getvalue()
    # The old keys can go: everything opens and matches under the new ones alone.
    only_new = {**rotating, "ID_ENCRYPTION_KEYS": rotating["ID_ENCRYPTION_KEYS"].split(",")[0], "ID_HASH_OLD_KEYS": []}
    with override_settings(**only_new):
        assert sorted(Member.objects.values_list("id_number", flat=True)) == sorted(m.id_number for m in members)
        for member in members:
            assert list(Member.objects.with_id_numbers(member.id_number)) == [member]
        assert IncomingMobileMember.objects.with_id_numbers(make_id_number(340)).count() == 1


def test_a_value_under_a_key_no_longer_configured_stops_with_a_clear_message(branch_a):
    with override_settings(ID_ENCRYPTION_KEYS=f"k7:{_key()}"):
        member = MemberFactory(organization=branch_a)
    with override_settings(ID_ENCRYPTION_KEYS=f"k8:{_key()}"):
        with pytest.raises(Exception, match="k7"):
            Member.objects.get(pk=member.pk)


# --- the data migration -------------------------------------------------------------------------------------

BEFORE = [("members", "0009_code_lists")]


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_every_existing_number_keeps_every_row_and_masks_the_history(building):
    from tests.factories import OrganizationFactory

    old = _migrate(BEFORE)
    branch = OrganizationFactory(building=building, name="迁移党支部")
    OldMember = old.get_model("members", "Member")
    numbers = [make_id_number(9300 + n) for n in range(4)]
    made = []
    for index, number in enumerate(numbers):
        made.append(
            OldMember.objects.create(
                name=f"党员{index}",
                id_number=number,
                gender="M",
                birth_date=datetime.date(1990, 1, 1),
                organization_id=branch.pk,
                joined_on=datetime.date(2015, 7, 1),
                full_member_on=datetime.date(2016, 7, 1),
                ethnicity="01",
            ).pk
        )
    old.get_model("members", "MemberChange").objects.create(
        member_id=made[0], action="updated", changes={"id_number": [numbers[1], numbers[0]], "phone": ["1", "2"]}
    )
    old.get_model("members", "IncomingMobileMember").objects.create(
        name="流入",
        id_number=make_id_number(9310),
        home_organization="外地",
        host_organization_id=branch.pk,
        since=datetime.date(2025, 1, 1),
    )
    assert numbers[0] in _raw_column("members_member", "id_number")  # plain before

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # through 0010–0012, and any later
    stored = _raw_column("members_member", "id_number")
    assert len(stored) == 4 and all(crypto.is_encrypted(v) for v in stored)
    assert not any(n in _every_table_as_text() for n in [*numbers, make_id_number(9310)])
    assert [m.id_number for m in Member.objects.filter(pk__in=made).order_by("pk")] == numbers
    for pk, number in zip(made, numbers):
        assert list(Member.objects.with_id_numbers(number).values_list("pk", flat=True)) == [pk]
    entry = MemberChange.objects.get(member_id=made[0])
    assert entry.changes == {"id_number": [mask_id_number(numbers[1]), mask_id_number(numbers[0])], "phone": ["1", "2"]}
    assert (
        IncomingMobileMember.objects.with_id_numbers(make_id_number(9310)).get().id_last4 == make_id_number(9310)[-4:]
    )

    # Going back puts the plain numbers back; forward again encrypts them again.
    _migrate(BEFORE)
    assert sorted(_raw_column("members_member", "id_number")) == sorted(numbers)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert not any(n in repr(_raw_rows("members_member")) for n in numbers)


def test_the_django_admin_shows_the_id_number_only_masked(client, branch_a):
    from tests.factories import UserFactory

    member = MemberFactory(organization=branch_a)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:members_member_change", args=[member.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert member.masked_id_number in body and member.id_number not in body
