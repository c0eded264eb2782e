"""The register of organisational life (组织生活台账): one row per meeting, in date order.

Headers and labels are fixed Chinese whatever the interface language, as in the other registers: the ledger goes
to the general branch and the street and must read the same for everyone. Counts are numbers; no ID numbers. The
attendance counts come from one aggregate over the rows and the names of the absent from one prefetch per chunk,
so the export's queries do not grow with its rows. Export only. Filters (``filter_meetings``), those of the meeting
list: a year, an organisation (by name or number, with everything under it), a kind and a status:
``manage.py export_register meetings --filter year=2026 --filter organization=3 --filter kind=支部党员大会``.
"""

import datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from buildingparty import registers
from buildingparty.models import Role
from buildingparty.registers import Column, Register

from . import rules
from .models import Attendance, Meeting

NAME = "meetings"
TITLE = "组织生活台账"

KIND = {
    Meeting.Kind.GENERAL_MEETING: "支部党员大会",
    Meeting.Kind.COMMITTEE: "支委会",
    Meeting.Kind.GROUP: "党小组会",
    Meeting.Kind.LESSON: "党课",
    Meeting.Kind.THEME_DAY: "主题党日",
    Meeting.Kind.LIFE_MEETING: "组织生活会",
    Meeting.Kind.OTHER: "其他会议",
}
STATUS = {Meeting.Status.PLANNED: "计划召开", Meeting.Status.HELD: "已召开", Meeting.Status.CANCELLED: "已取消"}
FILTERS = ("year", "organization", "kind", "status")
TEXT_LIMIT = 500  # minutes and resolutions are cut here; the printed 会议记录 has them whole

Status = Attendance.Status


def may_export(user) -> bool:
    return user.role in (Role.ADMIN, Role.SECRETARY, Role.STREET)


def _rows_for(user):
    meetings = Meeting.objects.all() if user is None else Meeting.objects.for_user(user)
    return with_counts(meetings).order_by("starts_at", "pk")


def with_counts(meetings):
    """The meetings with their attendance counted in SQL and the names of the absent and those on leave
    prefetched (one more query per chunk of rows)."""
    names = Attendance.objects.filter(status__in=[Status.ABSENT, Status.LEAVE]).select_related("member")
    return (
        meetings.select_related("organization")
        .annotate(
            n_expected=Count("attendances", distinct=True),
            n_present=Count("attendances", filter=Q(attendances__status=Status.PRESENT), distinct=True),
            n_leave=Count("attendances", filter=Q(attendances__status=Status.LEAVE), distinct=True),
            n_absent=Count("attendances", filter=Q(attendances__status=Status.ABSENT), distinct=True),
            n_voting=Count("attendances", filter=Q(attendances__is_voting=True), distinct=True),
            n_present_voting=Count(
                "attendances",
                filter=Q(attendances__is_voting=True, attendances__status=Status.PRESENT),
                distinct=True,
            ),
            n_qr=Count("attendances", filter=Q(attendances__method=Attendance.Method.QR), distinct=True),
        )
        .prefetch_related(Prefetch("attendances", queryset=names.order_by("member__name", "pk"), to_attr="away"))
    )


def filter_meetings(meetings, filters: dict):
    """Narrow the register's rows by ``{"year": "2026", "organization": "第一党支部", "kind": "党课", "status":
    "已召开"}`` (text, as the command line gives them; kinds and statuses by code or Chinese label). Raises
    ``ValueError`` with a message for the person who typed the filter."""
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"unknown filter {', '.join(sorted(unknown))}; use {', '.join(FILTERS)}")
    if filters.get("year"):
        try:
            year = int(filters["year"])
            start = timezone.make_aware(datetime.datetime(year, 1, 1))
            end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
        except (ValueError, OverflowError):
            raise ValueError(f"year must be a year such as 2026, not {filters['year']!r}") from None
        meetings = meetings.filter(starts_at__gte=start, starts_at__lt=end)
    organization = (filters.get("organization") or "").strip()
    if organization:
        # The organisation and everything under it (the tree is at most three levels deep), as on the list page.
        match = Q()
        for path in ("organization", "organization__parent", "organization__parent__parent"):
            match |= Q(**{f"{path}__name": organization})
            if organization.isdigit():
                match |= Q(**{f"{path}_id": int(organization)})
        meetings = meetings.filter(match)
    kind = (filters.get("kind") or "").strip()
    if kind:
        codes = {code: code for code in KIND} | {label: code for code, label in KIND.items()}
        if kind not in codes:
            raise ValueError(f"kind must be one of {', '.join(KIND.values())}, not {kind!r}")
        meetings = meetings.filter(kind=codes[kind])
    status = (filters.get("status") or "").strip()
    if status:
        codes = {code: code for code in STATUS} | {label: code for code, label in STATUS.items()}
        if status not in codes:
            raise ValueError(f"status must be one of {', '.join(STATUS.values())}, not {status!r}")
        meetings = meetings.filter(status=codes[status])
    return meetings


def _time(m: Meeting) -> str:
    start = timezone.localtime(m.starts_at)
    if m.ends_at:
        return f"{start:%H:%M}–{timezone.localtime(m.ends_at):%H:%M}"
    return f"{start:%H:%M}"


def _lecturer(m: Meeting) -> str:
    if m.lecturer and m.lecturer_affiliation:
        return f"{m.lecturer}（{m.lecturer_affiliation}）"
    return m.lecturer


def _names(m: Meeting, status: str) -> str:
    return "、".join(a.member.name for a in m.away if a.status == status)


def _quorum(m: Meeting) -> str:
    """For a held 支部党员大会: whether more than half of the members with a vote were there (rules.has_quorum)."""
    if m.kind != Meeting.Kind.GENERAL_MEETING or m.status != Meeting.Status.HELD:
        return ""
    label = "有效" if rules.has_quorum(m.n_present_voting, m.n_voting) else "未达法定人数"
    return f"{label}（有表决权应到{m.n_voting}人，实到{m.n_present_voting}人）"


def _cut(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _held(m: Meeting, value):
    """Attendance counts mean something once a meeting is held; a planned or cancelled one shows them empty."""
    return value if m.status == Meeting.Status.HELD else ""


COLUMNS = [
    Column("日期", lambda m: timezone.localdate(m.starts_at), width=12),
    Column("时间", _time, width=12),
    Column("党组织", lambda m: m.organization.name, width=22),
    Column("会议类型", lambda m: KIND.get(m.kind, ""), width=12),
    Column("议题", lambda m: m.topic, width=36),
    Column("地点", lambda m: m.place, width=18),
    Column("主持人", lambda m: m.host, width=10),
    Column("记录人", lambda m: m.recorder, width=10),
    Column("授课人", _lecturer, width=20),
    Column("状态", lambda m: STATUS.get(m.status, ""), width=10),
    Column("取消原因", lambda m: m.cancel_reason, width=20),
    Column("应到人数", lambda m: m.n_expected, width=9),
    Column("实到人数", lambda m: _held(m, m.n_present), width=9),
    Column("扫码签到人数", lambda m: _held(m, m.n_qr), width=11),
    Column("请假人数", lambda m: _held(m, m.n_leave), width=9),
    Column("缺席人数", lambda m: _held(m, m.n_absent), width=9),
    Column("请假人员", lambda m: _names(m, Status.LEAVE), width=24),
    Column("缺席人员", lambda m: _names(m, Status.ABSENT), width=24),
    Column("法定人数", _quorum, width=30),
    Column("学时", lambda m: m.study_hours if m.study_hours else "", width=7),
    Column("会议纪要", lambda m: _cut(m.minutes), width=50),
    Column("决议", lambda m: _cut(m.resolutions), width=36),
]


def meeting_register(user=None) -> Register:
    return Register(
        name=NAME,
        title=TITLE,
        columns=COLUMNS,
        queryset=_rows_for,
        may_export=may_export,
        options={"filters": FILTERS, "filter": filter_meetings},
    )


registers.register(NAME, meeting_register)
