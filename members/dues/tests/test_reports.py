"""The dues reports: the ledger (党费交纳台账) of a branch and month and its export, collection by branch and
month, the yearly publication report, and the "dues" register through the page and the command line."""

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

from buildingparty import registers
from buildingparty.models import AuditRecord
from members.dues.models import DuesAllocation, DuesBill, DuesPayment, DuesStandard
from members.dues.selectors import annual_report, collection, ledger, ledger_bills, report_bills
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1  # a whole past year: every month is due, none is still running
LEDGER = reverse("dues:ledger")
EXPORT = reverse("dues:ledger_export")
COLLECTION = reverse("dues:collection")
ANNUAL = reverse("dues:annual_report")
HEADERS = [
    *("月份", "所在党支部", "姓名", "应交金额", "实交金额", "交纳日期"),
    *("交纳方式", "收据号", "代交人", "状态", "未交的正当理由", "超过六个月补交或预交的支部决定"),
]


def month(n: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, n, 1)


def bill(member, n: int, amount="120.00", *, year: int = YEAR, excused: str = "") -> DuesBill:
    """A bill made for the member's branch (a group's bill counts in its branch), unpaid; 0 is paid at once."""
    amount = Decimal(amount)
    org = member.organization
    branch = org.parent if org.kind == "group" else org
    return DuesBill.objects.create(
        member=member,
        organization=branch,
        month=month(n, year),
        amount=amount,
        paid_on=month(n, year) if amount == 0 else None,
        excused_reason=excused,
    )


def pay(bills, amount, paid_on: datetime.date, *, method="cash", receipt="", name="") -> DuesPayment:
    """A payment spread over ``bills`` oldest first, keeping the invariants: paid = sum of allocations, and
    paid_on is the day a bill became fully paid."""
    amount = Decimal(amount)
    payment = DuesPayment.objects.create(
        member=bills[0].member,
        amount=amount,
        paid_on=paid_on,
        method=method,
        receipt_number=receipt,
        payer_name=name,
        first_month=bills[0].month,
        last_month=bills[-1].month,
    )
    left = amount
    for b in bills:
        share = min(left, b.amount - b.paid_amount)
        if share <= 0:
            continue
        DuesAllocation.objects.create(payment=payment, bill=b, amount=share)
        b.paid_amount += share
        if b.paid_amount == b.amount:
            b.paid_on = paid_on
        b.save(update_fields=["paid_amount", "paid_on"])
        left -= share
    return payment


@pytest.fixture
def march(branch_a, group_a, branch_b, building):
    """March of last year: 张三 paid in cash, 李四's wife paid on his behalf (代交), 王五 (in a party group) paid
    half, 赵六 owes, 钱七 is excused; in branch B, 孙八 paid."""
    people = {
        "张三": MemberFactory(organization=branch_a, name="张三"),
        "李四": MemberFactory(organization=branch_a, name="李四"),
        "王五": MemberFactory(organization=group_a, name="王五"),
        "赵六": MemberFactory(organization=branch_a, name="赵六"),
        "钱七": MemberFactory(organization=branch_a, name="钱七"),
        "孙八": MemberFactory(organization=branch_b, name="孙八"),
    }
    pay([bill(people["张三"], 3)], "120.00", datetime.date(YEAR, 3, 5), receipt="DF-0301")
    pay(
        [bill(people["李四"], 3, "60.00")],
        "60.00",
        datetime.date(YEAR, 3, 8),
        method="proxy",
        name="周丽（配偶）",
        receipt="DF-0302",
    )
    pay([bill(people["王五"], 3, "30.00")], "15.00", datetime.date(YEAR, 3, 9), method="wechat")
    bill(people["赵六"], 3, "40.00")
    bill(people["钱七"], 3, "20.00", excused="长期住院，支部同意缓交")
    pay([bill(people["孙八"], 3, "50.00")], "50.00", datetime.date(YEAR, 3, 2), method="bank", receipt="DF-B-1")
    return people


def rows_by_name(response) -> dict:
    return {b.member.name: b for s in response.context["ledger"].sections for b in s.rows}


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


# --- the ledger ---------------------------------------------------------------------------------------------


def test_the_ledger_shows_each_bill_with_what_was_paid_when_how_and_by_whom(secretary_a_client, march):
    response = secretary_a_client.get(LEDGER, {"year": YEAR, "month": 3})
    assert response.status_code == 200
    rows = rows_by_name(response)
    assert set(rows) == {"张三", "李四", "王五", "赵六", "钱七"}  # 王五's party group counts in the branch
    assert rows["张三"].details.paid_on == datetime.date(YEAR, 3, 5) and rows["张三"].details.receipts == ["DF-0301"]
    assert rows["李四"].details.payers == ["周丽（配偶）"] and rows["李四"].details.methods == ["proxy"]
    assert rows["王五"].state == "partial" and rows["王五"].details.paid_on == datetime.date(YEAR, 3, 9)
    assert rows["赵六"].state == "unpaid" and rows["赵六"].details.paid_on is None
    assert rows["钱七"].state == "excused"
    ledger_ = response.context["ledger"]
    assert ledger_.due == Decimal("270.00") and ledger_.paid == Decimal("195.00") and ledger_.rate == Decimal("72.2")
    body = response.content.decode()
    assert "党费交纳台账" in body and "周丽（配偶）" in body and "DF-0301" in body and "部分交纳" in body
    assert "孙八" not in body


def test_the_ledger_of_the_current_month_is_the_default(secretary_a_client, branch_a):
    member = MemberFactory(organization=branch_a, name="本月党员")
    today = timezone.localdate()
    bill(member, today.month, year=today.year)
    bill(member, 1 if today.month != 1 else 2, year=today.year - 1)
    response = secretary_a_client.get(LEDGER)
    assert response.context["month"] == today.month and response.context["year"] == today.year
    assert response.context["ledger"].row_count == 1


def test_the_ledger_of_a_whole_year_lists_every_month(secretary_a_client, branch_a):
    member = MemberFactory(organization=branch_a)
    for n in (1, 2, 3):
        bill(member, n)
    response = secretary_a_client.get(LEDGER, {"year": YEAR, "month": ""})
    assert response.context["month"] is None and response.context["ledger"].row_count == 3


def test_a_mistyped_month_shows_the_whole_year_asked_for(secretary_a_client, branch_a):
    bill(MemberFactory(organization=branch_a), 2)
    response = secretary_a_client.get(LEDGER, {"year": YEAR, "month": "13"})
    assert response.context["year"] == YEAR and response.context["month"] is None
    assert response.context["ledger"].row_count == 1


def test_the_admin_sees_every_branch_of_the_building_by_section_and_can_choose_one(admin_client, march, branch_b):
    response = admin_client.get(LEDGER, {"year": YEAR, "month": 3})
    assert [s.branch.name for s in response.context["ledger"].sections] == ["第一党支部", "第二党支部"]
    only_b = admin_client.get(LEDGER, {"year": YEAR, "month": 3, "branch": branch_b.pk})
    assert set(rows_by_name(only_b)) == {"孙八"}


def test_the_street_viewer_reads_every_building_and_may_export(login_as, street_user, march, outsider):
    other = outsider.member
    DuesBill.objects.create(member=other, organization=other.organization, month=month(3), amount=Decimal("8.00"))
    response = login_as(street_user).get(LEDGER, {"year": YEAR, "month": 3})
    assert len(response.context["ledger"].sections) == 3 and response.context["can_export"]


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user"])
def test_members_liaisons_and_contacts_may_not_see_the_reports(request, login_as, persona):
    client = login_as(request.getfixturevalue(persona))
    for url in (LEDGER, EXPORT, COLLECTION, ANNUAL):
        assert client.get(url).status_code == 403
    assert not AuditRecord.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (LEDGER, EXPORT, COLLECTION, ANNUAL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_another_branch_is_not_found(secretary_a_client, branch_b, march):
    for url in (LEDGER, EXPORT, COLLECTION, ANNUAL):
        assert secretary_a_client.get(url, {"year": YEAR, "branch": branch_b.pk}).status_code == 404
    assert not AuditRecord.objects.exists()


def test_another_buildings_branch_is_not_found_for_the_admin(admin_client, outsider):
    assert admin_client.get(ANNUAL, {"branch": outsider.member.organization_id}).status_code == 404


def test_the_reports_refuse_post(secretary_a_client):
    for url in (LEDGER, EXPORT, COLLECTION, ANNUAL):
        assert secretary_a_client.post(url).status_code == 405


@pytest.mark.parametrize("scale", [1, 3])
def test_the_ledger_runs_the_same_queries_at_1x_and_3x_members(
    admin_client, branch_a, group_a, branch_b, building, django_assert_num_queries, scale
):
    for n in range(3 * scale):
        member = MemberFactory(organization=(branch_a, group_a, branch_b)[n % 3])
        DuesStandard.objects.create(
            member=member,
            year=YEAR,
            kind="employed",
            declared_base=Decimal("4000"),
            computed_amount=Decimal("40.00"),
            payer="other",
            payer_name=f"亲属{n}",
            status="confirmed",
        )
        first, second = bill(member, 3, "40.00"), bill(member, 4, "40.00")
        if n % 2:
            pay([first, second], "60.00", datetime.date(YEAR, 4, 1), method="proxy", name=f"亲属{n}", receipt=f"R{n}")
    admin_client.get(LEDGER, {"year": YEAR, "month": ""})
    with django_assert_num_queries(LEDGER_QUERIES):
        response = admin_client.get(LEDGER, {"year": YEAR, "month": ""})
    assert response.context["ledger"].row_count == 6 * scale


# Session, user, the totals per branch over the whole filter (one GROUP BY; it also gives the page count and
# each branch's bill count), the branches in ledger order, the page's bills (with their members' names) from the
# branches the page falls in, their payments, the branch choices, the bell, and the session save (savepoint,
# update, release). (Bills made from a standard add one query for the standards, the payer; these bills have
# none.)
LEDGER_QUERIES = 11


def test_the_ledger_is_paginated_and_its_totals_cover_every_page(admin_client, branch_a, monkeypatch):
    monkeypatch.setattr("members.dues.selectors.LEDGER_PAGE_SIZE", 2)
    for n in range(3):
        member = MemberFactory(organization=branch_a, name=f"党员{n}")
        bill(member, 5, "40.00")
    first = admin_client.get(LEDGER, {"year": YEAR, "month": 5})
    second = admin_client.get(LEDGER, {"year": YEAR, "month": 5, "page": 2})
    names = [b.member.name for p in (first, second) for s in p.context["ledger"].sections for b in s.rows]
    assert names == ["党员0", "党员1", "党员2"]
    for response in (first, second):
        ledger = response.context["ledger"]
        assert (ledger.due, ledger.row_count) == (Decimal("120.00"), 3)
        assert ledger.sections[0].due == Decimal("120.00")
        assert ledger.sections[0].unpaid_count == 3


def test_the_ledgers_pages_run_on_across_branches_in_ledger_order(
    admin_client, branch_a, group_a, branch_b, monkeypatch
):
    """Each page starts where the last one stopped, also when a page holds the end of one branch and the start
    of the next (the page is chosen from the branches' bill counts)."""
    for n in range(5):
        bill(MemberFactory(organization=(branch_a, group_a, branch_b)[n % 3], name=f"党员{n}"), 5, "40.00")
        bill(MemberFactory(organization=branch_b, name=f"成员{n}"), 5, "40.00")
    everything = admin_client.get(LEDGER, {"year": YEAR, "month": 5}).context["ledger"]
    whole = [(s.branch.pk, b.member.name) for s in everything.sections for b in s.rows]
    assert len(whole) == 10 and len(everything.sections) == 2
    monkeypatch.setattr("members.dues.selectors.LEDGER_PAGE_SIZE", 3)
    pages = [admin_client.get(LEDGER, {"year": YEAR, "month": 5, "page": p}).context["ledger"] for p in (1, 2, 3, 4)]
    assert [(s.branch.pk, b.member.name) for page in pages for s in page.sections for b in s.rows] == whole


# --- the export ---------------------------------------------------------------------------------------------


def test_the_ledger_exports_as_csv_with_bom_numbers_and_no_ids(secretary_a_client, secretary_a, march):
    response = secretary_a_client.get(EXPORT, {"year": YEAR, "month": 3, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == HEADERS
    by_name = {r[2]: r for r in rows[1:]}
    assert set(by_name) == {"张三", "李四", "王五", "赵六", "钱七"}
    assert by_name["李四"] == [
        f"{YEAR}-03",
        "第一党支部",
        "李四",
        "60.00",
        "60.00",
        f"{YEAR}-03-08",
        "代交",
        "DF-0302",
        "周丽（配偶）",
        "已交清",
        "",
        "",
    ]
    assert by_name["王五"][9] == "部分交纳" and by_name["钱七"][10] == "长期住院，支部同意缓交"
    text = str(rows)
    for member in march.values():
        assert member.id_number not in text
    record = AuditRecord.objects.get()
    assert record.action == AuditRecord.Action.EXPORT and record.actor == secretary_a
    assert record.subject == "党费交纳台账" and record.row_count == 5
    assert record.filters == {"year": YEAR, "month": 3}


def test_the_ledger_exports_as_xlsx_with_amounts_as_numbers(admin_client, march, tmp_path):
    response = admin_client.get(EXPORT, {"year": YEAR, "month": 3, "format": "xlsx"})
    assert response["Content-Type"] == registers.CONTENT_TYPES["xlsx"]
    path = tmp_path / "dues.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    assert rows[0] == HEADERS and len(rows) == 7
    zhang = next(r for r in rows if r[2] == "张三")
    assert zhang[3] == 120 and isinstance(zhang[3], (int, float)) and zhang[5].date() == datetime.date(YEAR, 3, 5)


def test_the_export_keeps_the_pages_branch(admin_client, march, branch_b):
    rows = csv_rows(admin_client.get(EXPORT, {"year": YEAR, "month": 3, "branch": branch_b.pk, "format": "csv"}))
    assert [r[2] for r in rows[1:]] == ["孙八"]
    assert AuditRecord.objects.get().filters == {"year": YEAR, "month": 3, "branch": "第二党支部"}


def test_the_export_refuses_unknown_formats(admin_client):
    assert admin_client.get(EXPORT, {"format": "pdf"}).status_code == 400
    assert not AuditRecord.objects.exists()


def test_the_ledger_page_offers_the_export(secretary_a_client, march):
    body = secretary_a_client.get(LEDGER, {"year": YEAR, "month": 3}).content.decode()
    assert f"{EXPORT}?year={YEAR}&amp;month=3&amp;format=xlsx" in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_query_count_does_not_grow_with_rows(admin_client, branch_a, fmt):
    def export_queries():
        with CaptureQueriesContext(connection) as captured:
            b"".join(admin_client.get(EXPORT, {"year": YEAR, "month": "", "format": fmt}).streaming_content)
        return len(captured.captured_queries)

    member = MemberFactory(organization=branch_a)
    pay([bill(member, 1)], "120.00", datetime.date(YEAR, 1, 3), receipt="X1")
    one = export_queries()
    for n in range(2, 6):
        pay([bill(MemberFactory(organization=branch_a), n)], "60.00", datetime.date(YEAR, n, 3))
    assert export_queries() == one


# --- the register through the command line -------------------------------------------------------------------


def test_the_command_exports_a_year_month_and_branch(march, tmp_path):
    out = tmp_path / "dues.csv"
    stdout = io.StringIO()
    call_command(
        "export_register",
        "dues",
        "--format",
        "csv",
        "--output",
        str(out),
        "--filter",
        f"year={YEAR}",
        "--filter",
        "month=3",
        "--filter",
        "branch=第一党支部",
        stdout=stdout,
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0] == HEADERS and sorted(r[2] for r in rows[1:]) == sorted(["张三", "李四", "王五", "赵六", "钱七"])
    assert "党费交纳台账: 5 行" in stdout.getvalue()
    record = AuditRecord.objects.get()
    assert record.actor is None and record.filters == {"year": str(YEAR), "month": "3", "branch": "第一党支部"}
    assert "命令行" in record.detail or "command line" in record.detail


def test_the_command_without_filters_exports_every_bill_and_with_a_user_only_theirs(march, secretary_b, tmp_path):
    out = tmp_path / "all.csv"
    call_command("export_register", "dues", "--format", "csv", "--output", str(out), stdout=io.StringIO())
    assert len(out.read_text(encoding="utf-8-sig").strip().splitlines()) == 7
    call_command(
        "export_register",
        "dues",
        "--format",
        "csv",
        "--output",
        str(out),
        "--user",
        secretary_b.username,
        stdout=io.StringIO(),
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["孙八"]


@pytest.mark.parametrize("bad", ["month=3", "year=twenty", "month=13", "colour=red", "year"])
def test_the_command_refuses_filters_it_cannot_use(march, tmp_path, bad):
    args = ["--filter", f"year={YEAR}"] if bad.startswith("month=13") else []
    with pytest.raises(CommandError):
        call_command(
            "export_register",
            "dues",
            "--output",
            str(tmp_path / "x.xlsx"),
            *args,
            "--filter",
            bad,
            stdout=io.StringIO(),
        )
    assert not AuditRecord.objects.exists()


def test_a_register_without_filters_refuses_them(tmp_path, building):
    with pytest.raises(CommandError, match="takes no filters"):
        call_command(
            "export_register",
            "members",
            "--output",
            str(tmp_path / "m.csv"),
            "--filter",
            "year=2026",
            stdout=io.StringIO(),
        )


def test_a_member_may_not_export_from_the_command_line(member_user, tmp_path):
    with pytest.raises(CommandError, match="may not export"):
        call_command(
            "export_register",
            "dues",
            "--output",
            str(tmp_path / "x.csv"),
            "--user",
            member_user.username,
            stdout=io.StringIO(),
        )


# --- collection by branch and month -------------------------------------------------------------------------


def test_collection_adds_up_due_and_collected_by_branch_and_month(admin_client, march, branch_a, branch_b):
    april = MemberFactory(organization=branch_b, name="周九")
    pay([bill(april, 4, "100.00")], "100.00", datetime.date(YEAR, 4, 1))
    response = admin_client.get(COLLECTION, {"year": YEAR})
    assert response.status_code == 200
    result = response.context["collection"]
    assert result.months[2].cell.due == Decimal("320.00") and result.months[2].cell.collected == Decimal("245.00")
    assert result.months[2].cell.rate == Decimal("76.6") and result.months[3].cell.rate == Decimal("100.0")
    assert result.months[0].cell.rate is None
    lines = {line.branch.name: line for line in result.branches}
    assert lines["第一党支部"].total.due == Decimal("270.00") and lines["第一党支部"].total.rate == Decimal("72.2")
    assert lines["第二党支部"].total.collected == Decimal("150.00")
    assert result.total.due == Decimal("420.00") and result.total.rate == Decimal("82.1")
    chart = response.context["chart"]
    assert chart["due"][2] == "320.00" and chart["collected"][2] == "245.00" and chart["rate"][2] == 76.6
    body = response.content.decode()
    assert 'id="dues-chart-data"' in body and "chart.umd.min.js" in body and 'data-testid="by-branch"' in body
    assert "76.6%" in body and "交纳率" in body


def test_a_secretary_sees_the_collection_of_their_branch_only(secretary_a_client, march):
    result = secretary_a_client.get(COLLECTION, {"year": YEAR}).context["collection"]
    assert [line.branch.name for line in result.branches] == ["第一党支部"]


@pytest.mark.parametrize("scale", [1, 3])
def test_the_collection_page_runs_the_same_queries_at_1x_and_3x(
    admin_client, building, general_branch, django_assert_num_queries, scale
):
    from tests.factories import OrganizationFactory

    for n in range(2 * scale):
        branch = OrganizationFactory(building=building, parent=general_branch, name=f"支部{n}")
        for m in range(1, 4):
            member = MemberFactory(organization=branch)
            pay([bill(member, m)], "60.00", datetime.date(YEAR, m, 2))
    admin_client.get(COLLECTION, {"year": YEAR})
    with django_assert_num_queries(COLLECTION_QUERIES):
        admin_client.get(COLLECTION, {"year": YEAR})


# Session, user, the branches in scope, the sums by branch and month, their organisations, the bell, and the
# session save (savepoint, update, release).
COLLECTION_QUERIES = 9


# --- the yearly publication report --------------------------------------------------------------------------


def test_the_yearly_report_counts_members_arrears_exemptions_and_reductions(branch_a, group_a, building):
    people = [MemberFactory(organization=org) for org in (branch_a, branch_a, group_a, branch_a)]
    for n in range(1, 13):
        pay([bill(people[0], n)], "120.00", datetime.date(YEAR, n, 5))
    bill(people[1], 1, "40.00")  # in arrears
    bill(people[2], 2, "0.00")  # exempted: paid when made
    pay([bill(people[3], 1, "30.00")], "30.00", datetime.date(YEAR, 1, 9))
    for member, override in ((people[2], "0"), (people[3], "30.00")):
        DuesStandard.objects.create(
            member=member,
            year=YEAR,
            kind="employed",
            declared_base=Decimal("6000"),
            computed_amount=Decimal("90.00"),
            override_amount=Decimal(override),
            override_reason="困难",
            override_approved_by="总支",
            status="confirmed",
        )
    report = annual_report(report_bills_for_everyone(), branch=branch_a, year=YEAR)
    assert report.members_paying == 4 and report.members_in_arrears == 1
    assert (report.exemptions, report.reductions, report.rural_amounts) == (1, 1, 0)
    assert report.total.due == Decimal("1510.00") and report.total.collected == Decimal("1470.00")
    assert report.months[0].cell.bills == 3 and report.months[0].cell.paid_bills == 2


def report_bills_for_everyone():
    return DuesBill.objects.all()


def test_the_yearly_report_is_a_printable_a4_page_with_who_prepared_it(secretary_a_client, secretary_a, march):
    response = secretary_a_client.get(ANNUAL, {"year": YEAR})
    assert response.status_code == 200
    body = response.content.decode()
    assert "css/print.css" in body and 'id="print-button"' in body  # A4: tests/test_print_css.py
    assert f"第一党支部{YEAR}年度党费交纳情况公示" in body
    assert "交纳党费的党员共5名" in body and "应交党费270.00元" in body and "交纳率72.2%" in body
    assert "有欠交月份的党员2名" in body  # 赵六 owes; 王五 paid half; 钱七 is excused
    assert secretary_a.display_name in body and "支部书记（签字）" in body


def test_the_admin_chooses_the_branch_of_the_yearly_report(admin_client, march, branch_b):
    response = admin_client.get(ANNUAL, {"year": YEAR, "branch": branch_b.pk})
    assert response.context["report"].branch == branch_b and response.context["report"].members_paying == 1


@pytest.mark.parametrize("scale", [1, 3])
def test_the_yearly_report_runs_the_same_queries_at_1x_and_3x(
    secretary_a_client, branch_a, group_a, django_assert_num_queries, scale
):
    for n in range(3 * scale):
        member = MemberFactory(organization=(branch_a, group_a)[n % 2])
        for m in range(1, 5):
            b = bill(member, m)
            if m % 2:
                pay([b], "120.00", datetime.date(YEAR, m, 4))
        DuesStandard.objects.create(
            member=member,
            year=YEAR,
            kind="student",
            computed_amount=Decimal("0.20"),
            override_amount=Decimal("0"),
            override_reason="困难",
            override_approved_by="总支",
            status="confirmed",
        )
    secretary_a_client.get(ANNUAL, {"year": YEAR})
    with django_assert_num_queries(ANNUAL_QUERIES):
        response = secretary_a_client.get(ANNUAL, {"year": YEAR})
    assert response.context["report"].members_paying == 3 * scale


# Session, user, the secretary's branch and two levels below it, the branches in scope, the sums by month, the
# people, the agreed amounts, the bell, and the session save (savepoint, update, release).
ANNUAL_QUERIES = 13


# --- the selectors on their own -----------------------------------------------------------------------------


def test_the_ledger_names_the_standards_payer_before_anything_is_paid(branch_a, building):
    member = MemberFactory(organization=branch_a)
    standard = DuesStandard.objects.create(
        member=member,
        year=YEAR,
        kind="employed",
        declared_base=Decimal("4000"),
        computed_amount=Decimal("40.00"),
        payer="other",
        payer_name="李华（配偶）",
        status="confirmed",
    )
    b = bill(member, 5, "40.00")
    DuesBill.objects.filter(pk=b.pk).update(standard=standard)
    result = ledger(ledger_bills(DuesBill.objects.all(), year=YEAR, month=5))
    assert result.sections[0].rows[0].details.payers == ["李华（配偶）"]


def test_collection_counts_a_payment_towards_the_months_it_paid(branch_a):
    member = MemberFactory(organization=branch_a)
    bills = [bill(member, n) for n in (1, 2, 3)]
    pay(bills, "360.00", datetime.date(YEAR, 1, 10))  # three months at once, in January
    result = collection(DuesBill.objects.all(), year=YEAR)
    assert [line.cell.collected for line in result.months[:3]] == [Decimal("120.00")] * 3


def test_reports_are_scoped_by_the_branch_the_bill_was_made_in(secretary_a, secretary_b, branch_a, branch_b):
    member = MemberFactory(organization=branch_a)
    bill(member, 1)
    member.organization = branch_b  # moved to branch B afterwards
    member.save(update_fields=["organization"])
    assert report_bills(secretary_a).count() == 1 and report_bills(secretary_b).count() == 0


# --- the current month is still open ------------------------------------------------------------------------


@pytest.fixture
def open_month(branch_a):
    """Last month paid in full by two members; this month billed, one of them paid: the month is not over."""
    today = timezone.localdate()
    if today.month == 1:
        pytest.skip("in January the year has no closed month yet")
    members = [MemberFactory(organization=branch_a, name=name) for name in ("张三", "李四")]
    for member in members:
        pay([bill(member, today.month - 1, year=today.year)], "120.00", today.replace(day=1))
    pay([bill(members[0], today.month, year=today.year)], "120.00", today)
    bill(members[1], today.month, year=today.year)
    return today


def test_rule_the_yearly_collection_rate_leaves_out_the_current_open_month(admin_user, branch_a, open_month):
    result = collection(report_bills(admin_user), year=open_month.year)

    assert (result.total.due, result.total.collected, result.total.rate) == (
        Decimal("240.00"),
        Decimal("240.00"),
        Decimal("100.0"),
    )
    current = result.months[open_month.month - 1]
    assert current.is_open and current.cell.due == Decimal("240.00") and current.cell.rate == Decimal("50.0")
    assert result.open_from == open_month.replace(day=1) and result.open_months == result.months[open_month.month - 1 :]
    assert result.branches[0].total.due == Decimal("240.00") and result.branches[0].months[open_month.month - 1].is_open
    report = annual_report(report_bills(admin_user), branch=branch_a, year=open_month.year)
    assert report.total.due == Decimal("240.00") and report.total.rate == Decimal("100.0")
    assert report.months[open_month.month - 1].is_open and not report.months[open_month.month - 2].is_open
    # a past year has nothing open
    assert collection(report_bills(admin_user), year=open_month.year - 1).open_from is None


def test_the_open_month_is_shown_apart_and_labelled_on_the_pages(secretary_a_client, branch_a, open_month):
    page = secretary_a_client.get(COLLECTION, {"year": open_month.year}).content.decode()
    assert 'data-testid="open-month-note"' in page and "不计入合计和交纳率" in page and 'data-open="1"' in page
    assert "合计（已结束月份）" in page
    report = secretary_a_client.get(ANNUAL, {"year": open_month.year, "branch": branch_a.pk}).content.decode()
    assert "应交党费240.00元" in report and "交纳率100.0%" in report and "尚未结束" in report
