"""Whether each branch holds the meetings the rules require (DOMAIN.md §7, 《中国共产党支部工作条例（试行）》2018).

Two parts:

* the pure part: ``required_meetings`` says which meetings a branch owes and how often; the period helpers turn
  a month into its quarter, half-year or year. Values in, values out; tested alone.
* the read part: ``grid`` builds the year's compliance table of some organisations from a fixed handful of
  queries (the organisations, their groups, their committees, the buildings' settings, one aggregate over the
  meetings, one over the held 支部党员大会' attendance for the quorum), however many organisations or meetings.

A meeting counts in the period its ``starts_at`` (local date) falls in. HELD satisfies a requirement; PLANNED
makes it amber; CANCELLED counts for nothing. A 支部党员大会 held without quorum still counts as held, and is
marked. Meetings of a branch's party groups satisfy that group's 党小组会; every other requirement is met by the
branch's own meetings.
"""

import calendar
import dataclasses
import datetime
from collections import defaultdict
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.dates import MONTHS_AP
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from buildingparty import data_cache
from buildingparty.models import PartyOrganization
from members.committees.selectors import organizations_with_committee

from . import rules
from .models import Attendance, ComplianceSettings, Meeting

# --- the pure part ------------------------------------------------------------------------------------------

MONTH, QUARTER, HALF_YEAR, YEAR = "month", "quarter", "half_year", "year"
PERIOD_KINDS = (MONTH, QUARTER, HALF_YEAR, YEAR)
MONTHS_IN = {MONTH: 1, QUARTER: 3, HALF_YEAR: 6, YEAR: 12}

# The building's 党课 frequency (ComplianceSettings.lesson_frequency) as a period.
LESSON_PERIOD = {
    ComplianceSettings.Frequency.MONTHLY: MONTH,
    ComplianceSettings.Frequency.QUARTERLY: QUARTER,
    ComplianceSettings.Frequency.HALF_YEARLY: HALF_YEAR,
    ComplianceSettings.Frequency.YEARLY: YEAR,
}
DEFAULT_LESSON_FREQUENCY = ComplianceSettings.Frequency.QUARTERLY

# The order requirements are listed in, everywhere.
KIND_ORDER = (
    Meeting.Kind.GENERAL_MEETING,
    Meeting.Kind.COMMITTEE,
    Meeting.Kind.GROUP,
    Meeting.Kind.LESSON,
    Meeting.Kind.THEME_DAY,
    Meeting.Kind.LIFE_MEETING,
)
REQUIRED_KINDS = frozenset(KIND_ORDER)
BRANCH_KINDS = (PartyOrganization.Kind.BRANCH, PartyOrganization.Kind.JOINT_BRANCH)


class Requirement(NamedTuple):
    """One meeting owed once per period: ``kind`` every ``period_kind``; ``group`` names the party group a
    党小组会 is owed by ("" for the branch's own meetings)."""

    kind: str
    period_kind: str
    group: str = ""


def required_meetings(
    *, organization_kind: str, has_committee: bool, group_names, lesson_frequency: str | None
) -> list[Requirement]:
    """What a branch or joint branch must hold, and how often:

    支部党员大会 every quarter; 支委会 every month where the branch's current term elected a committee; a 党小组会
    every month for each of its party groups; 党课 as the building's settings say (default quarterly); 主题党日 every
    month; 组织生活会 every year. The general branch and party groups owe nothing of their own here (a group's
    党小组会 is its branch's requirement).
    """
    if organization_kind not in BRANCH_KINDS:
        return []
    owed = [Requirement(Meeting.Kind.GENERAL_MEETING, QUARTER)]
    if has_committee:
        owed.append(Requirement(Meeting.Kind.COMMITTEE, MONTH))
    owed.extend(Requirement(Meeting.Kind.GROUP, MONTH, name) for name in group_names)
    owed.append(Requirement(Meeting.Kind.LESSON, LESSON_PERIOD.get(lesson_frequency or DEFAULT_LESSON_FREQUENCY)))
    owed.append(Requirement(Meeting.Kind.THEME_DAY, MONTH))
    owed.append(Requirement(Meeting.Kind.LIFE_MEETING, YEAR))
    return owed


def periods_in_year(period_kind: str) -> int:
    """12 months, 4 quarters, 2 half-years, 1 year."""
    return 12 // MONTHS_IN[period_kind]


def period_of(period_kind: str, month: int) -> int:
    """The number of the period a month (1–12) falls in: ``period_of(QUARTER, 5) == 2``."""
    return (month - 1) // MONTHS_IN[period_kind] + 1


def quarter_of(month: int) -> int:
    return period_of(QUARTER, month)


def half_of(month: int) -> int:
    return period_of(HALF_YEAR, month)


def period_months(period_kind: str, index: int) -> range:
    """The months (1–12) of a period: ``period_months(QUARTER, 2) == range(4, 7)``."""
    size = MONTHS_IN[period_kind]
    first = (index - 1) * size + 1
    return range(first, first + size)


def period_bounds(period_kind: str, year: int, index: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a period."""
    months = period_months(period_kind, index)
    last_month = months[-1]
    return (
        datetime.date(year, months[0], 1),
        datetime.date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )


PAST, CURRENT, FUTURE = "past", "current", "future"


def position(period_kind: str, year: int, index: int, today: datetime.date) -> str:
    """Whether a period is over, running (it holds ``today``) or still to come."""
    first, last = period_bounds(period_kind, year, index)
    if last < today:
        return PAST
    if first > today:
        return FUTURE
    return CURRENT


def period_label(period_kind: str, index: int):
    """A period's name, translated: 三月, 第二季度, 上半年, 全年."""
    if period_kind == MONTH:
        return MONTH_LABELS[index - 1]
    if period_kind == QUARTER:
        return QUARTER_LABELS[index - 1]
    if period_kind == HALF_YEAR:
        return HALF_LABELS[index - 1]
    return _("Whole year")


MONTH_LABELS = [MONTHS_AP[m] for m in range(1, 13)]
QUARTER_LABELS = [_("1st quarter"), _("2nd quarter"), _("3rd quarter"), _("4th quarter")]
HALF_LABELS = [_("First half-year"), _("Second half-year")]
SECTION_TITLES = {
    MONTH: _("Every month"),
    QUARTER: _("Every quarter"),
    HALF_YEAR: _("Every half-year"),
    YEAR: _("Every year"),
}


# --- the read part ------------------------------------------------------------------------------------------

HELD, PLANNED, MISSING = "held", "planned", "missing"
GREEN, AMBER, RED, NOT_DUE, NONE = "green", "amber", "red", "future", "none"
KIND_LABELS = dict(Meeting.Kind.choices)


@dataclasses.dataclass
class Item:
    """One required meeting in one period, and whether it was held, is planned, or is missing."""

    kind: str
    organization_id: int  # who holds it: the branch, or for a 党小组会 the group
    group: str
    state: str
    day: int | None = None  # a 主题党日's day of the month, from the building's settings
    no_quorum: bool = False  # a 支部党员大会 held, but never with more than half of the voting members present

    @property
    def label(self):
        """The kind's name (支委会), or for a group's meeting the group's too (第一党小组 党小组会)."""
        if self.group:
            return format_lazy("{} {}", self.group, KIND_LABELS[self.kind])
        return KIND_LABELS[self.kind]

    @property
    def label_with_day(self):
        """The label, and for a 主题党日 with a fixed day, "（每月 15 日）"."""
        if self.kind == Meeting.Kind.THEME_DAY and self.day:
            return format_lazy(_("{label} (on day {day} of the month)"), label=self.label, day=self.day)
        return self.label

    @property
    def is_held(self) -> bool:
        return self.state == HELD

    @property
    def is_planned(self) -> bool:
        return self.state == PLANNED

    @property
    def is_missing(self) -> bool:
        return self.state == MISSING


@dataclasses.dataclass
class Cell:
    """One organisation in one period: what it owed, and the state the table shows."""

    period_kind: str
    index: int
    position: str
    items: list[Item]

    @property
    def label(self):
        return period_label(self.period_kind, self.index)

    @property
    def state(self) -> str:
        """green: all held; future: not yet due; red: something neither held nor planned; amber: planned."""
        if not self.items:
            return NONE
        if all(item.is_held for item in self.items):
            return GREEN
        if self.position == FUTURE:
            return NOT_DUE
        if any(item.is_missing for item in self.items):
            return RED
        return AMBER

    @property
    def held(self) -> list[Item]:
        return [item for item in self.items if item.is_held]

    @property
    def planned(self) -> list[Item]:
        return [item for item in self.items if item.is_planned]

    @property
    def missing(self) -> list[Item]:
        return [item for item in self.items if item.is_missing]

    @property
    def no_quorum(self) -> bool:
        return any(item.no_quorum for item in self.items)


@dataclasses.dataclass
class Row:
    """One branch's year: its cells per period kind, and the year's totals."""

    organization: PartyOrganization
    owed: list[Requirement]
    cells: dict[str, list[Cell]]

    @property
    def required(self) -> int:
        """应开: every meeting owed in the year (periods before the branch was founded excepted)."""
        return sum(len(cell.items) for cells in self.cells.values() for cell in cells)

    @property
    def held(self) -> int:
        """已开: the owed meetings held (a period's second meeting of a kind is not counted twice)."""
        return sum(len(cell.held) for cells in self.cells.values() for cell in cells)

    @property
    def planned(self) -> int:
        """计划中: owed meetings planned and not held (yet), in any period of the year."""
        return sum(len(cell.planned) for cells in self.cells.values() for cell in cells)

    @property
    def missing(self) -> int:
        """缺: owed meetings of periods already running or over, neither held nor planned."""
        return sum(len(cell.missing) for cells in self.cells.values() for cell in cells if cell.position != FUTURE)

    def current(self, period_kind: str) -> Cell | None:
        """The cell of the running period of this kind, if the row owes anything then."""
        for cell in self.cells.get(period_kind, []):
            if cell.position == CURRENT:
                return cell
        return None

    def outstanding(self) -> list[tuple[Cell, Item]]:
        """What is still to be held or planned this month and this quarter: the running month's and quarter's
        items neither held nor planned."""
        found = []
        for period_kind in (MONTH, QUARTER):
            cell = self.current(period_kind)
            if cell is not None:
                found.extend((cell, item) for item in cell.missing)
        return found


@dataclasses.dataclass
class Section:
    """One table of the page: the requirements owed every ``period_kind``, a column per period."""

    period_kind: str
    columns: list[tuple[int, object, str]]  # (index, label, position)
    rows: list[tuple[Row, list[Cell]]]
    kinds: list  # the labels of what is owed this often, for the table's caption

    @property
    def title(self):
        return SECTION_TITLES[self.period_kind]


@dataclasses.dataclass
class Grid:
    year: int
    today: datetime.date
    rows: list[Row]
    sections: list[Section]
    settings: dict[int, ComplianceSettings]  # building id → its settings (absent: the defaults)

    @property
    def required(self) -> int:
        return sum(row.required for row in self.rows)

    @property
    def held(self) -> int:
        return sum(row.held for row in self.rows)

    @property
    def planned(self) -> int:
        return sum(row.planned for row in self.rows)

    @property
    def missing(self) -> int:
        return sum(row.missing for row in self.rows)


def _requirement_label(kind: str, theme_day: int | None):
    """What a table's caption says is owed: "支委会（设支委会的支部）", "主题党日（每月 15 日）"."""
    if kind == Meeting.Kind.COMMITTEE:
        return format_lazy(_("{label} (branches with a committee)"), label=KIND_LABELS[kind])
    if kind == Meeting.Kind.GROUP:
        return format_lazy(_("{label} (each party group)"), label=KIND_LABELS[kind])
    if kind == Meeting.Kind.THEME_DAY and theme_day:
        return format_lazy(_("{label} (on day {day} of the month)"), label=KIND_LABELS[kind], day=theme_day)
    return KIND_LABELS[kind]


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The year from local midnight on 1 January to the next, as aware datetimes (the index on starts_at)."""
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=tz),
        datetime.datetime(year + 1, 1, 1, tzinfo=tz),
    )


def _meeting_facts(in_year) -> tuple[dict, set, set]:
    """Queries 5 and 6 of ``grid``: the year's meetings counted by organisation, kind, month and status, and the
    (organisation, month) of the held 支部党员大会 with and without quorum. Plain data, kept by
    ``buildingparty.data_cache`` under the query itself (who reads, which organisations, which year) and the data
    version (it changes on any write: a meeting planned, held or cancelled, an attendance recorded): at district
    scale the quorum alone counts 15,000 attendances of a building's year."""
    try:
        query = str(in_year.query)
    except EmptyResultSet:  # no organisation: no meeting either (the ORM would not ask the database)
        return {}, set(), set()
    return data_cache.cached("meetings:compliance", query, lambda: _count_meeting_facts(in_year))


def _count_meeting_facts(in_year) -> tuple[dict, set, set]:
    counts: dict[tuple[int, str, int], set[str]] = defaultdict(set)
    for row in (
        in_year.exclude(status=Meeting.Status.CANCELLED)
        .annotate(month=ExtractMonth("starts_at"))
        .values("organization_id", "kind", "month", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["organization_id"], row["kind"], row["month"]].add(row["status"])
    quorate, without_quorum = set(), set()
    for org_id, month, voting, present in (
        in_year.filter(kind=Meeting.Kind.GENERAL_MEETING, status=Meeting.Status.HELD)
        .annotate(
            month=ExtractMonth("starts_at"),
            voting=Count("attendances", filter=Q(attendances__is_voting=True)),
            present=Count(
                "attendances",
                filter=Q(attendances__is_voting=True, attendances__status=Attendance.Status.PRESENT),
            ),
        )
        .order_by()
        .values_list("organization_id", "month", "voting", "present")
    ):
        (quorate if rules.has_quorum(present, voting) else without_quorum).add((org_id, month))
    return dict(counts), quorate, without_quorum


def grid(*, organizations, year: int, today: datetime.date, meetings=None) -> Grid:
    """The compliance table of the branches and joint branches among ``organizations`` for ``year``.

    ``organizations`` and ``meetings`` are querysets already scoped to the reader
    (``PartyOrganization.objects.for_user(user)``, ``Meeting.objects.for_user(user)``); ``meetings`` defaults
    to every meeting (jobs). Six queries, however many organisations or meetings:

    1. the branches; 2. their party groups; 3. which have a committee; 4. the buildings' settings;
    5. the meetings counted by organisation, kind, month and status; 6. the held 支部党员大会's quorum
    (5 and 6 from the cache while nothing has been written since: ``_meeting_facts``).
    """
    branches = list(organizations.filter(kind__in=BRANCH_KINDS).order_by("building__name", "name", "pk"))
    branch_ids = [b.pk for b in branches]
    groups_of: dict[int, list[tuple[int, str, datetime.date | None]]] = defaultdict(list)
    for pk, parent_id, name, founded_on in (
        PartyOrganization.objects.filter(parent_id__in=branch_ids, kind=PartyOrganization.Kind.GROUP)
        .order_by("name", "pk")
        .values_list("pk", "parent_id", "name", "founded_on")
    ):
        groups_of[parent_id].append((pk, name, founded_on))
    with_committee = organizations_with_committee(branch_ids) if branch_ids else set()
    settings = {
        s.building_id: s for s in ComplianceSettings.objects.filter(building_id__in={b.building_id for b in branches})
    }

    org_ids = branch_ids + [pk for groups in groups_of.values() for pk, _name, _f in groups]
    start, end = year_bounds(year)
    in_year = (meetings if meetings is not None else Meeting.objects.all()).filter(
        organization_id__in=org_ids, kind__in=REQUIRED_KINDS, starts_at__gte=start, starts_at__lt=end
    )
    counts, quorate, without_quorum = _meeting_facts(in_year)

    def state_of(org_id, kind, months) -> str:
        seen = set().union(*(counts.get((org_id, kind, m), set()) for m in months))
        if Meeting.Status.HELD in seen:
            return HELD
        if Meeting.Status.PLANNED in seen:
            return PLANNED
        return MISSING

    rows = []
    for branch in branches:
        setting = settings.get(branch.building_id)
        groups = groups_of.get(branch.pk, [])
        group_by_name = {name: (pk, founded_on) for pk, name, founded_on in groups}
        owed = required_meetings(
            organization_kind=branch.kind,
            has_committee=branch.pk in with_committee,
            group_names=[name for _pk, name, _f in groups],
            lesson_frequency=setting.lesson_frequency if setting else None,
        )
        theme_day = setting.theme_day if setting else None
        cells = {}
        for period_kind in PERIOD_KINDS:
            kind_owed = [r for r in owed if r.period_kind == period_kind]
            if not kind_owed:
                continue
            cells[period_kind] = []
            for index in range(1, periods_in_year(period_kind) + 1):
                months = period_months(period_kind, index)
                last_day = period_bounds(period_kind, year, index)[1]
                items = []
                for requirement in kind_owed:
                    org_id, founded_on = branch.pk, branch.founded_on
                    if requirement.group:
                        org_id, group_founded = group_by_name[requirement.group]
                        founded_on = max(filter(None, (founded_on, group_founded)), default=None)
                    if founded_on and last_day < founded_on:
                        continue  # the branch (or group) did not exist yet
                    item = Item(
                        kind=requirement.kind,
                        organization_id=org_id,
                        group=requirement.group,
                        state=state_of(org_id, requirement.kind, months),
                        day=theme_day if requirement.kind == Meeting.Kind.THEME_DAY else None,
                    )
                    if item.kind == Meeting.Kind.GENERAL_MEETING and item.is_held:
                        item.no_quorum = not any((org_id, m) in quorate for m in months) and any(
                            (org_id, m) in without_quorum for m in months
                        )
                    items.append(item)
                cells[period_kind].append(Cell(period_kind, index, position(period_kind, year, index, today), items))
        rows.append(Row(organization=branch, owed=owed, cells=cells))

    sections = []
    for period_kind in PERIOD_KINDS:
        section_rows = [(row, row.cells[period_kind]) for row in rows if period_kind in row.cells]
        if not section_rows:
            continue
        owed_kinds = {r.kind for row, _cells in section_rows for r in row.owed if r.period_kind == period_kind}
        days = {s.theme_day for s in settings.values()}
        day = days.pop() if len(days) == 1 else None
        kinds = [_requirement_label(kind, day) for kind in KIND_ORDER if kind in owed_kinds]
        columns = [
            (index, period_label(period_kind, index), position(period_kind, year, index, today))
            for index in range(1, periods_in_year(period_kind) + 1)
        ]
        sections.append(Section(period_kind=period_kind, columns=columns, rows=section_rows, kinds=kinds))
    return Grid(
        year=year,
        today=today,
        rows=rows,
        sections=sections,
        settings=settings,
    )
