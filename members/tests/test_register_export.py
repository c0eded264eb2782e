"""The member register out: its columns, the export view for each role, and the printable information form."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from buildingparty import registers
from buildingparty.models import AuditRecord
from members.models import JobCategory, MobilePeriod
from tests.factories import EnterpriseFactory, MemberFactory

pytestmark = pytest.mark.django_db

SIXTEEN_ITEMS = [
    "姓名",
    "性别",
    "民族",
    "身份证号",
    "出生日期",
    "学历",
    "人员类别",
    "所在党支部",
    "入党日期",
    "转正日期",
    "工作岗位",
    "联系电话",
    "家庭住址",
    "党籍状态",
    "是否失联",
    "是否流动党员",
]
EXPORT = reverse("members:export")


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx_rows(response, tmp_path) -> list[list]:
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]


@pytest.fixture
def rich_member(branch_a, enterprise):
    """A member with every register item filled in, mobile and out of contact."""
    member = MemberFactory(
        name="张三",
        organization=branch_a,
        enterprise=enterprise,
        education="21",
        job_category=JobCategory.objects.get(code="02"),
        job_note="会计",
        home_address="慈溪市古塘街道",
        lost_contact_since=datetime.date(2026, 3, 1),
        is_mobile=True,
        mobile_destination="浙江省杭州市西湖区",
    )
    MobilePeriod.objects.create(
        member=member, province="浙江省", city="杭州市", county="西湖区", since=datetime.date(2026, 1, 1)
    )
    return member


# --- the columns --------------------------------------------------------------------------------------------


def test_register_has_the_sixteen_national_items_in_order_then_enterprise_and_room():
    assert registers.get("members").headers == SIXTEEN_ITEMS + ["党小组", "所在企业", "房间号", "岗位说明"]


def test_a_row_carries_chinese_labels_iso_dates_and_the_lost_and_mobile_details(rich_member, enterprise):
    row = dict(zip(registers.get("members").headers, registers.get("members").row(rich_member)))
    assert row["性别"] == "男" and row["学历"] == "大学本科" and row["人员类别"] == "正式党员"
    assert row["党籍状态"] == "正常" and row["所在党支部"] == "第一党支部"
    assert row["身份证号"] == rich_member.masked_id_number
    assert row["入党日期"] == datetime.date(2015, 7, 1)
    assert row["是否失联"] == "是（2026-03-01起）"
    assert row["是否流动党员"] == "是（浙江省杭州市西湖区）"
    assert row["所在企业"] == enterprise.name and row["房间号"] == enterprise.room
    assert row["民族"] == "汉族" and row["工作岗位"] == "专业技术人员" and row["岗位说明"] == "会计"


def test_register_labels_stay_chinese_when_the_interface_is_english(rich_member):
    with translation.override("en"):
        row = registers.get("members").row(rich_member)
    assert "男" in row and "正式党员" in row and "正常" in row


def test_a_member_in_contact_and_not_mobile_reads_no_and_no(branch_a):
    row = registers.get("members").row(
        MemberFactory(organization=branch_a, category="probationary", full_member_on=None)
    )
    assert row[6] == "预备党员" and row[14] == "否" and row[15] == "否"


# --- the export view ----------------------------------------------------------------------------------------


def test_admin_exports_csv_with_chinese_headers_crlf_and_masked_ids(admin_client, rich_member, branch_b):
    MemberFactory(organization=branch_b)
    response = admin_client.get(EXPORT, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "filename*=UTF-8''" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0][:16] == SIXTEEN_ITEMS
    assert len(rows) == 3
    assert rich_member.id_number not in str(rows) and rich_member.masked_id_number in rows[1]


def test_csv_lines_end_with_crlf(admin_client, rich_member):
    text = b"".join(admin_client.get(EXPORT, {"format": "csv"}).streaming_content).decode()
    assert text.count("\r\n") == 2 and "\n" not in text.replace("\r\n", "")


def test_admin_exports_xlsx_that_opens_with_text_ids(admin_client, rich_member, tmp_path):
    response = admin_client.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == registers.CONTENT_TYPES["xlsx"]
    assert "xlsx" in response["Content-Disposition"]
    rows = _xlsx_rows(response, tmp_path)
    assert rows[0][:16] == SIXTEEN_ITEMS
    assert rows[1][3] == rich_member.masked_id_number
    assert rows[1][11] == rich_member.phone  # a phone stays text, every digit


def test_secretary_exports_only_their_branch(secretary_a_client, branch_a, branch_b):
    MemberFactory(organization=branch_a, name="甲支部党员")
    MemberFactory(organization=branch_b, name="乙支部党员")
    names = [r[0] for r in _csv_rows(secretary_a_client.get(EXPORT, {"format": "csv"}))[1:]]
    assert names == ["甲支部党员"]


def test_secretary_cannot_widen_the_export_with_another_branch_filter(secretary_a_client, branch_a, branch_b):
    MemberFactory(organization=branch_b, name="乙支部党员")
    response = secretary_a_client.get(EXPORT, {"format": "csv", "organization": branch_b.pk})
    assert "乙支部党员" not in b"".join(response.streaming_content).decode()


def test_street_viewer_exports_every_building_with_masked_ids(login_as, street_user, branch_a, outsider):
    member = MemberFactory(organization=branch_a)
    rows = _csv_rows(login_as(street_user).get(EXPORT, {"format": "csv"}))
    assert len(rows) == 3
    assert member.masked_id_number in str(rows) and member.id_number not in str(rows)


def test_export_respects_the_list_filters(admin_client, branch_a):
    MemberFactory(organization=branch_a, name="正式同志")
    MemberFactory(organization=branch_a, name="预备同志", category="probationary", full_member_on=None)
    response = admin_client.get(EXPORT, {"format": "csv", "category": "probationary"})
    assert [r[0] for r in _csv_rows(response)[1:]] == ["预备同志"]
    record = AuditRecord.objects.get()
    assert record.filters == {"category": "probationary"} and record.row_count == 1


def test_export_search_matches_the_list_search(admin_client, branch_a):
    MemberFactory(organization=branch_a, name="张三")
    MemberFactory(organization=branch_a, name="李四")
    assert [r[0] for r in _csv_rows(admin_client.get(EXPORT, {"format": "csv", "q": "张"}))[1:]] == ["张三"]


def test_every_export_is_recorded_with_who_what_and_how_many(admin_client, admin_user, rich_member):
    admin_client.get(EXPORT, {"format": "xlsx"}, REMOTE_ADDR="10.0.0.7")
    record = AuditRecord.objects.get()
    assert record.action == AuditRecord.Action.EXPORT and record.actor == admin_user
    assert record.building == admin_user.building and record.subject == "党员花名册"
    assert record.row_count == 1 and record.detail == "xlsx" and record.ip_address == "10.0.0.7"


def test_admin_may_export_full_ids_and_it_is_recorded(admin_client, rich_member, tmp_path):
    rows = _xlsx_rows(admin_client.get(EXPORT, {"format": "xlsx", "full_ids": "1"}), tmp_path)
    assert rows[1][3] == rich_member.id_number
    assert "含完整身份证号" in AuditRecord.objects.get().detail


@pytest.mark.parametrize("persona", ["secretary_a", "street_user"])
def test_only_admins_may_export_full_ids(request, login_as, persona, rich_member):
    response = login_as(request.getfixturevalue(persona)).get(EXPORT, {"format": "csv", "full_ids": "1"})
    assert response.status_code == 403
    assert not AuditRecord.objects.exists()


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user"])
def test_members_liaisons_and_contacts_cannot_export(request, login_as, persona):
    assert login_as(request.getfixturevalue(persona)).get(EXPORT, {"format": "csv"}).status_code == 403
    assert not AuditRecord.objects.exists()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(EXPORT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_export_refuses_post_and_unknown_formats(admin_client):
    assert admin_client.post(EXPORT).status_code == 405
    assert admin_client.get(EXPORT, {"format": "pdf"}).status_code == 400


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_query_count_does_not_grow_with_rows(admin_client, branch_a, fmt):
    def export_queries():
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(EXPORT, {"format": fmt})
            b"".join(response.streaming_content)
        return len(captured.captured_queries)

    MemberFactory(organization=branch_a, enterprise=EnterpriseFactory(building=branch_a.building))
    one = export_queries()
    MemberFactory.create_batch(2, organization=branch_a, enterprise=EnterpriseFactory(building=branch_a.building))
    assert export_queries() == one


# --- the printable information form -------------------------------------------------------------------------


def test_print_form_shows_the_register_items_with_a_masked_id(admin_client, rich_member):
    response = admin_client.get(reverse("members:print_form", args=[rich_member.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "css/print.css" in body and 'id="print-button"' in body  # A4: tests/test_print_css.py
    assert rich_member.masked_id_number in body and rich_member.id_number not in body
    for text in ("张三", "会计", "慈溪市古塘街道", "浙江省杭州市西湖区", "2026-03-01", rich_member.enterprise.name):
        assert text in body
    assert not AuditRecord.objects.exists()


def test_print_form_with_full_id_for_an_admin_is_recorded(admin_client, admin_user, rich_member):
    response = admin_client.get(reverse("members:print_form", args=[rich_member.pk]), {"full_id": "1"})
    assert rich_member.id_number in response.content.decode()
    record = AuditRecord.objects.get()
    assert record.action == AuditRecord.Action.PRINT and record.actor == admin_user
    assert record.object_id == str(rich_member.pk)


def test_a_member_prints_their_own_form_but_never_with_the_full_id(member_client, member_user):
    url = reverse("members:print_form", args=[member_user.member.pk])
    assert member_client.get(url).status_code == 200
    assert member_client.get(url, {"full_id": "1"}).status_code == 403


def test_print_form_of_another_branch_is_not_found(secretary_a_client, branch_b):
    other = MemberFactory(organization=branch_b)
    assert secretary_a_client.get(reverse("members:print_form", args=[other.pk])).status_code == 404


def test_street_viewer_prints_masked_only(login_as, street_user, rich_member):
    client = login_as(street_user)
    url = reverse("members:print_form", args=[rich_member.pk])
    assert client.get(url).status_code == 200
    assert client.get(url, {"full_id": "1"}).status_code == 403
