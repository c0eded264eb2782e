"""The enterprise register out: its columns, the export view for each role, and the export_register command."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from buildingparty import registers
from buildingparty.models import AuditRecord
from enterprises.models import Enterprise
from tests.factories import BuildingFactory, EnterpriseFactory, MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "类型",
    "行业",
    "楼层",
    "房间号",
    "从业人数",
    "法定代表人",
    "联系人",
    "联系电话",
    "经营者对党建态度",
    "党组织覆盖",
    "所属党组织",
    "党务联络员账号",
    "入驻日期",
    "迁出日期",
    "状态",
    "党员人数",
    "正式党员人数",
]
EXPORT = reverse("enterprises:export")


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx_sheet(response, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return openpyxl.load_workbook(path).active


def _names(response) -> list[str]:
    return [r[0] for r in _csv_rows(response)[1:]]


@pytest.fixture
def joint_branch(general_branch):
    return OrganizationFactory(
        building=general_branch.building, name="第一联合支部", kind="joint_branch", parent=general_branch
    )


@pytest.fixture
def rich_enterprise(building, joint_branch, liaison_user, enterprise):
    """The conftest enterprise with every register item filled in, covered by a joint branch."""
    for field, value in {
        "name": "慈溪恒信电子商务有限公司",
        "industry": "电子商务",
        "floor": 12,
        "room": "1203",
        "employees": 35,
        "legal_representative": "王大明",
        "contact_name": "李小红",
        "contact_phone": "13812345678",
        "attitude": Enterprise.Attitude.RESERVED,
        "party_org_status": Enterprise.PartyOrgStatus.JOINT_BRANCH,
        "party_organization": joint_branch,
        "moved_in_on": datetime.date(2021, 3, 1),
    }.items():
        setattr(enterprise, field, value)
    enterprise.save()
    return enterprise


# --- the columns --------------------------------------------------------------------------------------------


def test_register_has_the_chinese_headers_in_order_with_the_member_counts_last():
    assert registers.get("enterprises").headers == HEADERS


def test_a_row_carries_chinese_labels_the_liaison_account_and_the_organisation_name(rich_enterprise):
    register = registers.get("enterprises")
    row = dict(zip(HEADERS, register.row(register.objects().get())))
    assert row["类型"] == "企业" and row["经营者对党建态度"] == "有顾虑" and row["党组织覆盖"] == "联合支部"
    assert row["所属党组织"] == "第一联合支部" and row["党务联络员账号"] == "liaison"
    assert row["状态"] == "在驻" and row["入驻日期"] == datetime.date(2021, 3, 1) and row["迁出日期"] is None
    assert row["楼层"] == 12 and row["从业人数"] == 35


def test_register_labels_stay_chinese_when_the_interface_is_english(rich_enterprise):
    register = registers.get("enterprises")
    with translation.override("en"):
        row = register.row(register.objects().get())
    assert "企业" in row and "有顾虑" in row and "联合支部" in row and "在驻" in row


def test_member_counts_are_members_in_normal_standing_from_the_member_register(rich_enterprise, branch_a):
    MemberFactory.create_batch(2, organization=branch_a, enterprise=rich_enterprise)
    MemberFactory(organization=branch_a, enterprise=rich_enterprise, category="probationary", full_member_on=None)
    MemberFactory(organization=branch_a, enterprise=rich_enterprise, status="suspended")
    MemberFactory(organization=branch_a)  # works elsewhere
    register = registers.get("enterprises")
    row = dict(zip(HEADERS, register.row(register.objects().get(pk=rich_enterprise.pk))))
    assert (row["党员人数"], row["正式党员人数"]) == (3, 2)


# --- the export view ----------------------------------------------------------------------------------------


def test_admin_exports_csv_with_a_bom_chinese_headers_and_crlf(admin_client, rich_enterprise):
    EnterpriseFactory(building=BuildingFactory(name="另一幢楼"), name="别的楼的公司")
    response = admin_client.get(EXPORT, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "filename*=UTF-8''" in response["Content-Disposition"] and "enterprises-" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff企业名称,统一社会信用代码,类型,")
    assert text.count("\r\n") == 2 and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == HEADERS
    assert rows[1][:3] == ["慈溪恒信电子商务有限公司", rich_enterprise.credit_code, "企业"]


def test_admin_exports_xlsx_with_the_credit_code_and_phone_as_text_and_numbers_as_numbers(
    admin_client, rich_enterprise, branch_a, tmp_path
):
    MemberFactory(organization=branch_a, enterprise=rich_enterprise)
    response = admin_client.get(EXPORT, {"format": "xlsx"})
    assert response["Content-Type"] == registers.CONTENT_TYPES["xlsx"]
    sheet = _xlsx_sheet(response, tmp_path)
    assert [c.value for c in sheet[1]] == HEADERS
    code, phone = sheet.cell(2, 2), sheet.cell(2, 10)
    assert code.value == rich_enterprise.credit_code and code.data_type == "s" and code.number_format == "@"
    assert phone.value == "13812345678" and phone.data_type == "s"
    assert sheet.cell(2, 5).value == 12 and sheet.cell(2, 5).data_type == "n"  # the floor
    assert sheet.cell(2, 18).value == 1 and sheet.cell(2, 19).value == 1  # the member counts
    assert sheet.cell(2, 15).value == datetime.datetime(2021, 3, 1)


def test_secretary_exports_the_enterprises_of_their_building(secretary_a_client, building):
    EnterpriseFactory(building=building, name="本楼公司")
    EnterpriseFactory(building=BuildingFactory(name="另一幢楼"), name="别的楼的公司")
    assert _names(secretary_a_client.get(EXPORT, {"format": "csv"})) == ["本楼公司"]


def test_street_viewer_exports_every_building(login_as, street_user, building):
    EnterpriseFactory(building=building, name="本楼公司", floor=3)
    EnterpriseFactory(building=BuildingFactory(name="另一幢楼"), name="别的楼的公司", floor=4)
    assert _names(login_as(street_user).get(EXPORT, {"format": "csv"})) == ["本楼公司", "别的楼的公司"]


def test_liaison_exports_only_the_enterprises_assigned_to_them(login_as, liaison_user, enterprise, building):
    EnterpriseFactory(building=building, name="别人联系的公司")
    response = login_as(liaison_user).get(EXPORT, {"format": "csv"})
    assert response.status_code == 200
    assert _names(response) == [enterprise.name]
    assert AuditRecord.objects.get().actor == liaison_user


@pytest.mark.parametrize("persona", ["member_user", "contact_user", "outsider"])
def test_members_and_enterprise_contacts_cannot_export(request, login_as, persona):
    assert login_as(request.getfixturevalue(persona)).get(EXPORT, {"format": "csv"}).status_code == 403
    assert not AuditRecord.objects.exists()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(EXPORT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_export_refuses_post_and_unknown_formats(admin_client):
    assert admin_client.post(EXPORT).status_code == 405
    assert admin_client.get(EXPORT, {"format": "pdf"}).status_code == 400
    assert not AuditRecord.objects.exists()


def test_export_shows_what_the_list_shows_the_enterprises_in_the_building_unless_asked(admin_client, building):
    EnterpriseFactory(building=building, name="在驻公司", floor=3)
    EnterpriseFactory(
        building=building,
        name="已迁出公司",
        floor=4,
        status=Enterprise.Status.MOVED_OUT,
        moved_out_on=datetime.date(2025, 6, 30),
    )
    assert _names(admin_client.get(EXPORT, {"format": "csv"})) == ["在驻公司"]
    assert _names(admin_client.get(EXPORT, {"format": "csv", "status": "all"})) == ["在驻公司", "已迁出公司"]
    rows = _csv_rows(admin_client.get(EXPORT, {"format": "csv", "status": "moved_out"}))
    assert [(r[0], r[15], r[16]) for r in rows[1:]] == [("已迁出公司", "2025-06-30", "已迁出")]


def test_export_search_and_filters_match_the_list(admin_client, building):
    EnterpriseFactory(building=building, name="恒信科技有限公司")
    EnterpriseFactory(building=building, name="华宇贸易有限公司", kind=Enterprise.Kind.SOCIAL_ORG)
    assert _names(admin_client.get(EXPORT, {"format": "csv", "q": "恒信"})) == ["恒信科技有限公司"]
    assert _names(admin_client.get(EXPORT, {"format": "csv", "kind": "social_org"})) == ["华宇贸易有限公司"]


def test_every_export_is_recorded_with_who_what_filters_and_how_many(admin_client, admin_user, building):
    EnterpriseFactory.create_batch(2, building=building)
    admin_client.get(EXPORT, {"format": "xlsx", "kind": "company"}, REMOTE_ADDR="10.0.0.7")
    record = AuditRecord.objects.get()
    assert record.action == AuditRecord.Action.EXPORT and record.actor == admin_user
    assert record.subject == "企业名录" and record.object_id == "enterprises"
    assert record.building == admin_user.building and record.ip_address == "10.0.0.7"
    assert record.row_count == 2 and record.detail == "xlsx" and record.filters == {"kind": "company"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_query_count_does_not_grow_with_rows(admin_client, building, joint_branch, branch_a, fmt):
    def export_queries():
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(EXPORT, {"format": fmt})
            b"".join(response.streaming_content)
        return len(captured.captured_queries)

    def covered_enterprise():
        liaison = UserFactory(role="liaison", building=building)
        enterprise = EnterpriseFactory(
            building=building, party_org_status="joint_branch", party_organization=joint_branch, liaison=liaison
        )
        MemberFactory(organization=branch_a, enterprise=enterprise)

    covered_enterprise()
    one = export_queries()
    covered_enterprise()
    covered_enterprise()
    assert export_queries() == one


# --- the export_register command ----------------------------------------------------------------------------


def test_export_register_command_writes_every_enterprise_and_records_it(building, tmp_path):
    EnterpriseFactory(building=building, name="本楼公司")
    EnterpriseFactory(building=BuildingFactory(name="另一幢楼"), name="别的楼的公司")
    out = tmp_path / "enterprises.csv"
    stdout = io.StringIO()
    call_command("export_register", "enterprises", "--format", "csv", "--output", str(out), stdout=stdout)
    assert "企业名录: 2 行" in stdout.getvalue()
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0] == HEADERS and len(rows) == 3
    record = AuditRecord.objects.get()
    assert record.actor is None and record.subject == "企业名录" and "命令行" in record.detail


def test_export_register_command_with_a_liaison_takes_only_their_enterprises(liaison_user, enterprise, tmp_path):
    EnterpriseFactory(building=enterprise.building, name="别人联系的公司")
    out = tmp_path / "mine.xlsx"
    call_command("export_register", "enterprises", "--user", "liaison", "--output", str(out), stdout=io.StringIO())
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [enterprise.name]


def test_export_register_command_refuses_a_member(member_user, tmp_path):
    with pytest.raises(CommandError):
        call_command("export_register", "enterprises", "--user", "member_a", "--output", str(tmp_path / "x.csv"))
    assert not AuditRecord.objects.exists()
