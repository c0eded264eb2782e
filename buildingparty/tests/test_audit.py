"""The audit log page: building admins see who took out personal data in their building, nobody else does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buildingparty.models import AuditRecord
from buildingparty.services import audit
from tests.factories import BuildingFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("audit_list")


def test_admin_sees_their_buildings_records_and_the_command_lines(admin_client, admin_user, secretary_a):
    audit(
        action=AuditRecord.Action.EXPORT,
        actor=secretary_a,
        subject="党员花名册",
        row_count=12,
        filters={"category": "probationary"},
        detail="xlsx",
    )
    audit(action=AuditRecord.Action.REVEAL_ID, actor=admin_user, subject="张三", object_id=7)
    audit(action=AuditRecord.Action.EXPORT, actor=None, subject="党员花名册", row_count=40, detail="csv, command line")
    response = admin_client.get(URL)
    assert response.status_code == 200
    records = list(response.context["page"])
    assert [r.subject for r in records] == ["党员花名册", "张三", "党员花名册"]  # newest first
    body = response.content.decode()
    assert secretary_a.display_name in body and "category: probationary" in body and "40" in body


def test_records_of_another_building_are_not_shown(admin_client):
    elsewhere = UserFactory(username="other_admin", role="admin", building=BuildingFactory(name="另一幢楼"))
    audit(action=AuditRecord.Action.EXPORT, actor=elsewhere, subject="另一幢楼的花名册")
    response = admin_client.get(URL)
    assert response.context["page"].paginator.count == 0
    assert "另一幢楼的花名册" not in response.content.decode()


def test_records_are_filtered_by_action_and_by_who(admin_client, admin_user, secretary_a):
    audit(action=AuditRecord.Action.EXPORT, actor=secretary_a, subject="导出")
    audit(action=AuditRecord.Action.IMPORT, actor=secretary_a, subject="导入")
    audit(action=AuditRecord.Action.EXPORT, actor=admin_user, subject="管理员导出")
    subjects = lambda params: [r.subject for r in admin_client.get(URL, params).context["page"]]  # noqa: E731
    assert subjects({"action": "export"}) == ["管理员导出", "导出"]
    assert subjects({"who": "sec_a"}) == ["导入", "导出"]
    assert subjects({"action": "export", "who": secretary_a.name}) == ["导出"]
    assert len(subjects({"action": "nonsense"})) == 3


@pytest.mark.parametrize("persona", ["secretary_a", "member_user", "street_user", "liaison_user"])
def test_only_building_admins_see_the_audit_log(request, login_as, persona):
    assert login_as(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_admins_find_the_audit_log_in_the_navigation(admin_client):
    assert "audit_list" in admin_client.get("/").context["nav_names"]


def test_audit_log_query_count_does_not_grow_with_records(admin_client, admin_user, secretary_a):
    def page_queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(URL).status_code == 200
        return len(captured.captured_queries)

    audit(action=AuditRecord.Action.EXPORT, actor=secretary_a, subject="一")
    one = page_queries()
    for actor in (admin_user, secretary_a, UserFactory(username="sec_x", role="admin", building=admin_user.building)):
        audit(action=AuditRecord.Action.EXPORT, actor=actor, subject="多")
    assert page_queries() == one


def test_audit_log_is_paginated_and_keeps_the_filters(admin_client, secretary_a):
    for n in range(55):
        audit(action=AuditRecord.Action.EXPORT, actor=secretary_a, subject=f"导出{n}")
    response = admin_client.get(URL, {"action": "export"})
    assert len(response.context["page"]) == 50
    assert "action=export&amp;page=2" in response.content.decode()
    assert len(admin_client.get(URL, {"action": "export", "page": 2}).context["page"]) == 5
