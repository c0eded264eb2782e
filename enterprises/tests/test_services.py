"""The registry's writes: registering, editing with history, moving out and back in."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from enterprises import services
from enterprises.models import Enterprise, EnterpriseChange
from tests.factories import EnterpriseFactory, UserFactory, make_credit_code

pytestmark = pytest.mark.django_db


def test_registering_an_enterprise_opens_its_history(building, admin_user):
    enterprise = Enterprise(
        building=building, name="慈溪恒信贸易有限公司", credit_code=make_credit_code(901), floor=5, room="501"
    )
    services.enterprise_create(enterprise=enterprise, created_by=admin_user)
    entry = enterprise.changes.get()
    assert (entry.action, entry.changed_by) == (EnterpriseChange.Action.CREATED, admin_user)
    assert entry.changes["name"] == [None, "慈溪恒信贸易有限公司"] and entry.changes["room"] == [None, "501"]


def test_editing_records_old_and_new_values(building, admin_user):
    enterprise = EnterpriseFactory(building=building, room="501")
    liaison = UserFactory(role="liaison", building=building, name="王联络")
    enterprise.room, enterprise.liaison = "1203", liaison
    changes = services.enterprise_update(enterprise=enterprise, changed_by=admin_user, note="换了房间")
    assert changes == {"room": ["501", "1203"], "liaison": [None, "王联络"]}
    entry = enterprise.changes.get()
    assert (entry.action, entry.note, entry.changed_by) == ("updated", "换了房间", admin_user)
    enterprise.refresh_from_db()
    assert enterprise.room == "1203"


def test_an_edit_that_changes_nothing_leaves_no_history(building, admin_user):
    enterprise = EnterpriseFactory(building=building)
    assert services.enterprise_update(enterprise=enterprise, changed_by=admin_user) == {}
    assert not enterprise.changes.exists()


def test_moving_out_closes_the_enterprise_and_keeps_it(building, admin_user):
    enterprise = EnterpriseFactory(building=building, moved_in_on=datetime.date(2020, 3, 1))
    services.enterprise_move_out(enterprise=enterprise, on=datetime.date(2026, 6, 30), by=admin_user, note="到期")
    enterprise.refresh_from_db()
    assert (enterprise.status, enterprise.moved_out_on) == ("moved_out", datetime.date(2026, 6, 30))
    entry = enterprise.changes.get()
    assert entry.action == "moved_out" and entry.note == "到期"
    assert entry.changes["status"] == ["active", "moved_out"]


def test_an_enterprise_cannot_move_out_twice(building, admin_user):
    enterprise = EnterpriseFactory(building=building)
    services.enterprise_move_out(enterprise=enterprise, on=datetime.date(2026, 1, 1), by=admin_user)
    with pytest.raises(ValidationError):
        services.enterprise_move_out(enterprise=enterprise, on=datetime.date(2026, 2, 1), by=admin_user)
    assert enterprise.changes.count() == 1


def test_an_enterprise_cannot_move_out_before_it_moved_in(building, admin_user):
    enterprise = EnterpriseFactory(building=building, moved_in_on=datetime.date(2024, 5, 1))
    with pytest.raises(ValidationError) as raised:
        services.enterprise_move_out(enterprise=enterprise, on=datetime.date(2024, 4, 30), by=admin_user)
    assert "moved_out_on" in raised.value.error_dict
    enterprise.refresh_from_db()
    assert enterprise.status == "active"


def test_moving_back_in_starts_a_new_tenancy(building, admin_user):
    enterprise = EnterpriseFactory(building=building, moved_in_on=datetime.date(2020, 1, 1))
    services.enterprise_move_out(enterprise=enterprise, on=datetime.date(2025, 1, 1), by=admin_user)
    services.enterprise_move_in(enterprise=enterprise, on=datetime.date(2026, 3, 1), by=admin_user)
    enterprise.refresh_from_db()
    assert (enterprise.status, enterprise.moved_in_on, enterprise.moved_out_on) == (
        "active",
        datetime.date(2026, 3, 1),
        None,
    )
    assert [c.action for c in enterprise.changes.all()] == ["moved_in", "moved_out"]


def test_an_enterprise_in_the_building_cannot_move_in(building, admin_user):
    enterprise = EnterpriseFactory(building=building)
    with pytest.raises(ValidationError):
        services.enterprise_move_in(enterprise=enterprise, on=datetime.date(2026, 3, 1), by=admin_user)
    assert not enterprise.changes.exists()
