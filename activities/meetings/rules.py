"""The rules of organisational life (DOMAIN.md §7, 《中国共产党支部工作条例（试行）》2018), as plain functions.

Views, services, jobs and exports call these; nothing re-derives them.
"""

# Study hours a year (《中国共产党党员教育管理工作条例》2019): every member 32, secretaries and committee members 56.
MEMBER_STUDY_HOURS = 32
COMMITTEE_STUDY_HOURS = 56


def has_quorum(present_voting: int, voting: int) -> bool:
    """A 支部党员大会 may decide when more than half of the members with a vote are present: exactly half is not
    enough. A branch without voting members has no quorum."""
    if voting <= 0:
        return False
    return present_voting * 2 > voting


def max_excellent(graded: int) -> int:
    """At most one third of the members graded in a 民主评议 may be 优秀 (rounded down: 7 graded → 2)."""
    if graded <= 0:
        return 0
    return graded // 3


def required_study_hours(is_committee_member: bool) -> int:
    """A member's yearly study hours: 56 for secretaries and committee members, 32 for everybody else."""
    return COMMITTEE_STUDY_HOURS if is_committee_member else MEMBER_STUDY_HOURS
