"""The enterprise register in: every row checked first, all or nothing, the command, the upload pages."""

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from buildingparty import registers
from buildingparty.models import AuditRecord
from enterprises.models import Enterprise, EnterpriseChange
from enterprises.register import NEW, UNCHANGED, UPDATE, apply_import, plan_import
from tests.factories import (
    BuildingFactory,
    EnterpriseFactory,
    MemberFactory,
    OrganizationFactory,
    UserFactory,
    make_credit_code,
)

pytestmark = pytest.mark.django_db

HEADERS = registers.get("enterprises").headers
IMPORT_HEADERS = registers.get("enterprises").import_headers
IMPORT = reverse("enterprises:import")
TEMPLATE = reverse("enterprises:import_template")


def _row(**values) -> dict:
    row = {
        "企业名称": "慈溪恒信电子商务有限公司",
        "统一社会信用代码": make_credit_code(901),
        "类型": "企业",
        "行业": "电子商务",
        "楼层": "12",
        "房间号": "1203",
        "从业人数": "35",
        "法定代表人": "王大明",
        "联系人": "李小红",
        "联系电话": "13812345678",
        "经营者对党建态度": "支持",
        "党组织覆盖": "联合支部",
        "所属党组织": "第一联合支部",
        "党务联络员账号": "liaison",
        "入驻日期": "2021-03-01",
        "迁出日期": "",
        "状态": "在驻",
    }
    row.update(values)
    return row


def _xlsx(path: Path, rows: list[dict], headers=IMPORT_HEADERS) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    workbook.save(path)
    return path


def _where(plan) -> list[tuple]:
    return [(e.row, e.column) for e in plan.errors]


@pytest.fixture
def joint_branch(general_branch):
    return OrganizationFactory(
        building=general_branch.building, name="第一联合支部", kind="joint_branch", parent=general_branch
    )


@pytest.fixture
def liaison(building):
    return UserFactory(username="liaison", role="liaison", building=building)


@pytest.fixture
def joint_branch_and_liaison(joint_branch, liaison, admin_user):
    """The building's joint branch and liaison that the rows name, and its admin."""
    return admin_user


# --- checking and writing -----------------------------------------------------------------------------------


def test_a_good_file_creates_enterprises_with_their_history(
    tmp_path, joint_branch_and_liaison, admin_user, joint_branch, liaison
):
    path = _xlsx(
        tmp_path / "in.xlsx",
        [
            _row(),
            _row(
                企业名称="慈溪阳光公益服务中心",
                统一社会信用代码=make_credit_code(902, kind="social_org").lower(),
                类型="社会组织",
                楼层="B1",
                从业人数="",
                联系电话="0574-63001234",
                经营者对党建态度="",
                党组织覆盖="未建",
                所属党组织="",
                党务联络员账号="",
                入驻日期="2019年5月6日",
            ),
        ],
    )
    plan = plan_import(source=path, user=admin_user)
    assert plan.is_valid, [str(e) for e in plan.errors]
    assert plan.counts == {NEW: 2, UPDATE: 0, UNCHANGED: 0}
    assert apply_import(plan=plan, user=admin_user, source_name="in.xlsx")[NEW] == 2

    company = Enterprise.objects.get(credit_code=make_credit_code(901))
    assert company.building == admin_user.building and company.kind == Enterprise.Kind.COMPANY
    assert company.floor == 12 and company.employees == 35 and company.attitude == Enterprise.Attitude.SUPPORTIVE
    assert company.party_org_status == "joint_branch" and company.party_organization == joint_branch
    assert company.liaison == liaison and company.moved_in_on == datetime.date(2021, 3, 1)
    charity = Enterprise.objects.get(credit_code=make_credit_code(902, kind="social_org"))
    assert charity.kind == Enterprise.Kind.SOCIAL_ORG and charity.floor == -1 and charity.employees is None
    assert charity.attitude == Enterprise.Attitude.UNKNOWN and charity.party_organization is None
    assert charity.moved_in_on == datetime.date(2019, 5, 6)
    change = company.changes.get()
    assert change.action == EnterpriseChange.Action.IMPORTED and change.changed_by == admin_user
    assert change.note == "从 in.xlsx 导入"  # in the site's language, whoever imports
    record = AuditRecord.objects.get()
    assert record.action == AuditRecord.Action.IMPORT and record.actor == admin_user and record.row_count == 2
    assert record.subject == "企业名录" and "新增 2" in record.detail


def test_one_bad_row_writes_nothing_and_names_its_row_and_column(tmp_path, joint_branch_and_liaison, admin_user):
    good = make_credit_code(904)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    path = _xlsx(
        tmp_path / "in.xlsx",
        [
            _row(),
            _row(统一社会信用代码=make_credit_code(903)),
            _row(统一社会信用代码=bad),
            _row(统一社会信用代码=make_credit_code(905)),
        ],
    )
    with translation.override("zh-hans"):
        plan = plan_import(source=path, user=admin_user)
        assert _where(plan) == [(4, "统一社会信用代码")]  # the header is row 1
        assert str(plan.errors[0]) == "第 4 行「统一社会信用代码」：统一社会信用代码校验位不正确，请逐位核对。"
    with pytest.raises(ValueError):
        apply_import(plan=plan, user=admin_user)
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_enterprises", str(path), "--user", "admin", stdout=io.StringIO(), stderr=stderr)
    assert "第 4 行" in stderr.getvalue()
    assert not Enterprise.objects.exists() and not AuditRecord.objects.exists()


def test_every_bad_cell_of_a_row_is_listed(tmp_path, joint_branch_and_liaison, admin_user):
    path = _xlsx(
        tmp_path / "in.xlsx",
        [
            _row(
                企业名称="",
                类型="个体户",
                楼层="十二",
                从业人数="很多",
                联系电话="12345",
                经营者对党建态度="很好",
                入驻日期="去年",
                状态="",
            )
        ],
    )
    assert _where(plan_import(source=path, user=admin_user)) == [
        (2, "企业名称"),
        (2, "类型"),
        (2, "楼层"),
        (2, "从业人数"),
        (2, "联系电话"),
        (2, "经营者对党建态度"),
        (2, "入驻日期"),
        (2, "状态"),
    ]


@pytest.mark.parametrize(
    "floor, ok",
    [
        ("12", True),
        ("12层", True),
        ("-2", True),
        ("B2", True),
        ("28", True),
        ("0", False),
        ("29", False),
        ("-6", False),
    ],
)
def test_the_floor_is_a_whole_number_within_the_building(tmp_path, joint_branch_and_liaison, admin_user, floor, ok):
    plan = plan_import(source=_xlsx(tmp_path / "in.xlsx", [_row(楼层=floor)]), user=admin_user)
    assert _where(plan) == ([] if ok else [(2, "楼层")])


def test_a_credit_code_twice_in_a_file_is_an_error_on_the_later_row(tmp_path, joint_branch_and_liaison, admin_user):
    path = _xlsx(
        tmp_path / "in.xlsx",
        [
            _row(),
            _row(企业名称="另一家公司", 统一社会信用代码=make_credit_code(906)),
            _row(企业名称="重复的公司", 统一社会信用代码=make_credit_code(901).lower()),
        ],
    )
    with translation.override("en"):
        plan = plan_import(source=path, user=admin_user)
        assert _where(plan) == [(4, "统一社会信用代码")]
        assert plan.errors[0].message == "This credit code is already in row 2 of this file."


def test_an_unknown_liaison_or_an_account_that_is_not_a_liaison_is_refused(
    tmp_path, joint_branch_and_liaison, admin_user, secretary_a
):
    UserFactory(username="other_liaison", role="liaison", building=BuildingFactory(name="另一幢楼"))
    path = _xlsx(
        tmp_path / "in.xlsx",
        [
            _row(党务联络员账号="nobody"),
            _row(统一社会信用代码=make_credit_code(907), 党务联络员账号="sec_a"),
            _row(统一社会信用代码=make_credit_code(908), 党务联络员账号="other_liaison"),
        ],
    )
    plan = plan_import(source=path, user=admin_user)
    assert _where(plan) == [(2, "党务联络员账号"), (3, "党务联络员账号"), (4, "党务联络员账号")]
    assert "nobody" in plan.errors[0].message


def test_an_unknown_organisation_or_one_of_another_building_is_refused(
    tmp_path, joint_branch_and_liaison, admin_user, outsider
):
    path = _xlsx(
        tmp_path / "in.xlsx",
        [
            _row(所属党组织="不存在的支部"),
            _row(统一社会信用代码=make_credit_code(909), 所属党组织="另一支部"),  # the outsider's building
            _row(统一社会信用代码=make_credit_code(910), 所属党组织="联合党总支", 党组织覆盖="单独建支部"),
        ],
    )
    assert _where(plan_import(source=path, user=admin_user)) == [
        (2, "所属党组织"),
        (3, "所属党组织"),
        (4, "所属党组织"),
    ]


def test_coverage_and_its_organisation_must_agree(tmp_path, joint_branch_and_liaison, admin_user, branch_a):
    path = _xlsx(
        tmp_path / "in.xlsx",
        [
            _row(所属党组织=""),  # 联合支部 without its joint branch
            _row(统一社会信用代码=make_credit_code(911), 党组织覆盖="未建"),  # 未建 naming one
            _row(统一社会信用代码=make_credit_code(912), 党组织覆盖="单独建支部"),  # a joint branch as its own
            _row(统一社会信用代码=make_credit_code(913), 所属党组织="第一党支部"),  # a branch as the joint one
            _row(统一社会信用代码=make_credit_code(914), 党组织覆盖="单独建支部", 所属党组织="第一党支部"),
        ],
    )
    assert _where(plan_import(source=path, user=admin_user)) == [
        (2, "所属党组织"),
        (3, "所属党组织"),
        (4, "所属党组织"),
        (5, "所属党组织"),
    ]


def test_an_enterprise_of_another_building_cannot_be_overwritten(tmp_path, joint_branch_and_liaison, admin_user):
    other = EnterpriseFactory(building=BuildingFactory(name="另一幢楼"))
    path = _xlsx(tmp_path / "in.xlsx", [_row(统一社会信用代码=other.credit_code)])
    assert _where(plan_import(source=path, user=admin_user)) == [(2, "统一社会信用代码")]


def test_dry_run_writes_nothing(tmp_path, joint_branch_and_liaison):
    path = _xlsx(tmp_path / "in.xlsx", [_row()])
    out = io.StringIO()
    call_command("import_enterprises", str(path), "--dry-run", "--user", "admin", stdout=out)
    assert "新增 1" in out.getvalue() and "试运行" in out.getvalue()
    assert not Enterprise.objects.exists() and not AuditRecord.objects.exists()


def test_command_imports_into_the_only_building_and_records_the_command_line(
    tmp_path, joint_branch_and_liaison, building
):
    path = _xlsx(tmp_path / "in.xlsx", [_row()])
    out = io.StringIO()
    call_command("import_enterprises", str(path), stdout=out)
    assert "已导入：新增 1" in out.getvalue()
    enterprise = Enterprise.objects.get()
    assert enterprise.building == building and enterprise.changes.get().changed_by is None
    record = AuditRecord.objects.get()
    assert record.actor is None and "命令行" in record.detail


def test_command_without_a_user_refuses_to_guess_the_building(tmp_path, joint_branch_and_liaison):
    BuildingFactory(name="另一幢楼")
    with pytest.raises(CommandError, match="--user"):
        call_command("import_enterprises", str(_xlsx(tmp_path / "in.xlsx", [_row()])), stdout=io.StringIO())
    assert not Enterprise.objects.exists()


@pytest.mark.parametrize("username", ["sec_a", "liaison", "street"])
def test_command_refuses_users_who_are_not_building_admins(
    tmp_path, joint_branch_and_liaison, secretary_a, street_user, username
):
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_enterprises", str(_xlsx(tmp_path / "in.xlsx", [_row()])), "--user", username)


def test_checking_a_file_costs_the_same_queries_for_one_row_or_many(tmp_path, joint_branch_and_liaison, admin_user):
    EnterpriseFactory(building=admin_user.building, credit_code=make_credit_code(920))

    def plan_queries(rows):
        path = _xlsx(tmp_path / "in.xlsx", rows)
        with CaptureQueriesContext(connection) as captured:
            assert plan_import(source=path, user=admin_user).is_valid
        return len(captured.captured_queries)

    one = plan_queries([_row(统一社会信用代码=make_credit_code(920))])
    many = plan_queries([_row(统一社会信用代码=make_credit_code(920 + n)) for n in range(12)])
    assert many == one


# --- the export's own file ----------------------------------------------------------------------------------


@pytest.fixture
def registry(building, joint_branch, branch_a, liaison):
    """Enterprises in every state the register shows: covered, bare, moved out; with members."""
    covered = EnterpriseFactory(
        building=building,
        name="慈溪恒信电子商务有限公司",
        industry="电子商务",
        employees=35,
        legal_representative="王大明",
        contact_name="李小红",
        contact_phone="0574-63001234",
        attitude=Enterprise.Attitude.SUPPORTIVE,
        party_org_status=Enterprise.PartyOrgStatus.JOINT_BRANCH,
        party_organization=joint_branch,
        liaison=liaison,
        moved_in_on=datetime.date(2021, 3, 1),
    )
    MemberFactory.create_batch(2, organization=branch_a, enterprise=covered)
    EnterpriseFactory(building=building, kind=Enterprise.Kind.SOCIAL_ORG, floor=-1, room="B101")
    EnterpriseFactory(
        building=building,
        status=Enterprise.Status.MOVED_OUT,
        moved_in_on=datetime.date(2018, 1, 1),
        moved_out_on=datetime.date(2025, 6, 30),
    )
    return covered


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_exported_register_imports_back_with_no_changes(tmp_path, admin_client, admin_user, registry, fmt):
    response = admin_client.get(reverse("enterprises:export"), {"format": fmt, "status": "all"})
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(b"".join(response.streaming_content))

    plan = plan_import(source=path, user=admin_user)
    assert plan.is_valid, [str(e) for e in plan.errors]
    assert plan.counts == {NEW: 0, UPDATE: 0, UNCHANGED: 3}
    apply_import(plan=plan, user=admin_user)
    assert Enterprise.objects.count() == 3
    assert not EnterpriseChange.objects.exists()  # nothing changed, nothing recorded but the import itself
    assert AuditRecord.objects.filter(action=AuditRecord.Action.IMPORT).count() == 1


def test_an_edited_export_updates_only_what_changed_and_ignores_the_member_counts(
    tmp_path, admin_client, admin_user, registry
):
    response = admin_client.get(reverse("enterprises:export"), {"format": "xlsx", "status": "all"})
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    row = next(r for r in range(2, 5) if sheet.cell(r, 2).value == registry.credit_code)
    sheet.cell(row, HEADERS.index("联系电话") + 1).value = "13700000000"
    sheet.cell(row, HEADERS.index("经营者对党建态度") + 1).value = "一般"
    sheet.cell(row, HEADERS.index("党员人数") + 1).value = 99  # export-only: never typed in
    workbook.save(path)

    plan = plan_import(source=path, user=admin_user)
    assert plan.counts == {NEW: 0, UPDATE: 1, UNCHANGED: 2}
    assert next(r for r in plan.rows if r.kind == UPDATE).changed == ["联系电话", "经营者对党建态度"]
    apply_import(plan=plan, user=admin_user, source_name="export.xlsx")
    assert Enterprise.objects.count() == 3
    registry.refresh_from_db()
    assert registry.contact_phone == "13700000000" and registry.attitude == Enterprise.Attitude.NEUTRAL
    change = registry.changes.get()
    assert change.action == EnterpriseChange.Action.IMPORTED and change.changed_by == admin_user
    assert change.changes == {"contact_phone": ["0574-63001234", "13700000000"], "attitude": ["supportive", "neutral"]}


def test_moved_out_in_the_file_moves_an_enterprise_out_the_way_the_move_out_page_does(
    tmp_path, joint_branch_and_liaison, admin_user, building
):
    enterprise = EnterpriseFactory(building=building, moved_in_on=datetime.date(2020, 1, 1))
    base = {
        "企业名称": enterprise.name,
        "统一社会信用代码": enterprise.credit_code,
        "楼层": str(enterprise.floor),
        "房间号": enterprise.room,
        "经营者对党建态度": "未了解",
        "党组织覆盖": "未建",
        "所属党组织": "",
        "党务联络员账号": "",
        "行业": "",
        "从业人数": "",
        "法定代表人": "",
        "联系人": "",
        "联系电话": "",
        "入驻日期": "2020-01-01",
    }
    no_date = plan_import(source=_xlsx(tmp_path / "a.xlsx", [_row(**base, 状态="已迁出")]), user=admin_user)
    assert _where(no_date) == [(2, "迁出日期")]

    path = _xlsx(tmp_path / "b.xlsx", [_row(**base, 状态="已迁出", 迁出日期="2026-01-31")])
    plan = plan_import(source=path, user=admin_user, today=datetime.date(2026, 2, 1))
    assert plan.is_valid and plan.rows[0].changed == ["状态", "迁出日期"]
    apply_import(plan=plan, user=admin_user)
    enterprise.refresh_from_db()
    assert enterprise.status == Enterprise.Status.MOVED_OUT and enterprise.moved_out_on == datetime.date(2026, 1, 31)
    change = enterprise.changes.get()
    assert change.action == EnterpriseChange.Action.MOVED_OUT and change.changed_by == admin_user

    # Moving back in is a new tenancy, recorded on the enterprise's page.
    back = plan_import(source=_xlsx(tmp_path / "c.xlsx", [_row(**base, 状态="在驻")]), user=admin_user)
    assert _where(back) == [(2, "状态")]


def test_a_file_without_the_required_columns_is_refused_as_a_whole(tmp_path, joint_branch_and_liaison, admin_user):
    path = _xlsx(tmp_path / "in.xlsx", [{"企业名称": "某公司"}], headers=["企业名称", "联系电话"])
    plan = plan_import(source=path, user=admin_user)
    assert not plan.is_valid and "统一社会信用代码" in plan.file_errors[0].message


# --- the pages ----------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _upload(client, rows, tmp_path, name="enterprises.xlsx"):
    path = _xlsx(tmp_path / name, rows)
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, path.read_bytes())})


def test_upload_preview_confirm_imports_and_removes_the_file(admin_client, joint_branch_and_liaison, media, tmp_path):
    response = _upload(admin_client, [_row()], tmp_path)
    assert response.status_code == 302
    preview = admin_client.get(response["Location"])
    body = preview.content.decode()
    assert 'data-kind="new"' in body and 'name="confirm"' in body and "慈溪恒信电子商务有限公司" in body
    assert not Enterprise.objects.exists()
    assert len(list((media / "imports").iterdir())) == 1

    token = preview.context["pending"]["token"]
    response = admin_client.post(IMPORT, {"token": token, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("enterprises:list")
    assert Enterprise.objects.get().name == "慈溪恒信电子商务有限公司"
    assert AuditRecord.objects.get().action == AuditRecord.Action.IMPORT
    assert not list((media / "imports").iterdir())
    admin_client.post(IMPORT, {"token": token, "confirm": "1"})  # no second import
    assert Enterprise.objects.count() == 1


def test_a_preview_with_errors_has_no_confirm_and_confirming_anyway_writes_nothing(
    admin_client, joint_branch_and_liaison, media, tmp_path
):
    response = _upload(
        admin_client, [_row(), _row(统一社会信用代码=make_credit_code(915), 党务联络员账号="nobody")], tmp_path
    )
    preview = admin_client.get(response["Location"])
    body = preview.content.decode()
    assert 'name="confirm"' not in body and 'data-testid="import-errors"' in body
    assert 'data-row="3" data-kind="error"' in body and "党务联络员账号" in body
    admin_client.post(IMPORT, {"token": preview.context["pending"]["token"], "confirm": "1"})
    assert not Enterprise.objects.exists() and not AuditRecord.objects.exists()


def test_only_the_uploader_can_confirm(client, joint_branch_and_liaison, admin_user, media, tmp_path):
    client.force_login(admin_user)
    location = _upload(client, [_row()], tmp_path)["Location"]
    token = location.split("token=")[1]
    client.force_login(UserFactory(username="admin2", role="admin", building=admin_user.building))
    assert client.get(location).status_code == 302
    client.post(IMPORT, {"token": token, "confirm": "1"})
    assert not Enterprise.objects.exists()


def test_a_member_import_waiting_in_the_session_is_not_confirmed_here(
    admin_client, joint_branch_and_liaison, branch_a, media, tmp_path
):
    workbook = openpyxl.Workbook()
    workbook.active.append(registers.get("members").headers)
    workbook.save(tmp_path / "members.xlsx")
    upload = SimpleUploadedFile("members.xlsx", (tmp_path / "members.xlsx").read_bytes())
    token = admin_client.post(reverse("members:import"), {"file": upload})["Location"].split("token=")[1]
    response = admin_client.post(IMPORT, {"token": token, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == IMPORT
    assert not AuditRecord.objects.exists()


def test_cancel_removes_the_upload(admin_client, joint_branch_and_liaison, media, tmp_path):
    location = _upload(admin_client, [_row()], tmp_path)["Location"]
    admin_client.post(IMPORT, {"token": location.split("token=")[1], "cancel": "1"})
    assert not list((media / "imports").iterdir()) and not Enterprise.objects.exists()


def test_upload_page_lists_the_columns_an_import_reads(admin_client):
    response = admin_client.get(IMPORT)
    assert response.status_code == 200
    assert response.context["headers"] == IMPORT_HEADERS and "党员人数" not in IMPORT_HEADERS
    assert 'data-testid="import-template"' in response.content.decode()


@pytest.mark.parametrize("persona", ["secretary_a", "liaison_user", "street_user", "member_user"])
def test_only_admins_may_import(request, login_as, persona, media):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": SimpleUploadedFile("x.csv", b"a,b\r\n")}).status_code == 403
    assert client.get(TEMPLATE).status_code == 403
    assert not (media / "imports").exists()


def test_import_page_refuses_other_methods(admin_client):
    assert admin_client.put(IMPORT).status_code == 405
    assert admin_client.post(TEMPLATE).status_code == 405


def test_anonymous_visitor_is_sent_to_login_from_the_import_pages(client):
    for url in (IMPORT, TEMPLATE):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_rule_the_template_carries_the_header_alone_and_the_example_on_a_second_sheet(
    admin_client, admin_user, joint_branch, tmp_path
):
    response = admin_client.get(TEMPLATE)
    assert response.status_code == 200 and "enterprises-import-template.xlsx" in response["Content-Disposition"]
    path = tmp_path / "template.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    first, notes = openpyxl.load_workbook(path).worksheets
    assert [list(row) for row in first.iter_rows(values_only=True)] == [IMPORT_HEADERS]
    assert notes.title == "说明"
    lines = list(notes.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(lines) if list(row[: len(IMPORT_HEADERS)]) == IMPORT_HEADERS)
    example = dict(zip(IMPORT_HEADERS, lines[header_at + 1]))
    assert example["党组织覆盖"] == "联合支部" and example["所属党组织"] == "第一联合支部"
    assert not AuditRecord.objects.exists()


def test_rule_the_template_sent_back_as_it_came_imports_nothing_and_is_no_error(
    admin_client, admin_user, joint_branch, media, tmp_path
):
    content = b"".join(admin_client.get(TEMPLATE).streaming_content)
    path = tmp_path / "template.xlsx"
    path.write_bytes(content)
    plan = plan_import(source=path, user=admin_user)
    assert plan.rows == [] and plan.errors == [] and not plan.is_valid  # nothing to confirm
    upload = SimpleUploadedFile("template.xlsx", content)
    preview = admin_client.get(admin_client.post(IMPORT, {"file": upload})["Location"]).content.decode()
    assert 'data-testid="import-errors"' not in preview and 'data-testid="import-nothing"' in preview
    assert not Enterprise.objects.exists()
