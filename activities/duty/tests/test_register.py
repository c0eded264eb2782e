"""The duty register (群防群治值班台账): xlsx with Chinese headers, CSV with the BOM Excel needs, filtered by week or
month, team and kind, in the user's scope, always recorded; and on the command line."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from activities.duty import services
from activities.duty.models import Assignment, DutyShift, ShiftLog
from activities.duty.register import COLUMNS, filter_shifts
from activities.duty.selectors import week_label
from buildingparty.models import AuditRecord

from .factories import future_monday, on_team, shift, volunteer

pytestmark = pytest.mark.django_db

MONDAY = future_monday()
WEEK = week_label(MONDAY)
HEADERS = [c.header for c in COLUMNS]


@pytest.fixture
def roster(patrol, security, mine_on_patrol):
    evening = shift(patrol, MONDAY)
    helper = volunteer(patrol, "王立军", "16605741204")
    services.assign_many(team=patrol, picks=[(evening, mine_on_patrol), (evening, helper)], by=None)
    ShiftLog.objects.create(shift=evening, happened="巡查正常", incidents="8楼通道堆放纸箱")
    shift(patrol, MONDAY + datetime.timedelta(days=7))  # next week
    shift(security, MONDAY, (8, 0), (11, 0), post="大堂岗")
    return evening


def download(client, **params):
    return client.get(reverse("duty:export"), params)


def test_the_xlsx_opens_with_chinese_headers_and_one_row_per_shift(admin_client, roster, mine_on_patrol):
    response = download(admin_client, week=WEEK, team=roster.team_id, format="xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS and rows[0][:3] == ("日期", "星期", "时间")
    assert len(rows) == 2
    row = dict(zip(HEADERS, rows[1]))
    assert row["队伍"] == "巡逻队" and row["类别"] == "巡逻" and row["时间"] == "19:00–21:00"
    assert row["值班人员"] == f"{mine_on_patrol.display_name}、王立军（志愿者）"
    assert row["实排人数"] == 2 and row["值班记录"] == "巡查正常" and row["异常情况"] == "8楼通道堆放纸箱"
    assert "群防群治值班台账" in response["Content-Disposition"] or "%E7%BE%A4" in response["Content-Disposition"]


def test_the_csv_starts_with_a_bom_and_every_team_of_the_week(admin_client, roster):
    response = download(admin_client, week=WEEK, format="csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff日期,")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert {row[HEADERS.index("队伍")] for row in rows[1:]} == {"巡逻队", "治保队"}


def test_every_export_is_recorded(admin_client, admin_user, roster):
    download(admin_client, week=WEEK, format="csv")
    record = AuditRecord.objects.get(action=AuditRecord.Action.EXPORT)
    assert record.actor == admin_user and record.row_count == 2 and record.filters == {"week": WEEK}


def test_another_buildings_shifts_are_not_exported(admin_client, roster, other_team):
    shift(other_team, MONDAY)
    response = download(admin_client, week=WEEK, format="csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert "别的巡逻队" not in text


def test_a_bad_filter_is_refused(admin_client, roster):
    assert download(admin_client, week="next week", format="csv").status_code == 400
    assert download(admin_client, format="pdf").status_code == 400


def test_the_filters_narrow_by_month_team_and_kind(roster, patrol):
    shifts = DutyShift.objects.all()
    assert filter_shifts(shifts, {"team": "巡逻队"}).count() == 2
    assert filter_shifts(shifts, {"team": str(patrol.pk), "week": WEEK}).count() == 1
    assert filter_shifts(shifts, {"kind": "治保"}).count() == 1
    assert filter_shifts(shifts, {"month": f"{MONDAY:%Y-%m}"}).filter(starts_at__date__lt=MONDAY).count() == 0
    with pytest.raises(ValueError):
        filter_shifts(shifts, {"month": "December"})
    with pytest.raises(ValueError):
        filter_shifts(shifts, {"colour": "red"})


def test_the_command_line_exports_a_teams_week(roster, patrol, tmp_path):
    out = tmp_path / "duty.csv"
    call_command(
        "export_register",
        "duty",
        "--format",
        "csv",
        "--output",
        str(out),
        "--filter",
        f"week={WEEK}",
        "--filter",
        f"team={patrol.pk}",
        stdout=io.StringIO(),
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert rows[0] == HEADERS and len(rows) == 2


def test_members_do_not_export(member_client, roster):
    assert download(member_client, week=WEEK).status_code == 403


def test_the_street_exports_every_building(login_as, street_user, roster, other_team):
    shift(other_team, MONDAY)
    response = download(login_as(street_user), week=WEEK, format="csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert "别的巡逻队" in text and "巡逻队" in text


def test_an_approved_swap_shows_on_its_shift(admin_client, roster, patrol, mine_on_patrol, member_user, leader_user):
    mine = Assignment.objects.get(shift=roster, team_member=mine_on_patrol)
    colleague = on_team(patrol, name="李同事")
    swap = services.swap_request(assignment=mine, to_member=colleague, by=member_user, reason="出差")
    services.swap_decide(swap=swap, approve=True, by=leader_user)
    response = download(admin_client, week=WEEK, team=patrol.pk, format="csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert f"{mine_on_patrol.display_name}→李同事（出差）" in text
