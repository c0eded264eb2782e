"""The appraisal register (民主评议党员情况表): one row per member and round, by year, branch and name.

Headers and labels are fixed Chinese whatever the interface language, as in the other registers: the table goes
to the general branch and the street and must read the same for everyone. Peer assessments appear as counts per
suggested grade, never who suggested what; self-assessments only as submitted or not (the text stays on screen).
Export only. Filters: ``manage.py export_register appraisal --filter year=2025 --filter organization=<id or name>``.
"""

from django.db.models import Q

from buildingparty import registers
from buildingparty.models import PartyOrganization, Role
from buildingparty.registers import Column, Register

from .models import Grade
from .selectors import appraisals_for_export

NAME = "appraisal"
TITLE = "民主评议党员情况表"
FILTERS = ("year", "organization")

GRADE = {
    Grade.EXCELLENT: "优秀",
    Grade.QUALIFIED: "合格",
    Grade.BASIC: "基本合格",
    Grade.UNQUALIFIED: "不合格",
}


def may_export(user) -> bool:
    return user.role in (Role.ADMIN, Role.SECRETARY, Role.STREET)


def filter_appraisals(appraisals, filters: dict):
    """Narrow the rows by ``{"year": "2025", "organization": "12"}`` (text, as the command line gives them); the
    organisation is the round's branch, by number or by name. Raises ``ValueError`` with a message for the
    person who typed the filter."""
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"unknown filter {', '.join(sorted(unknown))}; use {', '.join(FILTERS)}")
    if filters.get("year"):
        try:
            year = int(filters["year"])
        except ValueError:
            raise ValueError(f"year must be a year such as 2025, not {filters['year']!r}") from None
        appraisals = appraisals.filter(round__year=year)
    organization = (filters.get("organization") or "").strip()
    if organization:
        condition = Q(round__organization__name=organization)
        if organization.isdigit():
            condition |= Q(round__organization_id=int(organization))
        appraisals = appraisals.filter(condition)
    return appraisals


def _grade(appraisal) -> str:
    if not appraisal.takes_grade:
        return "不评定等次"
    return GRADE.get(appraisal.grade, "未评定")


def _group(appraisal) -> str:
    organization = appraisal.member.organization
    return organization.name if organization.kind == PartyOrganization.Kind.GROUP else ""


COLUMNS = [
    Column("年度", lambda a: a.round.year, width=7),
    Column("党支部", lambda a: a.round.organization.name, width=22),
    Column("党小组", _group, width=18),
    Column("姓名", lambda a: a.member.name, width=10),
    # As when the round opened: a probationary member who has since become a full member took part ungraded.
    Column("党员类别", lambda a: "正式党员" if a.takes_grade else "预备党员", width=10),
    Column("自我评价", lambda a: "已提交" if a.self_submitted_at else "未提交", width=9),
    Column("自我评价提交时间", lambda a: a.self_submitted_at, width=17),
    Column("互评人数", lambda a: a.peer_total, width=9),
    Column("互评：优秀", lambda a: a.peer_excellent, width=10),
    Column("互评：合格", lambda a: a.peer_qualified, width=10),
    Column("互评：基本合格", lambda a: a.peer_basic, width=13),
    Column("互评：不合格", lambda a: a.peer_unqualified, width=12),
    Column("评定等次", _grade, width=10),
    Column("组织处置", lambda a: a.follow_up, width=30),
    Column("评定时间", lambda a: a.graded_at, width=17),
]


def appraisal_register(user=None) -> Register:
    return Register(
        name=NAME,
        title=TITLE,
        columns=COLUMNS,
        queryset=appraisals_for_export,
        may_export=may_export,
        options={"filters": FILTERS, "filter": filter_appraisals},
    )


registers.register(NAME, appraisal_register)
