"""The funding ledger (党建经费): balances across years, the entry rules, who may do what, the summary and the
export."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.funds import selectors
from activities.funds.models import FundEntry
from activities.funds.templatetags.funds import yuan
from buildingparty import registers
from buildingparty.models import AuditRecord
from buildingparty.submissions import new_token
from tests.factories import BuildingFactory, EnterpriseFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
LIST = reverse("funds:list")
CREATE = reverse("funds:create")
SUMMARY = reverse("funds:summary")
EXPORT = reverse("funds:export")


def income(building, amount, day, *, source="street", enterprise=None, description="街道拨付党建经费"):
    return FundEntry.objects.create(
        building=building,
        date=day,
        direction="income",
        source=source,
        enterprise=enterprise,
        amount=D(amount),
        description=description,
    )


def expense(building, amount, day, *, purpose="activities", description="主题党日活动用品"):
    return FundEntry.objects.create(
        building=building,
        date=day,
        direction="expense",
        purpose=purpose,
        amount=D(amount),
        description=description,
        voucher_number=f"PZ-{day:%Y%m%d}",
        approver="柴国营",
    )


@pytest.fixture
def other_admin(db):
    other = BuildingFactory(name="另一幢楼")
    OrganizationFactory(building=other, name="另一总支", kind="general_branch", parent=None)
    return UserFactory(username="other_admin", role="admin", building=other)


@pytest.fixture
def two_years(building, enterprise):
    """2025: 1000 in, 300.50 out; 2026: 500 from an enterprise and 120 from the street in, 200 out."""
    return [
        income(building, "1000.00", datetime.date(2025, 3, 1)),
        expense(building, "300.50", datetime.date(2025, 7, 1)),
        income(building, "500.00", datetime.date(2026, 2, 1), source="enterprise", enterprise=enterprise),
        expense(building, "200.00", datetime.date(2026, 3, 1), purpose="study", description="学习资料"),
        income(building, "120.00", datetime.date(2026, 5, 1), source="other", description="其他"),
    ]


# --- the arithmetic -----------------------------------------------------------------------------------------


def test_a_year_starts_with_the_balance_carried_over_from_the_years_before(building, two_years):
    ledger = selectors.ledger(FundEntry.objects.filter(building=building), year=2026)
    assert ledger.carried_over == D("699.50")
    assert (ledger.income, ledger.expense, ledger.net, ledger.closing) == (
        D("620.00"),
        D("200.00"),
        D("420.00"),
        D("1119.50"),
    )
    assert [row.balance for row in ledger.rows] == [D("1199.50"), D("999.50"), D("1119.50")]
    assert all(isinstance(row.balance, Decimal) for row in ledger.rows)


def test_the_first_year_carries_nothing_over_and_an_empty_year_carries_everything(building, two_years):
    entries = FundEntry.objects.filter(building=building)
    first = selectors.ledger(entries, year=2025)
    assert (first.carried_over, first.closing) == (D("0.00"), D("699.50"))
    later = selectors.ledger(entries, year=2028)
    assert (later.carried_over, later.income, later.expense, later.closing, later.rows) == (
        D("1119.50"),
        D("0.00"),
        D("0.00"),
        D("1119.50"),
        [],
    )


def test_another_buildings_money_stays_out_of_our_balance(building, other_admin, two_years):
    income(other_admin.building, "99999.00", datetime.date(2025, 1, 1))
    ledger = selectors.ledger(FundEntry.objects.filter(building=building), year=2026)
    assert ledger.carried_over == D("699.50")


def test_the_yearly_totals_fill_the_gaps_and_run_the_balance(building, two_years):
    income(building, "10.00", datetime.date(2023, 6, 1))
    totals = selectors.yearly_totals(FundEntry.objects.filter(building=building))
    assert [(t.year, t.income, t.expense, t.closing) for t in totals] == [
        (2023, D("10.00"), D("0.00"), D("10.00")),
        (2024, D("0.00"), D("0.00"), D("10.00")),
        (2025, D("1000.00"), D("300.50"), D("709.50")),
        (2026, D("620.00"), D("200.00"), D("1129.50")),
    ]


def test_the_list_shows_the_years_totals(admin_client, two_years):
    response = admin_client.get(LIST, {"year": 2026})
    html = response.content.decode()
    assert response.context["ledger"].closing == D("1119.50")
    for text in ("¥699.50", "¥620.00", "¥200.00", "¥420.00", "¥1,119.50", "学习资料"):
        assert text in html
    assert "300.50" not in html.split('data-testid="ledger-table"')[1]  # 2025's expense is not a row of 2026


def test_the_list_defaults_to_this_year(admin_client):
    assert admin_client.get(LIST).context["year"] == datetime.date.today().year


def test_money_is_shown_with_two_decimals_and_the_yuan_sign():
    assert yuan(D("1234.5")) == "¥1,234.50"
    assert yuan(D("-20")) == "-¥20.00"
    assert yuan(D("0")) == "¥0.00"
    assert yuan(None) == ""


# --- the rules of an entry ----------------------------------------------------------------------------------


def _errors(**fields) -> dict:
    entry = FundEntry(date=datetime.date(2026, 1, 5), amount=D("10.00"), description="x", **fields)
    try:
        entry.clean()
    except ValidationError as error:
        return error.message_dict
    return {}


def test_income_needs_a_source():
    assert set(_errors(direction="income")) == {"source"}


def test_a_sponsorship_needs_the_enterprise():
    assert set(_errors(direction="income", source="enterprise")) == {"enterprise"}


def test_an_expense_needs_purpose_voucher_and_approver():
    assert set(_errors(direction="expense")) == {"purpose", "voucher_number", "approver"}


def test_a_complete_expense_passes():
    assert _errors(direction="expense", purpose="room", voucher_number="PZ-1", approver="柴国营") == {}


def test_an_admin_records_an_income(admin_client, admin_user, building, enterprise):
    response = admin_client.post(
        CREATE,
        {
            "submission_token": new_token(),
            "date": "2026-04-01",
            "direction": "income",
            "amount": "800.00",
            "description": "企业资助党建经费",
            "source": "enterprise",
            "enterprise": enterprise.pk,
        },
    )
    entry = FundEntry.objects.get()
    assert response.status_code == 302 and response.url == f"{LIST}?year=2026"
    assert (entry.building, entry.recorded_by, entry.amount, entry.enterprise) == (
        building,
        admin_user,
        D("800.00"),
        enterprise,
    )


def test_the_form_shows_each_missing_expense_field_next_to_it(admin_client):
    response = admin_client.post(
        CREATE,
        {
            "submission_token": new_token(),
            "date": "2026-04-01",
            "direction": "expense",
            "amount": "50",
            "description": "购买党旗",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"purpose", "voucher_number", "approver"}
    assert not FundEntry.objects.exists()


def test_a_sponsorship_without_enterprise_is_an_error_on_the_enterprise(admin_client):
    response = admin_client.post(
        CREATE,
        {
            "submission_token": new_token(),
            "date": "2026-04-01",
            "direction": "income",
            "amount": "50",
            "description": "资助",
            "source": "enterprise",
        },
    )
    assert set(response.context["form"].errors) == {"enterprise"}


def test_an_expense_drops_a_source_given_by_mistake(admin_client, enterprise):
    admin_client.post(
        CREATE,
        {
            "submission_token": new_token(),
            "date": "2026-04-01",
            "direction": "expense",
            "amount": "50",
            "description": "购买党旗",
            "purpose": "publicity",
            "voucher_number": "PZ-9",
            "approver": "柴国营",
            "source": "enterprise",
            "enterprise": enterprise.pk,
        },
    )
    entry = FundEntry.objects.get()
    assert (entry.source, entry.enterprise, entry.purpose) == ("", None, "publicity")


def test_only_the_buildings_enterprises_can_sponsor(admin_client, building, enterprise, other_admin):
    stranger = EnterpriseFactory(building=other_admin.building)
    moved_out = EnterpriseFactory(building=building, status="moved_out")
    choices = admin_client.get(CREATE).context["form"].fields["enterprise"].queryset
    assert list(choices) == [enterprise]
    response = admin_client.post(
        CREATE,
        {
            "submission_token": new_token(),
            "date": "2026-04-01",
            "direction": "income",
            "amount": "50",
            "description": "资助",
            "source": "enterprise",
            "enterprise": stranger.pk,
        },
    )
    assert "enterprise" in response.context["form"].errors
    assert moved_out not in choices


def test_an_old_sponsorship_keeps_its_moved_out_enterprise_when_edited(admin_client, building):
    gone = EnterpriseFactory(building=building, status="moved_out")
    entry = income(building, "300", datetime.date(2025, 1, 1), source="enterprise", enterprise=gone)
    choices = admin_client.get(reverse("funds:edit", args=[entry.pk])).context["form"].fields["enterprise"]
    assert gone in choices.queryset


def test_an_admin_corrects_an_entry(admin_client, building, admin_user):
    entry = expense(building, "99.00", datetime.date(2026, 1, 10))
    response = admin_client.post(
        reverse("funds:edit", args=[entry.pk]),
        {
            "date": "2026-01-10",
            "direction": "expense",
            "amount": "89.00",
            "description": entry.description,
            "purpose": "activities",
            "voucher_number": entry.voucher_number,
            "approver": entry.approver,
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.amount == D("89.00")


# --- who may do what ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("admin_user", 200),
        ("secretary_a", 200),
        ("street_user", 200),
        ("liaison_user", 403),
        ("member_user", 403),
        ("contact_user", 403),
    ],
)
def test_the_ledger_and_its_summary_are_read_by_admins_secretaries_and_the_street(
    request, login_as, building, persona, expected
):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == expected
    assert client.get(SUMMARY).status_code == expected


@pytest.mark.parametrize("persona", ["secretary_a", "street_user", "liaison_user", "member_user"])
def test_only_admins_write_the_ledger(request, login_as, building, persona):
    entry = income(building, "10", datetime.date(2026, 1, 1))
    client = login_as(request.getfixturevalue(persona))
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {}).status_code == 403
    assert client.get(reverse("funds:edit", args=[entry.pk])).status_code == 403


def test_a_secretary_reads_the_ledger_without_edit_links(secretary_a_client, building):
    income(building, "10", datetime.date(2026, 1, 1))
    response = secretary_a_client.get(LIST, {"year": 2026})
    assert not response.context["can_edit"]
    assert reverse("funds:create") not in response.content.decode()


def test_another_buildings_admin_cannot_edit_our_entries(login_as, building, other_admin):
    entry = income(building, "10", datetime.date(2026, 1, 1))
    client = login_as(other_admin)
    assert client.get(reverse("funds:edit", args=[entry.pk])).status_code == 404
    assert client.post(reverse("funds:edit", args=[entry.pk]), {"amount": "1"}).status_code == 404
    assert client.get(LIST, {"year": 2026}).context["ledger"].rows == []


def test_a_street_viewer_chooses_the_building(login_as, street_user, building, other_admin):
    income(building, "10", datetime.date(2026, 1, 1))
    income(other_admin.building, "70", datetime.date(2026, 1, 1))
    client = login_as(street_user)
    ours = client.get(LIST, {"year": 2026, "building": building.pk}).context["ledger"]
    theirs = client.get(LIST, {"year": 2026, "building": other_admin.building.pk}).context["ledger"]
    assert (ours.income, theirs.income) == (D("10.00"), D("70.00"))


def test_anonymous_visitors_are_sent_to_sign_in(client, building):
    entry = income(building, "10", datetime.date(2026, 1, 1))
    for url in (LIST, CREATE, SUMMARY, EXPORT, reverse("funds:edit", args=[entry.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("scale", [1, 3])
def test_the_list_runs_the_same_queries_at_1x_and_3x_entries(admin_client, building, enterprise, scale):
    for day in range(1, 1 + 4 * scale):
        income(building, "100", datetime.date(2026, 1, day), source="enterprise", enterprise=enterprise)
        expense(building, "10", datetime.date(2026, 2, day))
        income(building, "5", datetime.date(2025, 3, day))
    admin_client.get(LIST, {"year": 2026})  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(LIST, {"year": 2026})
    assert len(response.context["ledger"].rows) == 8 * scale
    assert len(queries) == FIXED_LIST_QUERIES, [q["sql"] for q in queries]


# Session read, user, building, the years with entries, the totals (one aggregate), the rows with their
# enterprises, and the session's save in a savepoint: the same however many entries there are.
FIXED_LIST_QUERIES = 10


def test_page_two_continues_the_running_balance_and_the_totals_cover_the_whole_year(admin_client, building):
    income(building, "1000.00", datetime.date(2025, 6, 1))  # carried over
    for day in range(1, 6):
        income(building, "100.00", datetime.date(2026, 1, day))
        expense(building, "30.00", datetime.date(2026, 2, day))
    whole = selectors.ledger(FundEntry.objects.filter(building=building), year=2026)
    first = selectors.ledger(FundEntry.objects.filter(building=building), year=2026, per_page=4)
    second = selectors.ledger(FundEntry.objects.filter(building=building), year=2026, page_number=2, per_page=4)
    assert [r.balance for r in first.rows + second.rows] == [r.balance for r in whole.rows][:8]
    assert first.opening == D("1000.00")
    assert second.opening == first.rows[-1].balance == D("1400.00")
    assert (second.income, second.expense, second.closing) == (D("500.00"), D("150.00"), D("1350.00"))
    assert second.page.paginator.count == 10 and second.page.paginator.num_pages == 3

    selectors.LEDGER_PAGE_SIZE, size = 4, selectors.LEDGER_PAGE_SIZE
    try:
        html = admin_client.get(LIST, {"year": 2026, "page": 3}).content.decode()
    finally:
        selectors.LEDGER_PAGE_SIZE = size
    assert html.count('data-testid="ledger-row"') == 2
    assert "page=2" in html and "year=2026" in html
    assert 'data-testid="closing">¥1,350.00<' in html  # the whole year's closing balance, on the last page too
    assert "¥1,410.00" in html.split('data-testid="opening-row"')[1].split("</tr>")[0]  # brought forward


@pytest.mark.parametrize("scale", [1, 3])
def test_a_later_page_runs_the_same_queries_at_1x_and_3x_entries(admin_client, building, scale, monkeypatch):
    monkeypatch.setattr(selectors, "LEDGER_PAGE_SIZE", 5)
    for day in range(1, 1 + 6 * scale):
        income(building, "100", datetime.date(2026, 1, day))
        expense(building, "10", datetime.date(2026, 2, day))
    admin_client.get(LIST, {"year": 2026})  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(LIST, {"year": 2026, "page": 2})
    assert len(response.context["ledger"].rows) == 5
    assert response.context["ledger"].closing == D("540.00") * scale
    assert len(queries) == FIXED_LIST_QUERIES, [q["sql"] for q in queries]


# --- the summary --------------------------------------------------------------------------------------------


def test_the_summary_adds_up_income_by_source_and_expense_by_purpose(admin_client, building, enterprise, two_years):
    income(building, "80.00", datetime.date(2026, 6, 1), source="enterprise", enterprise=enterprise)
    expense(building, "50.00", datetime.date(2026, 7, 1), purpose="study")
    expense(building, "30.00", datetime.date(2026, 8, 1), purpose="hardship")

    summary = admin_client.get(SUMMARY, {"year": 2026}).context["summary"]

    by_source = {line.key: (line.count, line.amount) for line in summary.by_source}
    assert by_source == {
        "street": (0, D("0.00")),
        "enterprise": (2, D("580.00")),
        "other": (1, D("120.00")),
    }
    by_purpose = {line.key: line.amount for line in summary.by_purpose if line.count}
    assert by_purpose == {"study": D("250.00"), "hardship": D("30.00")}
    assert (summary.income, summary.expense, summary.net) == (D("700.00"), D("280.00"), D("420.00"))
    assert summary.sponsors == [{"enterprise": enterprise.name, "count": 2, "amount": D("580.00")}]
    assert {line.key: line.share for line in summary.by_source}["enterprise"] == D("82.9")


def test_the_summary_chart_and_its_table_carry_the_same_numbers(admin_client, two_years):
    response = admin_client.get(SUMMARY, {"year": 2026})
    chart = response.context["chart"]
    assert chart["labels"] == ["2025", "2026"]
    assert chart["income"] == ["1000.00", "620.00"] and chart["expense"] == ["300.50", "200.00"]
    html = response.content.decode()
    assert 'id="fund-chart-data"' in html and "vendor/chartjs/chart.umd.min.js" in html
    table = html.split('data-testid="by-year"')[1]
    for text in ("¥1,000.00", "¥300.50", "¥620.00", "¥200.00", "¥1,119.50"):
        assert text in table


# --- the export ---------------------------------------------------------------------------------------------

HEADERS = ["日期", "收支", "来源", "资助企业", "用途", "摘要", "凭证号", "审批人", "金额"]


def test_the_register_is_known_by_name():
    assert registers.get("funds").headers == HEADERS


def test_the_csv_export_holds_the_years_entries_and_is_recorded(admin_client, admin_user, enterprise, two_years):
    response = admin_client.get(EXPORT, {"year": 2026, "format": "csv"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and "funds-2026.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [
        HEADERS,
        ["2026-02-01", "收入", "企业资助", enterprise.name, "", "街道拨付党建经费", "", "", "500.00"],
        ["2026-03-01", "支出", "", "", "学习资料", "学习资料", "PZ-20260301", "柴国营", "200.00"],
        ["2026-05-01", "收入", "其他收入", "", "", "其他", "", "", "120.00"],
    ]
    record = AuditRecord.objects.get(action=AuditRecord.Action.EXPORT)
    assert (record.actor, record.object_id, record.row_count, record.filters) == (
        admin_user,
        "funds",
        3,
        {"year": 2026},
    )


def test_the_xlsx_export_holds_the_same_rows(secretary_a_client, two_years, tmp_path):
    response = secretary_a_client.get(EXPORT, {"year": 2025, "format": "xlsx"})
    path = tmp_path / "funds.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    # Amounts are numbers Excel can sum, shown with two decimals.
    assert [(r[0].date(), r[1], r[8]) for r in rows[1:]] == [
        (datetime.date(2025, 3, 1), "收入", 1000),
        (datetime.date(2025, 7, 1), "支出", 300.5),
    ]
    sheet = openpyxl.load_workbook(path).active
    assert sheet.cell(row=2, column=9).number_format == "#,##0.00"
    assert AuditRecord.objects.filter(action=AuditRecord.Action.EXPORT, row_count=2).exists()


@pytest.mark.parametrize("persona", ["street_user", "liaison_user", "member_user"])
def test_others_cannot_export_the_ledger(request, login_as, building, persona):
    assert login_as(request.getfixturevalue(persona)).get(EXPORT).status_code == 403
    assert not AuditRecord.objects.exists()


def test_an_unknown_format_is_refused(admin_client):
    assert admin_client.get(EXPORT, {"format": "pdf"}).status_code == 400


def test_the_export_leaves_out_another_buildings_entries(admin_client, other_admin, two_years):
    income(other_admin.building, "777.00", datetime.date(2026, 1, 1), description="别人的钱")
    text = b"".join(admin_client.get(EXPORT, {"year": 2026, "format": "csv"}).streaming_content).decode()
    assert "别人的钱" not in text


def test_the_command_line_exports_the_ledger(building, two_years, tmp_path):
    out = tmp_path / "funds.csv"
    call_command("export_register", "funds", "--format", "csv", "--output", str(out), stdout=io.StringIO())
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0] == HEADERS and len(rows) == 6
    assert AuditRecord.objects.filter(object_id="funds", row_count=5).exists()
