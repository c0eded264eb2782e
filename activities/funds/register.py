"""The funding register (党建经费台账): one row per ledger entry, in date order.

Headers and labels are fixed Chinese whatever the interface language, as in the member register: the file goes
to the street's finance office and must read the same for everyone. Export only; the ledger is kept on screen.
"""

from buildingparty import registers
from buildingparty.models import Role
from buildingparty.registers import Column, Register

from .models import FundEntry

NAME = "funds"
TITLE = "党建经费台账"

DIRECTION = {FundEntry.Direction.INCOME: "收入", FundEntry.Direction.EXPENSE: "支出"}
SOURCE = {
    FundEntry.Source.STREET: "街道拨付",
    FundEntry.Source.ENTERPRISE: "企业资助",
    FundEntry.Source.OTHER: "其他收入",
}
PURPOSE = {
    FundEntry.Purpose.ACTIVITIES: "组织活动",
    FundEntry.Purpose.STUDY: "学习资料",
    FundEntry.Purpose.ROOM: "活动室",
    FundEntry.Purpose.VOLUNTEER: "志愿服务",
    FundEntry.Purpose.HARDSHIP: "帮扶困难党员",
    FundEntry.Purpose.PUBLICITY: "宣传",
    FundEntry.Purpose.OTHER: "其他支出",
}


def may_export(user) -> bool:
    return user.role in (Role.ADMIN, Role.SECRETARY)


def _entries_for(user):
    entries = FundEntry.objects.all() if user is None else FundEntry.objects.for_user(user)
    return entries.select_related("enterprise").order_by("date", "pk")


COLUMNS = [
    Column("日期", lambda e: e.date, width=12),
    Column("收支", lambda e: DIRECTION.get(e.direction, ""), width=6),
    Column("来源", lambda e: SOURCE.get(e.source, ""), width=10),
    Column("资助企业", lambda e: e.enterprise.name if e.enterprise_id else "", width=28),
    Column("用途", lambda e: PURPOSE.get(e.purpose, ""), width=12),
    Column("摘要", lambda e: e.description, width=36),
    Column("凭证号", lambda e: e.voucher_number, text=True, width=14),
    Column("审批人", lambda e: e.approver, width=10),
    Column("金额", lambda e: e.amount, width=12),
]


def fund_register(user=None) -> Register:
    return Register(name=NAME, title=TITLE, columns=COLUMNS, queryset=_entries_for, may_export=may_export)


registers.register(NAME, fund_register)
