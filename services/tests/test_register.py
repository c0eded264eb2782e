"""The service register (服务台账): its rows, the export view and the command line, each export recorded."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from buildingparty import registers
from buildingparty.models import AuditRecord
from services.models import ServiceCategory, ServiceRequest
from tests.factories import BuildingFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("services:export")
Status = ServiceRequest.Status
HEADERS = [
    "编号",
    "提交时间",
    "类别",
    "主题",
    "申请人",
    "所在支部/企业",
    "状态",
    "承办人",
    "办结时限",
    "受理时间",
    "办结时间",
    "是否超时",
    "评分",
    "评价",
]


def at(month, day, hour=9, year=2026):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


@pytest.fixture
def rows(building, branch_a, branch_b, enterprise, member_user, contact_user, secretary_a, admin_user):
    transfer = ServiceCategory.objects.create(
        building=building, code="transfer", name="组织关系接转", audience="members"
    )
    policy = ServiceCategory.objects.create(
        building=building, code="policy-advice", name="政策咨询", audience="enterprises"
    )
    common = {"description": "…", "building": building}
    done = ServiceRequest.objects.create(
        category=transfer,
        title="开具组织关系介绍信",
        requester=member_user,
        organization=branch_a,
        status=Status.CLOSED,
        assigned_to=secretary_a,
        submitted_at=at(3, 2),
        due_at=at(3, 9),
        accepted_at=at(3, 2, 11),
        resolved_at=at(3, 10),
        closed_at=at(3, 11),
        rating=4,
        feedback="=SUM(A1) 办得不错",
        **common,
    )
    late = ServiceRequest.objects.create(
        category=policy,
        title="高新技术企业认定政策解读",
        requester=contact_user,
        enterprise=enterprise,
        submitted_at=at(4, 1),
        due_at=at(4, 8),
        **common,
    )
    other_branch = ServiceRequest.objects.create(
        category=transfer,
        title="第二支部的申请",
        requester=admin_user,
        organization=branch_b,
        status=Status.WITHDRAWN,
        submitted_at=at(5, 1),
        due_at=at(5, 8),
        closed_at=at(5, 2),
        **common,
    )
    last_year = ServiceRequest.objects.create(
        category=transfer,
        title="去年的申请",
        requester=member_user,
        organization=branch_a,
        submitted_at=at(12, 30, year=2025),
        due_at=at(1, 6),
        status=Status.REJECTED,
        reject_reason="材料不全",
        closed_at=at(1, 5),
        **common,
    )
    return {"done": done, "late": late, "other_branch": other_branch, "last_year": last_year}


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_register_is_registered_with_its_columns():
    register = registers.get("services")
    assert register.title == "服务台账" and register.headers == HEADERS


def test_the_csv_export_holds_the_periods_rows_and_is_recorded(admin_client, admin_user, rows, enterprise):
    response = admin_client.get(EXPORT, {"from": "2026-01-01", "to": "2026-12-31", "format": "csv"})
    assert response.status_code == 200
    assert "services-2026-01-01_2026-12-31.csv" in response["Content-Disposition"]
    table = read_csv(response)
    assert table[0] == HEADERS
    done, late = rows["done"], rows["late"]
    assert table[1] == [
        str(done.pk),
        "2026-03-02 09:00",
        "组织关系接转",
        "开具组织关系介绍信",
        done.requester.display_name,
        "第一党支部",
        "已关闭",
        rows["done"].assigned_to.display_name,
        "2026-03-09 09:00",
        "2026-03-02 11:00",
        "2026-03-10 09:00",
        "是",
        "4",
        "'=SUM(A1) 办得不错",  # a formula is written as text
    ]
    assert table[2][:8] == [
        str(late.pk),
        "2026-04-01 09:00",
        "政策咨询",
        "高新技术企业认定政策解读",
        late.requester.display_name,
        enterprise.name,
        "已提交",
        "",
    ]
    assert table[2][11:] == ["是", "", ""]  # still open after its time limit
    assert table[3][6] == "已撤回" and table[3][11] == ""  # withdrawn: no answer to "late"
    assert len(table) == 4  # last year's is outside the period
    record = AuditRecord.objects.get(action=AuditRecord.Action.EXPORT)
    assert (record.actor, record.object_id, record.subject, record.row_count, record.filters) == (
        admin_user,
        "services",
        "服务台账",
        3,
        {"from": "2026-01-01", "to": "2026-12-31"},
    )


def test_a_secretary_exports_their_branchs_requests_as_xlsx(secretary_a_client, rows, tmp_path):
    response = secretary_a_client.get(EXPORT, {"from": "2025-01-01", "to": "2026-12-31", "format": "xlsx"})
    assert response.status_code == 200
    path = tmp_path / "services.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    table = [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    assert list(table[0]) == HEADERS
    assert [r[3] for r in table[1:]] == ["去年的申请", "开具组织关系介绍信"]
    assert table[1][6] == "已驳回" and table[1][11] == "否"
    assert table[2][0] == rows["done"].pk and table[2][12] == 4  # numbers Excel can sum
    assert AuditRecord.objects.filter(action=AuditRecord.Action.EXPORT, row_count=2).exists()


@pytest.mark.parametrize("persona", ["street_user", "liaison_user", "member_user", "contact_user"])
def test_others_cannot_export_the_register(request, login_as, building, persona):
    assert login_as(request.getfixturevalue(persona)).get(EXPORT).status_code == 403
    assert not AuditRecord.objects.exists()


def test_an_unknown_format_or_a_backward_period_is_refused(admin_client):
    assert admin_client.get(EXPORT, {"format": "pdf"}).status_code == 400
    assert admin_client.get(EXPORT, {"from": "2026-06-01", "to": "2026-01-01"}).status_code == 400
    assert not AuditRecord.objects.exists()


def test_another_buildings_requests_stay_out(admin_client, rows):
    other = BuildingFactory(name="另一幢楼")
    stranger = UserFactory(username="stranger", role="admin", building=other)
    category = ServiceCategory.objects.create(building=other, code="x", name="别人的类别", audience="members")
    ServiceRequest.objects.create(
        building=other,
        category=category,
        title="别人的申请",
        description="…",
        requester=stranger,
        submitted_at=at(3, 3),
        due_at=at(3, 10),
    )
    text = b"".join(admin_client.get(EXPORT, {"from": "2026-01-01", "format": "csv"}).streaming_content).decode()
    assert "别人的申请" not in text and "开具组织关系介绍信" in text


def test_the_command_line_exports_the_register(rows, tmp_path):
    out = tmp_path / "services.csv"
    call_command("export_register", "services", "--format", "csv", "--output", str(out), stdout=io.StringIO())
    table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert table[0] == HEADERS and len(table) == 5
    assert AuditRecord.objects.filter(object_id="services", row_count=4, actor=None).exists()


def test_the_command_line_with_a_secretary_exports_their_scope(rows, secretary_a, tmp_path):
    out = tmp_path / "services.xlsx"
    call_command(
        "export_register", "services", "--output", str(out), "--user", secretary_a.username, stdout=io.StringIO()
    )
    assert openpyxl.load_workbook(out).active.max_row == 3
    assert AuditRecord.objects.filter(object_id="services", row_count=2, actor=secretary_a).exists()
