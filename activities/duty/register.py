"""The duty register (群防群治值班台账): one row per shift, in time order, with who was on duty, the swaps approved,
what the log says and the mediation cases taken up.

Headers and labels are fixed Chinese whatever the interface language, as in the other registers: the ledger goes to
the general branch and the street and must read the same for everyone. No phones and no ID numbers: the names and
the team identify a row. The people, logs and swaps come from one prefetch each per chunk of rows, so the export's
queries do not grow with its rows. Export only. Filters (``filter_shifts``): a week (``2026-W49``) or a month
(``2026-12``), a team (by name or number) and a kind of team:
``manage.py export_register duty --filter week=2026-W49 --filter team=3``.
"""

import datetime
import re

from django.db.models import Count, Prefetch

from buildingparty import registers
from buildingparty.models import Role
from buildingparty.registers import Column, Register

from . import selectors
from .models import Assignment, DutyShift, DutyTeam, ShiftLog, SwapRequest

NAME = "duty"
TITLE = "群防群治值班台账"

KIND = {
    DutyTeam.Kind.SECURITY: "治保",
    DutyTeam.Kind.MEDIATION: "调解",
    DutyTeam.Kind.LEGAL: "普法",
    DutyTeam.Kind.PATROL: "巡逻",
    DutyTeam.Kind.FIRE: "消防",
}
WEEKDAY = "一二三四五六日"
FILTERS = ("week", "month", "team", "kind")
TEXT_LIMIT = 300
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def may_export(user) -> bool:
    return user.role in (Role.ADMIN, Role.SECRETARY, Role.STREET)


def _rows_for(user):
    shifts = DutyShift.objects.all() if user is None else DutyShift.objects.for_user(user)
    return with_details(shifts).order_by("starts_at", "team__name", "post", "pk")


def with_details(shifts):
    """The shifts with their team, their people, their logs and the swaps approved (one query each per chunk) and
    the number of mediation cases (counted in SQL)."""
    swaps = SwapRequest.objects.filter(status=SwapRequest.Status.APPROVED).select_related(
        "from_member__member", "to_member__member"
    )
    return (
        shifts.select_related("team__building")
        .annotate(case_count=Count("cases", distinct=True))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("team_member__member")
                .prefetch_related(Prefetch("swap_requests", queryset=swaps.order_by("decided_at"), to_attr="approved"))
                .order_by("pk"),
                to_attr="people_on",
            ),
            Prefetch("logs", queryset=ShiftLog.objects.order_by("written_at", "pk"), to_attr="log_list"),
        )
    )


def filter_shifts(shifts, filters: dict):
    """Narrow the register's rows by ``{"week": "2026-W49", "month": "2026-12", "team": "巡逻队", "kind": "巡逻"}``
    (text, as the command line gives them). Raises ``ValueError`` with a message for the person who typed it."""
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"unknown filter {', '.join(sorted(unknown))}; use {', '.join(FILTERS)}")
    if filters.get("week"):
        start, end = selectors.week_range(selectors.parse_week(filters["week"]))
        shifts = shifts.filter(starts_at__gte=start, starts_at__lt=end)
    if filters.get("month"):
        match = _MONTH.match(filters["month"].strip())
        try:
            if not match:
                raise ValueError
            start, end = selectors.month_range(datetime.date(int(match.group(1)), int(match.group(2)), 1))
        except ValueError:
            raise ValueError(f"write the month as 2026-12, not {filters['month']!r}") from None
        shifts = shifts.filter(starts_at__gte=start, starts_at__lt=end)
    team = (filters.get("team") or "").strip()
    if team:
        shifts = shifts.filter(team_id=int(team)) if team.isdigit() else shifts.filter(team__name=team)
    kind = (filters.get("kind") or "").strip()
    if kind:
        codes = {code: code for code in KIND} | {label: code for code, label in KIND.items()}
        if kind not in codes:
            raise ValueError(f"kind must be one of {', '.join(KIND.values())}, not {kind!r}")
        shifts = shifts.filter(team__kind=codes[kind])
    return shifts


def _people(shift: DutyShift) -> str:
    names = []
    for assignment in shift.people_on:
        person = assignment.team_member
        names.append(person.display_name + ("（志愿者）" if person.is_volunteer else ""))
    return "、".join(names)


def _swaps(shift: DutyShift) -> str:
    done = [swap for assignment in shift.people_on for swap in assignment.approved]
    return "；".join(
        f"{swap.from_member.display_name}→{swap.to_member.display_name}" + (f"（{swap.reason}）" if swap.reason else "")
        for swap in done
    )


def _logs(shift: DutyShift, field: str) -> str:
    text = "；".join(value for log in shift.log_list if (value := getattr(log, field).strip()))
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


COLUMNS = [
    Column("日期", lambda s: s.day, width=12),
    Column("星期", lambda s: "星期" + WEEKDAY[s.day.weekday()], width=8),
    Column("时间", lambda s: s.hours, width=16),
    Column("楼宇", lambda s: s.team.building.name, width=12),
    Column("队伍", lambda s: s.team.name, width=16),
    Column("类别", lambda s: KIND.get(s.team.kind, ""), width=8),
    Column("岗位或路线", lambda s: s.post, width=18),
    Column("应到人数", lambda s: s.needed, width=9),
    Column("实排人数", lambda s: len(s.people_on), width=9),
    Column("值班人员", _people, width=28),
    Column("换班", _swaps, width=24),
    Column("值班记录", lambda s: _logs(s, "happened"), width=40),
    Column("异常情况", lambda s: _logs(s, "incidents"), width=30),
    Column("后续跟进", lambda s: _logs(s, "follow_up"), width=30),
    Column("调解案件数", lambda s: s.case_count, width=10),
]


def duty_register(user=None) -> Register:
    return Register(
        name=NAME,
        title=TITLE,
        columns=COLUMNS,
        queryset=_rows_for,
        may_export=may_export,
        options={"filters": FILTERS, "filter": filter_shifts},
    )


registers.register(NAME, duty_register)
