"""Who did it stays on record (issue 14, point 10): history and audit rows keep the actor's name beside the
foreign key, a user named on any record is deactivated instead of deleted (in the admin and anywhere else), and
the data migrations fill the name for rows written before."""

import importlib

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from buildingparty.models import AuditRecord, User
from buildingparty.services import audit
from enterprises.models import EnterpriseChange
from members.models import MemberChange
from members.services import record_change
from tests.factories import EnterpriseFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(building):
    return UserFactory(username="clerk", name="王文书", role="admin", building=building)


def test_a_history_row_keeps_the_name_of_who_did_it(branch_a, clerk):
    change = record_change(member=MemberFactory(organization=branch_a), action=MemberChange.Action.UPDATED, by=clerk)
    record = audit(action=AuditRecord.Action.EXPORT, actor=clerk, subject="党员花名册")
    assert change.actor_name == record.actor_name == "王文书"


def test_the_kept_name_is_shown_once_the_link_to_the_user_is_gone(branch_a, clerk):
    change = record_change(member=MemberFactory(organization=branch_a), action=MemberChange.Action.UPDATED, by=clerk)
    MemberChange.objects.filter(pk=change.pk).update(changed_by=None)  # as a deletion would have left it
    change.refresh_from_db()
    assert change.actor_display == "王文书"


def test_a_user_named_on_a_record_cannot_be_deleted(branch_a, clerk):
    member = MemberFactory(organization=branch_a)
    change = record_change(member=member, action=MemberChange.Action.UPDATED, by=clerk)

    with pytest.raises(ProtectedError), transaction.atomic():
        clerk.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        User.objects.filter(pk=clerk.pk).delete()

    change.refresh_from_db()
    assert change.changed_by == clerk and User.objects.filter(pk=clerk.pk).exists()
    assert clerk.history_counts() == {str(MemberChange._meta.verbose_name_plural): 1}


def test_a_user_with_nothing_on_record_can_be_deleted(building):
    user = UserFactory(username="typo", building=building)
    assert user.history_counts() == {}
    user.delete()
    assert not User.objects.filter(username="typo").exists()


def test_deleting_a_user_on_record_in_the_admin_is_refused_with_a_way_to_deactivate(
    admin_client, admin_user, branch_a, clerk
):
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    record_change(member=MemberFactory(organization=branch_a), action=MemberChange.Action.UPDATED, by=clerk)
    url = reverse("admin:buildingparty_user_delete", args=[clerk.pk])

    page = admin_client.get(url)
    assert page.status_code == 200 and page.context["protected"]
    assert "停用" in str(page.context["protected"][-1]) or "Deactivate" in str(page.context["protected"][-1])

    response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:buildingparty_user_change", args=[clerk.pk])
    assert User.objects.filter(pk=clerk.pk).exists()
    assert any("clerk" in str(m) or "王文书" in str(m) for m in response.context["messages"])

    admin_client.post(
        reverse("admin:buildingparty_user_changelist"), {"action": "deactivate", "_selected_action": [clerk.pk]}
    )
    clerk.refresh_from_db()
    assert not clerk.is_active


def test_bulk_deleting_users_in_the_admin_spares_those_on_record(admin_client, admin_user, branch_a, clerk):
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    record_change(member=MemberFactory(organization=branch_a), action=MemberChange.Action.UPDATED, by=clerk)
    response = admin_client.post(
        reverse("admin:buildingparty_user_changelist"),
        {"action": "delete_selected", "_selected_action": [clerk.pk], "post": "yes"},
    )
    assert response.status_code == 200 and response.context["protected"]
    assert User.objects.filter(pk=clerk.pk).exists()


def test_the_user_admin_is_for_staff_only(secretary_a_client, clerk):
    response = secretary_a_client.get(reverse("admin:buildingparty_user_delete", args=[clerk.pk]))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


@pytest.mark.parametrize(
    ("module", "model", "field"),
    [
        ("members.migrations.0014_audit_fill_actor_names", MemberChange, "changed_by"),
        ("enterprises.migrations.0006_audit_fill_actor_names", EnterpriseChange, "changed_by"),
        ("buildingparty.migrations.0008_audit_fill_actor_names", AuditRecord, "actor"),
    ],
)
def test_the_data_migration_fills_the_name_for_older_rows_and_keeps_every_row(branch_a, clerk, module, model, field):
    if model is MemberChange:
        record_change(member=MemberFactory(organization=branch_a), action=MemberChange.Action.UPDATED, by=clerk)
        record_change(member=MemberFactory(organization=branch_a), action=MemberChange.Action.UPDATED, by=None)
    elif model is EnterpriseChange:
        enterprise = EnterpriseFactory(building=branch_a.building)
        EnterpriseChange.objects.create(enterprise=enterprise, action="updated", changed_by=clerk)
        EnterpriseChange.objects.create(enterprise=enterprise, action="updated", changed_by=None)
    else:
        audit(action=AuditRecord.Action.EXPORT, actor=clerk, subject="党员花名册")
        audit(action=AuditRecord.Action.EXPORT, actor=None, subject="命令行导出")
    model.objects.update(actor_name="")  # as the rows were before the column existed
    before = model.objects.count()

    importlib.import_module(module).fill_actor_names(apps, None)

    assert model.objects.count() == before
    names = dict(model.objects.values_list(f"{field}_id", "actor_name"))
    assert names[clerk.pk] == "王文书" and names[None] == ""
