"""The dues register (党费交纳台账): one row per member and month's bill, by branch, month and name.

Headers and labels are fixed Chinese whatever the interface language, as in the other registers: the ledger
goes to the general branch and the street and must read the same for everyone. Amounts are numbers (Excel
sums them), dates are dates; no database ids and no ID numbers: the name and the branch identify a row.
Export only. Filters (``filter_bills``) are those of the ledger page: a year, and optionally a month and a
branch; ``manage.py export_register dues --filter year=2026 --filter month=3 --filter branch=第一党支部``.
"""

import datetime

from django.db.models import Q

from buildingparty import registers
from buildingparty.models import PartyOrganization, Role
from buildingparty.registers import Column, Register
from members.dues.models import DuesBill, DuesPayment
from members.dues.selectors import payment_details, report_bills, with_details

NAME = "dues"
TITLE = "党费交纳台账"

METHOD = {
    DuesPayment.Method.CASH: "现金",
    DuesPayment.Method.BANK: "银行转账",
    DuesPayment.Method.WECHAT: "微信转账",
    DuesPayment.Method.ALIPAY: "支付宝转账",
    DuesPayment.Method.PROXY: "代交",
    DuesPayment.Method.NOT_RECORDED: "未记录",
}
STATE = {"paid": "已交清", "partial": "部分交纳", "excused": "有正当理由未交", "unpaid": "未交"}
FILTERS = ("year", "month", "branch")


def may_export(user) -> bool:
    return user.role in (Role.ADMIN, Role.SECRETARY, Role.STREET)


def bills_for(user):
    """Every bill (the command line without --user), or the bills a user may report on."""
    return DuesBill.objects.all() if user is None else report_bills(user)


def _rows_for(user):
    return with_details(bills_for(user))


def filter_bills(bills, filters: dict):
    """Narrow the register's rows by ``{"year": "2026", "month": "3", "branch": "第一党支部"}`` (text, as the
    command line gives them). A branch is named, or given by its number; its party groups come with it.
    Raises ``ValueError`` with a message for the person who typed the filter."""
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"unknown filter {', '.join(sorted(unknown))}; use {', '.join(FILTERS)}")
    year = month = None
    if filters.get("year"):
        try:
            year = int(filters["year"])
            datetime.date(year, 1, 1)
        except ValueError:
            raise ValueError(f"year must be a year such as 2026, not {filters['year']!r}") from None
        bills = bills.filter(month__gte=datetime.date(year, 1, 1), month__lte=datetime.date(year, 12, 1))
    if filters.get("month"):
        if year is None:
            raise ValueError("a month needs a year: --filter year=2026 --filter month=3")
        try:
            month = int(filters["month"])
            bills = bills.filter(month=datetime.date(year, month, 1))
        except ValueError:
            raise ValueError(f"month must be 1 to 12, not {filters['month']!r}") from None
    branch = (filters.get("branch") or "").strip()
    if branch:
        group = PartyOrganization.Kind.GROUP
        by_name = Q(organization__name=branch) | Q(organization__parent__name=branch, organization__kind=group)
        if branch.isdigit():
            by_name |= Q(organization_id=int(branch)) | Q(organization__parent_id=int(branch), organization__kind=group)
        bills = bills.filter(by_name)
    return bills


def _details(bill: DuesBill):
    details = getattr(bill, "details", None)
    if details is None:
        details = bill.details = payment_details(bill)
    return details


COLUMNS = [
    Column("月份", lambda b: f"{b.month:%Y-%m}", width=9),
    Column("所在党支部", lambda b: b.organization.name, width=20),
    Column("姓名", lambda b: b.member.name, width=10),
    Column("应交金额", lambda b: b.amount, width=11),
    Column("实交金额", lambda b: b.paid_amount, width=11),
    Column("交纳日期", lambda b: _details(b).paid_on, width=12),
    Column("交纳方式", lambda b: "、".join(METHOD.get(m, m) for m in _details(b).methods), width=12),
    Column("收据号", lambda b: "、".join(_details(b).receipts), text=True, width=16),
    Column("代交人", lambda b: "、".join(_details(b).payers), width=20),
    Column("状态", lambda b: STATE.get(b.state, ""), width=14),
    Column("未交的正当理由", lambda b: b.excused_reason, width=24),
    Column("超过六个月补交或预交的支部决定", lambda b: "；".join(_details(b).decisions), width=30),
]


def dues_register(user=None) -> Register:
    return Register(
        name=NAME,
        title=TITLE,
        columns=COLUMNS,
        queryset=_rows_for,
        may_export=may_export,
        options={"filters": FILTERS, "filter": filter_bills},
    )


registers.register(NAME, dues_register)
