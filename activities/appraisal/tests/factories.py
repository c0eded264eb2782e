"""Helpers for appraisal tests: a branch's round with so many full and probationary members."""

from activities.appraisal import services
from activities.appraisal.models import Appraisal, AppraisalRound
from members.models import Member
from tests.factories import MemberFactory

YEAR = 2025


def members(organization, full: int = 0, probationary: int = 0) -> list[Member]:
    made = [MemberFactory(organization=organization) for _ in range(full)]
    made += [
        MemberFactory(organization=organization, category=Member.Category.PROBATIONARY, full_member_on=None)
        for _ in range(probationary)
    ]
    return made


def open_round(organization, *, full: int = 0, probationary: int = 0, year: int = YEAR, by=None) -> AppraisalRound:
    """A round of ``organization`` opened after adding so many members to it (its existing members take part too)."""
    members(organization, full, probationary)
    return services.round_open(organization=organization, year=year, by=by)


def appraisals(round: AppraisalRound, *, graded: bool = True) -> list[Appraisal]:
    """The round's appraisals that take a grade (or those that do not), by member."""
    return list(round.appraisals.filter(takes_grade=graded).select_related("member").order_by("member__name", "pk"))


def grade_all(round: AppraisalRound, grade: str = "qualified", *, by=None) -> None:
    for appraisal in appraisals(round):
        if not appraisal.grade:
            services.grade(appraisal=appraisal, grade=grade, follow_up="", by=by)
