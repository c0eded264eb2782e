"""The 组织生活台账 (register ``meetings``): one row per meeting, from the meeting list and the command line, in the
user's scope, xlsx and CSV with BOM, every export recorded."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.meetings import services
from activities.meetings.models import Attendance, Meeting
from buildingparty import registers
from buildingparty.models import AuditRecord
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("meetings:export")
YEAR = timezone.localdate().year
HEADERS = [
    "日期",
    "时间",
    "党组织",
    "会议类型",
    "议题",
    "地点",
    "主持人",
    "记录人",
    "授课人",
    "状态",
    "取消原因",
    "应到人数",
    "实到人数",
    "扫码签到人数",
    "请假人数",
    "缺席人数",
    "请假人员",
    "缺席人员",
    "法定人数",
    "学时",
    "会议纪要",
    "决议",
]
Status = Attendance.Status


def at(month: int, day: int, hour: int, minute: int = 0, year: int = YEAR) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def hold(meeting, statuses: dict, *, minutes="会议纪要", resolutions=""):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, minutes=minutes, resolutions=resolutions)
    for member, (status, method) in statuses.items():
        Attendance.objects.filter(meeting=meeting, member=member).update(status=status, method=method)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def ledger(branch_a, group_a, branch_b, secretary_a, secretary_b):
    """Branch A: five full members and a probationary one; a 支部党员大会 held with quorum, a 党课 by a Party School
    teacher, a planned 党小组会 and a cancelled meeting. Branch B: one 支部党员大会 held without quorum."""
    zhang, li, wang, zhao, qian = (
        MemberFactory(organization=branch_a, name=n) for n in ("张三", "李四", "王五", "赵六", "钱七")
    )
    sun = MemberFactory(organization=branch_a, name="孙八", category="probationary", full_member_on=None)
    general = services.meeting_plan(
        organization=branch_a,
        kind=Meeting.Kind.GENERAL_MEETING,
        topic="选举出席街道党代会代表",
        starts_at=at(3, 20, 14, 30),
        ends_at=at(3, 20, 16),
        place="党支部活动室",
        host="王海燕",
        recorder="李四",
        by=secretary_a,
    )
    hold(
        general,
        {
            zhang: (Status.PRESENT, "qr"),
            li: (Status.PRESENT, "qr"),
            wang: (Status.PRESENT, "secretary"),
            zhao: (Status.LEAVE, "secretary"),
            qian: (Status.ABSENT, "secretary"),
            sun: (Status.PRESENT, "secretary"),
        },
        minutes="会议应到6人。" + "讨论" * 400,
        resolutions="同意推选张三为代表。",
    )
    lesson = services.meeting_plan(
        organization=branch_a,
        kind=Meeting.Kind.LESSON,
        topic="=学习党章",  # starts like a formula: written as text
        starts_at=at(5, 8, 9),
        lecturer="徐立群",
        lecturer_affiliation="慈溪市委党校",
        by=secretary_a,
    )
    hold(lesson, {m: (Status.PRESENT, "secretary") for m in (zhang, li, wang, zhao, qian, sun)})
    services.meeting_plan(
        organization=group_a, kind=Meeting.Kind.GROUP, topic="党小组学习", starts_at=at(11, 12, 19), by=secretary_a
    )
    cancelled = services.meeting_plan(
        organization=branch_a,
        kind=Meeting.Kind.THEME_DAY,
        topic="参观红色教育基地",
        starts_at=at(7, 1, 9),
        by=secretary_a,
    )
    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED, cancel_reason="台风停课")
    b1, b2, b3 = (MemberFactory(organization=branch_b, name=n) for n in ("周一", "吴二", "郑三"))
    quorumless = services.meeting_plan(
        organization=branch_b,
        kind=Meeting.Kind.GENERAL_MEETING,
        topic="讨论发展对象",
        starts_at=at(6, 2, 15),
        by=secretary_b,
    )
    hold(quorumless, {b1: (Status.PRESENT, "secretary"), b2: (Status.ABSENT, ""), b3: (Status.ABSENT, "")})
    last_year = services.meeting_plan(
        organization=branch_a,
        kind=Meeting.Kind.LIFE_MEETING,
        topic="去年的组织生活会",
        starts_at=at(12, 1, 9, year=YEAR - 1),
        by=secretary_a,
    )
    return {"general": general, "lesson": lesson, "quorumless": quorumless, "last_year": last_year}


def csv_rows(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content).decode("utf-8")
    assert raw.startswith("\ufeff")
    return list(csv.reader(io.StringIO(raw[1:])))


def by_topic(rows) -> dict:
    return {r[4]: r for r in rows[1:]}


def test_the_admin_exports_the_years_meetings_as_csv_with_bom_one_row_per_meeting(admin_client, admin_user, ledger):
    response = admin_client.get(EXPORT, {"year": YEAR, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "filename*=UTF-8''" in response["Content-Disposition"] and f"{YEAR}" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == HEADERS and len(rows) == 6
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])  # in date order
    general = by_topic(rows)["选举出席街道党代会代表"]
    assert general[:12] == [
        f"{YEAR}-03-20",
        "14:30–16:00",
        "第一党支部",
        "支部党员大会",
        "选举出席街道党代会代表",
        "党支部活动室",
        "王海燕",
        "李四",
        "",
        "已召开",
        "",
        "6",
    ]
    # present 4 (2 by QR), on leave 1, absent 1; the probationary member does not vote: 3 of 5 voting are there.
    assert general[12:19] == ["4", "2", "1", "1", "赵六", "钱七", "有效（有表决权应到5人，实到3人）"]
    assert general[19] == "" and len(general[20]) == 500 and general[20].endswith("…")
    assert general[21] == "同意推选张三为代表。"
    record = AuditRecord.objects.get()
    assert record.action == AuditRecord.Action.EXPORT and record.actor == admin_user
    assert record.subject == "组织生活台账" and record.row_count == 5 and record.filters == {"year": str(YEAR)}


def test_lessons_quorum_planned_and_cancelled_meetings_read_as_they_are(admin_client, ledger):
    rows = by_topic(csv_rows(admin_client.get(EXPORT, {"year": YEAR, "format": "csv"})))
    lesson = rows["'=学习党章"]
    assert lesson[3] == "党课" and lesson[8] == "徐立群（慈溪市委党校）" and lesson[19] == "2.0" and lesson[18] == ""
    assert rows["讨论发展对象"][18] == "未达法定人数（有表决权应到3人，实到1人）"
    assert rows["讨论发展对象"][17] == "吴二、郑三"
    planned = rows["党小组学习"]
    assert planned[2] == "第一党小组" and planned[9] == "计划召开" and planned[11] == "0" and planned[12:16] == [""] * 4
    assert rows["参观红色教育基地"][9:11] == ["已取消", "台风停课"]


def test_the_xlsx_has_dates_as_dates_and_counts_as_numbers(admin_client, ledger, tmp_path):
    response = admin_client.get(EXPORT, {"year": YEAR, "format": "xlsx"})
    assert response["Content-Type"] == registers.CONTENT_TYPES["xlsx"]
    path = tmp_path / "meetings.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    assert rows[0] == HEADERS and len(rows) == 6
    general = next(r for r in rows if r[4] == "选举出席街道党代会代表")
    assert general[0].date() == datetime.date(YEAR, 3, 20) and general[11] == 6 and general[12] == 4
    lesson = next(r for r in rows if r[3] == "党课")
    assert lesson[4] == "=学习党章" and Decimal(str(lesson[19])) == 2


def test_a_secretary_exports_only_her_branch_and_its_groups(secretary_a_client, ledger):
    topics = set(by_topic(csv_rows(secretary_a_client.get(EXPORT, {"year": YEAR, "format": "csv"}))))
    assert topics == {"选举出席街道党代会代表", "'=学习党章", "党小组学习", "参观红色教育基地"}


def test_the_street_viewer_may_export(login_as, street_user, ledger):
    response = login_as(street_user).get(EXPORT, {"format": "csv"})
    assert len(csv_rows(response)) == 7  # every year: the filters of the list page are all optional


def test_the_export_takes_the_list_pages_filters(admin_client, ledger, branch_a, group_a):
    def topics(**query):
        return set(by_topic(csv_rows(admin_client.get(EXPORT, {"format": "csv", **query}))))

    assert topics(year=YEAR, organization=branch_a.pk, kind="general_meeting") == {"选举出席街道党代会代表"}
    assert topics(year=YEAR, organization=group_a.pk) == {"党小组学习"}
    assert topics(status="cancelled") == {"参观红色教育基地"}
    assert topics(year=YEAR - 1) == {"去年的组织生活会"}
    assert AuditRecord.objects.filter(filters__organization=str(group_a.pk)).exists()


def test_the_meeting_list_offers_the_export_with_its_filters(admin_client, ledger, branch_a):
    body = admin_client.get(reverse("meetings:list"), {"year": YEAR, "organization": branch_a.pk}).content.decode()
    assert f"{EXPORT}?year={YEAR}&amp;organization={branch_a.pk}&amp;kind=&amp;status=&amp;format=xlsx" in body
    assert f"{EXPORT}?year={YEAR}&amp;organization={branch_a.pk}&amp;kind=&amp;status=&amp;format=csv" in body


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user"])
def test_members_and_other_roles_may_not_export(request, login_as, ledger, persona):
    assert login_as(request.getfixturevalue(persona)).get(EXPORT, {"format": "csv"}).status_code == 403
    assert not AuditRecord.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(EXPORT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_export_refuses_unknown_formats_and_filters_and_post(admin_client, ledger):
    assert admin_client.get(EXPORT, {"format": "pdf"}).status_code == 400
    assert admin_client.get(EXPORT, {"format": "csv", "year": "twenty"}).status_code == 400
    assert admin_client.get(EXPORT, {"format": "csv", "kind": "party"}).status_code == 400
    assert admin_client.post(EXPORT).status_code == 405
    assert not AuditRecord.objects.exists()


def test_another_branchs_organisation_filter_gives_nothing(secretary_a_client, ledger, branch_b):
    rows = csv_rows(secretary_a_client.get(EXPORT, {"organization": branch_b.pk, "format": "csv"}))
    assert rows == [HEADERS]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_query_count_does_not_grow_with_rows(admin_client, branch_a, secretary_a, fmt):
    def export_queries():
        with CaptureQueriesContext(connection) as captured:
            b"".join(admin_client.get(EXPORT, {"format": fmt}).streaming_content)
        return len(captured.captured_queries)

    member = MemberFactory(organization=branch_a)

    def add_meeting(n):
        meeting = services.meeting_plan(
            organization=branch_a,
            kind=Meeting.Kind.THEME_DAY,
            topic=f"主题党日{n}",
            starts_at=at(1, n, 9),
            by=secretary_a,
        )
        hold(meeting, {member: (Status.ABSENT, "secretary")})

    add_meeting(1)
    one = export_queries()
    for n in range(2, 5):
        add_meeting(n)
    assert export_queries() == one


# --- the command line -----------------------------------------------------------------------------------------


def test_the_command_exports_a_year_and_an_organisation(ledger, branch_a, tmp_path):
    out = tmp_path / "meetings.csv"
    stdout = io.StringIO()
    call_command(
        "export_register",
        "meetings",
        "--format",
        "csv",
        "--output",
        str(out),
        "--filter",
        f"year={YEAR}",
        "--filter",
        f"organization={branch_a.pk}",
        stdout=stdout,
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0] == HEADERS
    assert {r[4] for r in rows[1:]} == {"选举出席街道党代会代表", "'=学习党章", "党小组学习", "参观红色教育基地"}
    assert "组织生活台账: 4 行" in stdout.getvalue()
    record = AuditRecord.objects.get()
    assert record.actor is None and record.filters == {"year": str(YEAR), "organization": str(branch_a.pk)}


def test_the_command_takes_kinds_by_their_chinese_name_and_users_scope(ledger, secretary_b, tmp_path):
    out = tmp_path / "meetings.xlsx"
    call_command(
        "export_register", "meetings", "--output", str(out), "--filter", "kind=支部党员大会", stdout=io.StringIO()
    )
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert {r[4] for r in rows[1:]} == {"选举出席街道党代会代表", "讨论发展对象"}
    call_command(
        "export_register", "meetings", "--output", str(out), "--user", secretary_b.username, stdout=io.StringIO()
    )
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert [r[4] for r in rows[1:]] == ["讨论发展对象"]


@pytest.mark.parametrize("bad", ["year=twenty", "kind=座谈", "status=done", "colour=red"])
def test_the_command_refuses_filters_it_cannot_use(ledger, tmp_path, bad):
    with pytest.raises(CommandError):
        call_command("export_register", "meetings", "--output", str(tmp_path / "x.xlsx"), "--filter", bad)
    assert not AuditRecord.objects.exists()


def test_a_member_may_not_export_from_the_command_line(ledger, member_user, tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "export_register", "meetings", "--output", str(tmp_path / "x.xlsx"), "--user", member_user.username
        )
