"""Every write of the duty rosters: atomic, keyword-only, each recording who did it.

Three rules hold for every assignment, and each refusal names the clash:

1. nobody is on two shifts at once, in any of the building's teams (the same party member, or the same
   volunteer's mobile number);
2. nobody goes over the team's weekly limit of shifts (an ISO week, Monday to Sunday);
3. nobody is on duty while on leave.

``Ledger`` holds what the people concerned already do around the shifts in question (their shifts in every team,
their leave), read in three queries; assigning, filling a week, editing a shift and approving a swap all ask it.
Writes lock the people's rows first (every team's row of the same person), so two leaders putting one person on
duty at the same moment are taken one after the other.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.models import Role, User
from buildingparty.notifications import notify
from enterprises.models import Enterprise
from members.models import Member, active_q
from members.validators import MOBILE_RE, normalize_phone

from . import selectors
from .models import (
    MAX_WEEKLY_LIMIT,
    Assignment,
    DutyShift,
    DutyTeam,
    MediationCase,
    ShiftLog,
    SwapRequest,
    TeamMember,
    Unavailability,
)

OFFICERS = (Role.ADMIN, Role.SECRETARY)
MAX_REPEAT_DAYS = 62
MAX_SHIFT_HOURS = 24
MAX_NEEDED = 20


# --- the three rules ----------------------------------------------------------------------------------------


def _person_q(keys) -> Q:
    """Every team's row of these people: the same party member, or a volunteer with the same mobile number."""
    member_ids = [value for kind, value in keys if kind == "member"]
    phones = [value for kind, value in keys if kind == "phone"]
    return Q(member_id__in=member_ids) | Q(member__isnull=True, phone__in=phones)


def _rows_of(building_id: int, people) -> dict[int, tuple]:
    rows = TeamMember.objects.filter(team__building_id=building_id).filter(_person_q({p.person_key for p in people}))
    return {pk: (("member", m) if m else ("phone", p)) for pk, m, p in rows.values_list("pk", "member_id", "phone")}


def _lock_people(building_id: int, people) -> None:
    """Lock every team's row of these people (in a fixed order), so their rosters change one writer at a time."""
    keys = {p.person_key for p in people}
    list(
        TeamMember.objects.select_for_update()
        .filter(team__building_id=building_id)
        .filter(_person_q(keys))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


WEEKDAYS = "一二三四五六日"


def _when(shift: DutyShift) -> str:
    return f"{shift.day:%m-%d}（{WEEKDAYS[shift.day.weekday()]}）{shift.hours}"


class Ledger:
    """What some people already do from ``first`` to ``last`` (days, both included): their shifts in every team of
    the building and their leave. ``refusal`` answers whether one of them may take one more shift; ``add`` books
    it, so a week is filled against what was proposed before it.

    Assignments in ``ignore`` (pks) are left out: the shift being moved, the two shifts a swap exchanges."""

    def __init__(self, *, building_id: int, people, first: datetime.date, last: datetime.date, ignore=()):
        self._key = _rows_of(building_id, people)
        start = selectors.local_midnight(first - datetime.timedelta(days=1))  # a night shift ending on ``first``
        end = selectors.local_midnight(last + datetime.timedelta(days=1))
        self._shifts: dict[tuple, list[tuple[DutyShift, int]]] = defaultdict(list)
        assignments = (
            Assignment.objects.filter(team_member_id__in=list(self._key), shift__starts_at__lt=end)
            .filter(shift__ends_at__gt=start)
            .exclude(pk__in=list(ignore))
            .select_related("shift__team")
        )
        for assignment in assignments:
            self._shifts[self._key[assignment.team_member_id]].append((assignment.shift, assignment.team_member_id))
        self._leave: dict[tuple, list[Unavailability]] = defaultdict(list)
        leaves = Unavailability.objects.filter(
            team_member_id__in=list(self._key), starts_on__lte=last + datetime.timedelta(days=1)
        ).filter(ends_on__gte=first - datetime.timedelta(days=1))
        for leave in leaves:
            self._leave[self._key[leave.team_member_id]].append(leave)

    def refusal(self, shift: DutyShift, person: TeamMember) -> str:
        """Why ``person`` may not take ``shift`` ("" when she may): leave, a shift at the same time, the limit."""
        key, name = person.person_key, person.display_name
        for leave in self._leave[key]:
            if leave.covers(shift.day, shift.last_day):
                return _("%(name)s is on leave from %(start)s to %(end)s (%(reason)s).") % {
                    "name": name,
                    "start": f"{leave.starts_on:%m-%d}",
                    "end": f"{leave.ends_on:%m-%d}",
                    "reason": leave.reason,
                }
        for other, _row in self._shifts[key]:
            if other.pk == shift.pk:
                return _("%(name)s is already on this shift.") % {"name": name}
            if other.starts_at < shift.ends_at and other.ends_at > shift.starts_at:
                return _("%(name)s is already on duty then: %(team)s, %(post)s, %(when)s.") % {
                    "name": name,
                    "team": other.team.name,
                    "post": other.post,
                    "when": _when(other),
                }
        week = shift.day.isocalendar()[:2]
        count = sum(
            1
            for other, _row in self._shifts[key]
            if other.team_id == shift.team_id and other.day.isocalendar()[:2] == week
        )
        limit = shift.team.weekly_limit
        if count >= limit:
            return _(
                "%(name)s already has %(count)d of %(team)s's shifts in the week of %(monday)s: the team's limit is "
                "%(limit)d a week."
            ) % {
                "name": name,
                "count": count,
                "team": shift.team.name,
                "monday": f"{selectors.monday_of(shift.day):%m-%d}",
                "limit": limit,
            }
        return ""

    def add(self, shift: DutyShift, person: TeamMember) -> None:
        self._shifts[person.person_key].append((shift, person.pk))

    def count(self, person: TeamMember, first: datetime.date, last: datetime.date, team_id: int) -> int:
        shifts = self._shifts[person.person_key]
        return sum(1 for other, _row in shifts if other.team_id == team_id and first <= other.day <= last)


def _span(shifts) -> tuple[datetime.date, datetime.date]:
    """The days a ledger must cover for these shifts: their whole ISO weeks (the weekly limit), and the day a
    night shift ends on."""
    first = min(selectors.monday_of(s.day) for s in shifts)
    last = max(max(selectors.monday_of(s.day) + datetime.timedelta(days=6), s.last_day) for s in shifts)
    return first, last


# --- assigning ----------------------------------------------------------------------------------------------


def _check_on_team(team: DutyTeam, shift: DutyShift, person: TeamMember) -> None:
    if shift.team_id != team.pk or person.team_id != team.pk:
        raise ValidationError(_("Only the team's own people are put on the team's shifts."), code="team")
    if not person.is_active:
        raise ValidationError(_("%(name)s is no longer on the team.") % {"name": person.display_name}, code="inactive")


@transaction.atomic
def assign_many(*, team: DutyTeam, picks: list[tuple[DutyShift, TeamMember]], by) -> list[Assignment]:
    """Put people on shifts of ``team``, all or nothing.

    1. Each person is on the team and active; each shift is the team's.
    2. Lock every team's row of the people concerned, then read what they already do (``Ledger``).
    3. Check the picks in the order of the shifts, each against the ones before it; any refusal refuses all, with
       every clash named.
    """
    if not picks:
        return []
    for shift, person in picks:
        _check_on_team(team, shift, person)
    people = list({person.pk: person for _shift, person in picks}.values())
    _lock_people(team.building_id, people)
    shifts = [shift for shift, _person in picks]
    first, last = _span(shifts)
    ledger = Ledger(building_id=team.building_id, people=people, first=first, last=last)
    errors = []
    for shift, person in sorted(picks, key=lambda pick: (pick[0].starts_at, pick[0].pk, pick[1].display_name)):
        shift.team = team  # the limit is the team's
        refusal = ledger.refusal(shift, person)
        if refusal:
            errors.append(ValidationError(refusal, code="clash"))
        else:
            ledger.add(shift, person)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    return Assignment.objects.bulk_create(
        [Assignment(shift=shift, team_member=person, assigned_by=by, assigned_at=now) for shift, person in picks]
    )


def assign(*, shift: DutyShift, team_member: TeamMember, by) -> Assignment:
    return assign_many(team=shift.team, picks=[(shift, team_member)], by=by)[0]


@transaction.atomic
def unassign(*, assignment: Assignment, by) -> None:
    """Take someone off a shift (a waiting swap request for it goes with it)."""
    Assignment.objects.filter(pk=assignment.pk).delete()


# --- filling a week -----------------------------------------------------------------------------------------


@dataclass
class ProposalRow:
    shift: DutyShift
    on_duty: list  # already assigned
    proposed: list = field(default_factory=list)
    short: int = 0  # still missing after the proposal
    reasons: list = field(default_factory=list)  # why people were passed over, when the shift stays short


@dataclass
class Proposal:
    team: DutyTeam
    monday: datetime.date
    rows: list

    @property
    def proposed_count(self) -> int:
        return sum(len(row.proposed) for row in self.rows)

    @property
    def short_count(self) -> int:
        return sum(row.short for row in self.rows)


def fill_week(*, team: DutyTeam, monday: datetime.date, since: datetime.datetime | None = None) -> Proposal:
    """Propose people for the shifts of ``team`` in the week of ``monday`` that start after ``since`` (now) and
    still need someone. Nothing is written: the leader reviews and edits the proposal, then saves it
    (``assign_many`` checks it all again).

    1. The team's active people; what they do in every team this week (``Ledger``); how many of this team's
       shifts each has in the shifts' months.
    2. Shift by shift in time order, the people not on it yet, fewest shifts this month first (then fewest this
       week, then by name), each taken while the three rules allow and the shift needs more.
    """
    since = since or timezone.now()
    monday = selectors.monday_of(monday)
    start, end = selectors.week_range(monday)
    shifts = list(
        DutyShift.objects.filter(team=team, starts_at__gte=max(start, since), starts_at__lt=end)
        .prefetch_related(selectors.people_prefetch())
        .order_by("starts_at", "pk")
    )
    people = list(selectors.active_people(team))
    rows = []
    if not shifts or not people:
        rows = [ProposalRow(s, [a.team_member for a in s.people_on]) for s in shifts]
        return Proposal(team=team, monday=monday, rows=rows)
    sunday = monday + datetime.timedelta(days=6)
    ledger = Ledger(building_id=team.building_id, people=people, first=monday, last=sunday + datetime.timedelta(days=1))
    months = _month_counts(team, monday, sunday)
    for shift in shifts:
        shift.team = team
        on_duty = [a.team_member for a in shift.people_on]
        row = ProposalRow(shift=shift, on_duty=on_duty)
        missing = shift.needed - len(on_duty)
        if missing > 0:
            taken = {p.pk for p in on_duty}
            month = (shift.day.year, shift.day.month)
            candidates = sorted(
                (p for p in people if p.pk not in taken),
                key=lambda p: (
                    months[(p.pk, month)],
                    ledger.count(p, monday, sunday, team.pk),
                    p.display_name,
                    p.pk,
                ),
            )
            for person in candidates:
                if len(row.proposed) == missing:
                    break
                refusal = ledger.refusal(shift, person)
                if refusal:
                    row.reasons.append(refusal)
                    continue
                ledger.add(shift, person)
                months[(person.pk, month)] += 1
                row.proposed.append(person)
            row.short = missing - len(row.proposed)
            if not row.short:
                row.reasons = []
        rows.append(row)
    return Proposal(team=team, monday=monday, rows=rows)


def _month_counts(team: DutyTeam, monday: datetime.date, sunday: datetime.date) -> defaultdict:
    """(team member pk, (year, month)) → this team's shifts she has in that month, for the months of the week."""
    start, _end = selectors.month_range(monday)
    _start, end = selectors.month_range(sunday)
    counts = defaultdict(int)
    starts = Assignment.objects.filter(
        team_member__team=team, shift__starts_at__gte=start, shift__starts_at__lt=end
    ).values_list("team_member_id", "shift__starts_at")
    for person_id, starts_at in starts:
        day = timezone.localdate(starts_at)
        counts[(person_id, (day.year, day.month))] += 1
    return counts


# --- shifts -------------------------------------------------------------------------------------------------


def shift_times(
    day: datetime.date, start: datetime.time, end: datetime.time
) -> tuple[datetime.datetime, datetime.datetime]:
    """A shift on ``day`` from ``start`` to ``end``; an end at or before the start is on the next day (a night
    shift, 22:00–06:00)."""
    starts_at = timezone.make_aware(datetime.datetime.combine(day, start))
    end_day = day if end > start else day + datetime.timedelta(days=1)
    return starts_at, timezone.make_aware(datetime.datetime.combine(end_day, end))


def _check_shift(*, post: str, needed: int, starts_at, ends_at) -> None:
    errors = {}
    if not post.strip():
        errors["post"] = _("Say where the shift is kept: the post or the route.")
    if not 1 <= needed <= MAX_NEEDED:
        errors["needed"] = _("A shift needs 1 to %(max)d people.") % {"max": MAX_NEEDED}
    if ends_at - starts_at > datetime.timedelta(hours=MAX_SHIFT_HOURS):
        errors["end"] = _("A shift lasts at most %(hours)d hours.") % {"hours": MAX_SHIFT_HOURS}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def shift_create(
    *,
    team: DutyTeam,
    day: datetime.date,
    start: datetime.time,
    end: datetime.time,
    post: str,
    by,
    needed: int = 1,
    note: str = "",
    repeat_until: datetime.date | None = None,
    weekdays: list[int] | None = None,
) -> list[DutyShift]:
    """One shift, or the same shift on each of ``weekdays`` (0 = Monday) from ``day`` to ``repeat_until``."""
    if start == end:
        raise ValidationError({"end": _("A shift must end after it starts.")})
    days = [day]
    if repeat_until is not None:
        if repeat_until < day:
            raise ValidationError({"repeat_until": _("Repeat until a day after the first.")})
        if (repeat_until - day).days > MAX_REPEAT_DAYS:
            raise ValidationError(
                {"repeat_until": _("Repeat for at most %(days)d days at a time.") % {"days": MAX_REPEAT_DAYS}}
            )
        chosen = set(weekdays) if weekdays else set(range(7))
        days = [
            day + datetime.timedelta(days=n)
            for n in range((repeat_until - day).days + 1)
            if (day + datetime.timedelta(days=n)).weekday() in chosen
        ]
        if not days:
            raise ValidationError({"weekdays": _("None of these weekdays falls between the two dates.")})
    shifts = []
    for each in days:
        starts_at, ends_at = shift_times(each, start, end)
        _check_shift(post=post, needed=needed, starts_at=starts_at, ends_at=ends_at)
        shifts.append(
            DutyShift(
                team=team,
                starts_at=starts_at,
                ends_at=ends_at,
                post=post.strip()[:100],
                needed=needed,
                note=note.strip()[:200],
                created_by=by,
            )
        )
    return DutyShift.objects.bulk_create(shifts)


@transaction.atomic
def shift_update(
    *,
    shift: DutyShift,
    day: datetime.date,
    start: datetime.time,
    end: datetime.time,
    post: str,
    needed: int,
    by,
    note: str = "",
) -> DutyShift:
    """Move or change a shift. When its time changes, the people on it are checked again at the new time (leave,
    other shifts, the weekly limit); a clash refuses the change."""
    if start == end:
        raise ValidationError({"end": _("A shift must end after it starts.")})
    starts_at, ends_at = shift_times(day, start, end)
    _check_shift(post=post, needed=needed, starts_at=starts_at, ends_at=ends_at)
    moved = starts_at != shift.starts_at or ends_at != shift.ends_at
    if moved:
        assignments = list(shift.assignments.select_related("team_member__member"))
        people = [a.team_member for a in assignments]
        if people:
            _lock_people(shift.team.building_id, people)
            candidate = DutyShift(pk=shift.pk, team=shift.team, starts_at=starts_at, ends_at=ends_at, post=post)
            first, last = _span([shift, candidate])
            ledger = Ledger(
                building_id=shift.team.building_id,
                people=people,
                first=first,
                last=last,
                ignore=[a.pk for a in assignments],
            )
            errors = [ValidationError(r, code="clash") for p in people if (r := ledger.refusal(candidate, p))]
            if errors:
                raise ValidationError(errors)
    shift.starts_at, shift.ends_at = starts_at, ends_at
    shift.post, shift.needed, shift.note = post.strip()[:100], needed, note.strip()[:200]
    shift.save(update_fields=["starts_at", "ends_at", "post", "needed", "note"])
    return shift


@transaction.atomic
def shift_delete(*, shift: DutyShift, by) -> None:
    """Drop a shift nobody has written up yet (its assignments go with it)."""
    if shift.logs.exists() or shift.cases.exists():
        raise ValidationError(_("This shift has its log or a mediation case: it stays on the roster."), code="logged")
    shift.delete()


# --- the team and its people --------------------------------------------------------------------------------


def _check_limit(weekly_limit: int) -> None:
    if not 1 <= weekly_limit <= MAX_WEEKLY_LIMIT:
        raise ValidationError({"weekly_limit": _("Between 1 and %(max)d shifts a week.") % {"max": MAX_WEEKLY_LIMIT}})


@transaction.atomic
def team_create(*, building, kind: str, name: str, by, weekly_limit: int = 2, note: str = "") -> DutyTeam:
    name = name.strip()
    _check_limit(weekly_limit)
    if DutyTeam.objects.filter(building=building, name=name).exists():
        raise ValidationError({"name": _("The building already has a team of this name.")})
    return DutyTeam.objects.create(
        building=building, kind=kind, name=name[:100], weekly_limit=weekly_limit, note=note.strip()[:200]
    )


@transaction.atomic
def team_update(
    *, team: DutyTeam, kind: str, name: str, weekly_limit: int, by, leader: TeamMember | None = None, note: str = ""
) -> DutyTeam:
    """Change the team; its leader is one of its own active people."""
    name = name.strip()
    _check_limit(weekly_limit)
    if DutyTeam.objects.filter(building_id=team.building_id, name=name).exclude(pk=team.pk).exists():
        raise ValidationError({"name": _("The building already has a team of this name.")})
    if leader is not None and (leader.team_id != team.pk or not leader.is_active):
        raise ValidationError({"leader": _("The leader must be one of the team's people.")})
    team.kind, team.name, team.weekly_limit, team.leader, team.note = kind, name[:100], weekly_limit, leader, note
    team.save(update_fields=["kind", "name", "weekly_limit", "leader", "note"])
    return team


@transaction.atomic
def member_add(*, team: DutyTeam, member: Member, by) -> TeamMember:
    """Put a party member of the building on the team (back on it, if she was on it before)."""
    in_standing = Member.objects.filter(active_q(), pk=member.pk).exists()
    if member.organization.building_id != team.building_id or not in_standing:
        raise ValidationError(_("Only party members of the building in normal standing join its teams."), code="member")
    existing = TeamMember.objects.select_for_update().filter(team=team, member=member).first()
    if existing is not None:
        if existing.is_active:
            raise ValidationError(_("%(name)s is already on the team.") % {"name": member.name}, code="duplicate")
        existing.is_active = True
        existing.joined_on = timezone.localdate()
        existing.save(update_fields=["is_active", "joined_on"])
        return existing
    return TeamMember.objects.create(team=team, member=member, enterprise=member.enterprise)


def _enterprise_named(team: DutyTeam, text: str) -> Enterprise | None:
    text = (text or "").strip()
    if not text:
        return None
    found = list(Enterprise.objects.filter(building_id=team.building_id, name=text)[:2])
    if not found:
        found = list(Enterprise.objects.filter(building_id=team.building_id, name__icontains=text)[:2])
    if len(found) != 1:
        raise ValidationError(
            {
                "enterprise": _("No single enterprise of the building is called “%(name)s”: write its full name.")
                % {"name": text}
            }
        )
    return found[0]


@transaction.atomic
def volunteer_add(*, team: DutyTeam, name: str, phone: str, by, enterprise: str = "") -> TeamMember:
    """Register a volunteer who is not a party member, known by her mobile number. A number that is a party
    member's of the building is refused: she joins as the member she is, so her shifts count as hers everywhere."""
    name, phone = name.strip(), normalize_phone(phone or "")
    errors = {}
    if not name:
        errors["name"] = _("Write the volunteer's name.")
    if not MOBILE_RE.match(phone):
        errors["phone"] = _("Enter an 11-digit mobile number starting with 1.")
    if errors:
        raise ValidationError(errors)
    member = Member.objects.filter(organization__building_id=team.building_id, phone=phone).first()
    if member is not None:
        raise ValidationError(
            {
                "phone": _(
                    "%(phone)s is the mobile number of %(name)s, a party member of the building: add her as a party "
                    "member."
                )
                % {"phone": phone, "name": member.name}
            }
        )
    company = _enterprise_named(team, enterprise)
    existing = TeamMember.objects.select_for_update().filter(team=team, member__isnull=True, phone=phone).first()
    if existing is not None:
        if existing.is_active:
            raise ValidationError({"phone": _("%(name)s is already on the team.") % {"name": existing.name}})
        existing.name, existing.enterprise, existing.is_active = name[:50], company, True
        existing.joined_on = timezone.localdate()
        existing.save(update_fields=["name", "enterprise", "is_active", "joined_on"])
        return existing
    return TeamMember.objects.create(team=team, name=name[:50], phone=phone, enterprise=company)


@transaction.atomic
def member_leave_team(*, team_member: TeamMember, by) -> int:
    """Take someone off the team: her shifts ahead on this team are cleared (returns how many), swap requests
    waiting that name her are refused. Her past shifts stay in the record. The leader must be replaced first."""
    team = team_member.team
    if team.leader_id == team_member.pk:
        raise ValidationError(_("Choose another leader before taking the leader off the team."), code="leader")
    now = timezone.now()
    ahead = Assignment.objects.filter(team_member=team_member, shift__starts_at__gt=now)
    _refuse_waiting(
        SwapRequest.objects.filter(status=SwapRequest.Status.REQUESTED).filter(
            Q(from_member=team_member) | Q(to_member=team_member)
        ),
        by=by,
        note=_("%(name)s has left the team.") % {"name": team_member.display_name},
    )
    removed, _detail = ahead.delete()
    team_member.is_active = False
    team_member.save(update_fields=["is_active"])
    return removed


@transaction.atomic
def member_rejoin(*, team_member: TeamMember, by) -> TeamMember:
    if team_member.member_id:
        return member_add(team=team_member.team, member=team_member.member, by=by)
    team_member.is_active = True
    team_member.joined_on = timezone.localdate()
    team_member.save(update_fields=["is_active", "joined_on"])
    return team_member


# --- leave --------------------------------------------------------------------------------------------------


@transaction.atomic
def leave_add(
    *, team_member: TeamMember, starts_on: datetime.date, ends_on: datetime.date, reason: str, by
) -> tuple[Unavailability, list[DutyShift]]:
    """Record a person's leave. Nobody is on duty while on leave: her shifts ahead in that time, in every team of
    the building, are cleared, and returned so the leader can fill them."""
    reason = reason.strip()
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The leave cannot end before it starts.")})
    if not reason:
        raise ValidationError({"reason": _("Say why (e.g. 出差, 病假).")})
    building_id = team_member.team.building_id
    _lock_people(building_id, [team_member])
    leave = Unavailability.objects.create(
        team_member=team_member, starts_on=starts_on, ends_on=ends_on, reason=reason[:200], recorded_by=by
    )
    rows = _rows_of(building_id, [team_member])
    start = selectors.local_midnight(starts_on - datetime.timedelta(days=1))
    end = selectors.local_midnight(ends_on + datetime.timedelta(days=1))
    cleared = []
    for assignment in (
        Assignment.objects.filter(team_member_id__in=list(rows), shift__starts_at__lt=end, shift__ends_at__gt=start)
        .filter(shift__starts_at__gt=timezone.now())
        .select_related("shift__team")
        .order_by("shift__starts_at")
    ):
        if leave.covers(assignment.shift.day, assignment.shift.last_day):
            cleared.append(assignment)
    Assignment.objects.filter(pk__in=[a.pk for a in cleared]).delete()
    return leave, [a.shift for a in cleared]


@transaction.atomic
def leave_remove(*, leave: Unavailability, by) -> None:
    leave.delete()


# --- swaps --------------------------------------------------------------------------------------------------


def _swap_refusals(
    *, assignment: Assignment, from_member: TeamMember, to_member: TeamMember, in_return: Assignment | None
) -> list[str]:
    """What the three rules say of the swap: the colleague takes the shift, and (an exchange) the asker takes the
    colleague's. Both assignments are left out of the ledger: each person gives one shift up."""
    ignore = [assignment.pk] + ([in_return.pk] if in_return else [])
    shifts = [assignment.shift] + ([in_return.shift] if in_return else [])
    first, last = _span(shifts)
    team = assignment.shift.team
    ledger = Ledger(
        building_id=team.building_id, people=[from_member, to_member], first=first, last=last, ignore=ignore
    )
    refusals = []
    refusal = ledger.refusal(assignment.shift, to_member)
    if refusal:
        refusals.append(refusal)
    else:
        ledger.add(assignment.shift, to_member)
    if in_return is not None:
        refusal = ledger.refusal(in_return.shift, from_member)
        if refusal:
            refusals.append(refusal)
    return refusals


def _check_swap(*, assignment: Assignment, to_member: TeamMember, in_return: Assignment | None) -> None:
    now = timezone.now()
    shift = assignment.shift
    if shift.starts_at <= now:
        raise ValidationError(_("This shift has begun: it can no longer be swapped."), code="started")
    if to_member.team_id != shift.team_id or not to_member.is_active:
        raise ValidationError({"to_member": _("Choose a colleague on the same team.")})
    if to_member.person_key == assignment.team_member.person_key:
        raise ValidationError({"to_member": _("Choose a colleague, not the person on the shift.")})
    if in_return is not None:
        if in_return.team_member_id != to_member.pk:
            raise ValidationError({"in_return": _("That shift is not the colleague's.")})
        if in_return.shift.team_id != shift.team_id or in_return.shift.starts_at <= now:
            raise ValidationError({"in_return": _("Choose one of the colleague's shifts ahead on this team.")})


@transaction.atomic
def swap_request(
    *, assignment: Assignment, to_member: TeamMember, by, in_return: Assignment | None = None, reason: str = ""
) -> SwapRequest:
    """A team member asks to hand her shift to a colleague (or to exchange it for one of the colleague's). The
    rules are checked now, so she hears of a clash at once, and again when the leader approves. The leader (else
    the building's admins) is told."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("shift__team__leader__member__user", "team_member__member")
        .get(pk=assignment.pk)
    )
    _check_swap(assignment=assignment, to_member=to_member, in_return=in_return)
    if SwapRequest.objects.filter(assignment=assignment, status=SwapRequest.Status.REQUESTED).exists():
        raise ValidationError(_("A swap of this shift is already waiting for the leader."), code="waiting")
    refusals = _swap_refusals(
        assignment=assignment, from_member=assignment.team_member, to_member=to_member, in_return=in_return
    )
    if refusals:
        raise ValidationError([ValidationError(r, code="clash") for r in refusals])
    swap = SwapRequest.objects.create(
        assignment=assignment,
        from_member=assignment.team_member,
        to_member=to_member,
        in_return=in_return,
        reason=reason.strip()[:200],
        asked_by=by,
    )
    team = assignment.shift.team
    notify(
        users=deciders(team, asker=by),
        event="duty_swap_requested",
        context={"swap": swap, "shift": assignment.shift, "team": team},
        url=reverse("duty:team", args=[team.pk]) + "#swaps",
        dedupe_key=f"duty:swap-requested:{swap.pk}",
    )
    return swap


def deciders(team: DutyTeam, *, asker=None) -> list:
    """Who decides a team's swaps: its leader, when she has an account (and is not the one asking); else the
    building's admins."""
    leader = team.leader
    user = leader.member.user if leader is not None and leader.member_id and leader.member.user_id else None
    if user is not None and user.is_active and user != asker:
        return [user]
    return list(User.objects.filter(role=Role.ADMIN, building_id=team.building_id, is_active=True).order_by("pk"))


def _refuse_waiting(swaps, *, by, note: str) -> None:
    swaps.update(status=SwapRequest.Status.REFUSED, decided_by=by, decided_at=timezone.now(), note=note[:200])


@transaction.atomic
def swap_decide(*, swap: SwapRequest, approve: bool, by, note: str = "") -> SwapRequest:
    """The leader approves or refuses a swap. Approving checks the rules again (the rosters may have changed since
    the request) and hands the shifts over in one step; a clash refuses the approval and leaves the request
    waiting. Refusing changes nothing on the roster. The asker is told, and on approval the colleague too."""
    swap = SwapRequest.objects.select_for_update(of=("self",)).get(pk=swap.pk)
    if not swap.is_waiting:
        raise ValidationError(_("This swap has already been decided."), code="decided")
    if swap.asked_by_id is not None and swap.asked_by_id == getattr(by, "pk", None) and by.role not in OFFICERS:
        raise ValidationError(_("A leader's own swap is decided by the building's admin or a secretary."), code="own")
    note = note.strip()[:200]
    now = timezone.now()
    if approve:
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("shift__team", "team_member__member")
            .get(pk=swap.assignment_id)
        )
        in_return = None
        if swap.in_return_id:
            in_return = (
                Assignment.objects.select_for_update(of=("self",))
                .select_related("shift__team", "team_member__member")
                .get(pk=swap.in_return_id)
            )
        from_member = TeamMember.objects.select_related("member").get(pk=swap.from_member_id)
        to_member = TeamMember.objects.select_related("member").get(pk=swap.to_member_id)
        if assignment.team_member_id != from_member.pk:
            raise ValidationError(_("The shift has changed hands since the request."), code="moved")
        _check_swap(assignment=assignment, to_member=to_member, in_return=in_return)
        _lock_people(assignment.shift.team.building_id, [from_member, to_member])
        refusals = _swap_refusals(
            assignment=assignment, from_member=from_member, to_member=to_member, in_return=in_return
        )
        if refusals:
            raise ValidationError([ValidationError(r, code="clash") for r in refusals])
        Assignment.objects.filter(pk=assignment.pk).update(team_member=to_member, assigned_by=by, assigned_at=now)
        if in_return is not None:
            Assignment.objects.filter(pk=in_return.pk).update(team_member=from_member, assigned_by=by, assigned_at=now)
        touched = [assignment.pk] + ([in_return.pk] if in_return else [])
        _refuse_waiting(
            SwapRequest.objects.filter(status=SwapRequest.Status.REQUESTED)
            .exclude(pk=swap.pk)
            .filter(Q(assignment_id__in=touched) | Q(in_return_id__in=touched)),
            by=by,
            note=_("The shift changed hands through another swap."),
        )
    swap.status = SwapRequest.Status.APPROVED if approve else SwapRequest.Status.REFUSED
    swap.decided_by, swap.decided_at, swap.note = by, now, note
    swap.save(update_fields=["status", "decided_by", "decided_at", "note"])
    swap = SwapRequest.objects.select_related(
        "assignment__shift__team",
        "from_member__member__user",
        "to_member__member__user",
        "in_return__shift",
        "asked_by",
    ).get(pk=swap.pk)
    told = [swap.asked_by]
    if approve and swap.to_member.member_id:
        told.append(swap.to_member.member.user)
    notify(
        users=told,
        event=f"duty_swap_{swap.status}",
        context={"swap": swap, "shift": swap.assignment.shift, "note": note},
        url=reverse("duty:mine"),
        dedupe_key=f"duty:swap-decided:{swap.pk}",
    )
    return swap


# --- logs and mediation cases -------------------------------------------------------------------------------


@transaction.atomic
def log_add(*, shift: DutyShift, happened: str, by, incidents: str = "", follow_up: str = "") -> ShiftLog:
    """Write what happened on a shift, once it has begun."""
    if not shift.has_started:
        raise ValidationError(_("The log is written once the shift has begun."), code="early")
    if not happened.strip():
        raise ValidationError({"happened": _("Write what happened on the shift.")})
    return ShiftLog.objects.create(
        shift=shift, happened=happened.strip(), incidents=incidents.strip(), follow_up=follow_up.strip(), written_by=by
    )


@transaction.atomic
def case_save(*, case: MediationCase, by) -> MediationCase:
    """Record (or correct) a mediation case of a mediation team; a case referred on says to whom."""
    team = case.team
    if not team.is_mediation:
        raise ValidationError(_("Mediation cases belong to a mediation team."), code="kind")
    if case.shift_id and case.shift.team_id != team.pk:
        raise ValidationError(_("The shift is not this team's."), code="shift")
    if case.log_id and case.log.shift_id != case.shift_id:
        raise ValidationError(_("The log is not of this shift."), code="log")
    if case.outcome == MediationCase.Outcome.REFERRED and not case.referred_to.strip():
        raise ValidationError({"referred_to": _("Say to whom the case was referred.")})
    if case.outcome != MediationCase.Outcome.REFERRED:
        case.referred_to = ""
    if case.pk is None:
        case.recorded_by = by
    case.save()
    return case
