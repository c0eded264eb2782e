"""The building's five-in-one teams (五位一体 群防群治队, DOMAIN.md §9): security (治保), mediation (调解), legal
education (普法), patrol (巡逻) and fire safety (消防), and their duty rosters.

A ``DutyTeam`` belongs to the building, not to a branch. Its people (``TeamMember``) are party members of the
building or registered volunteers who are not members (a name, a mobile number, perhaps an enterprise). A
``DutyShift`` is a time on duty at a post or on a route; ``Assignment`` puts a team member on it. Three rules hold
for every assignment (``services``): nobody is on two shifts at once in any of the building's teams, nobody goes
over the team's weekly limit (an ISO week), nobody is on duty while on leave (``Unavailability``). A person is the
same party member in every team, and a volunteer is known by her mobile number.

A shift runs from ``starts_at`` to ``ends_at`` and may pass midnight (a night patrol, 22:00–06:00); it belongs to
the day and the ISO week it starts in. A team member asks to swap her shift with a colleague (``SwapRequest``:
the colleague takes it over, or they exchange shifts); the leader decides. Each shift may have its log
(``ShiftLog``); a mediation team records its cases (``MediationCase``).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from buildingparty.models import Role

MAX_WEEKLY_LIMIT = 14


def _officer(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in (Role.ADMIN, Role.SECRETARY)


class DutyTeamQuerySet(models.QuerySet):
    def for_user(self, user):
        """Admins and secretaries: their building's teams; street viewers: every building's; a party member: the
        teams she is on (she leads one, or she is on its roster); nobody else any."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.STREET:
            return self
        if user.role in (Role.ADMIN, Role.SECRETARY):
            return self.filter(building_id=user.building_id)
        if user.role == Role.MEMBER:
            # a subquery, not a join: counts over the team's people stay whole
            return self.filter(pk__in=TeamMember.objects.filter(member__user=user).values("team_id"))
        return self.none()


class DutyTeam(models.Model):
    class Kind(models.TextChoices):
        SECURITY = "security", pgettext_lazy("duty team", "Security")  # 治保
        MEDIATION = "mediation", pgettext_lazy("duty team", "Mediation")  # 调解
        LEGAL = "legal", pgettext_lazy("duty team", "Legal education")  # 普法
        PATROL = "patrol", pgettext_lazy("duty team", "Patrol")  # 巡逻
        FIRE = "fire", pgettext_lazy("duty team", "Fire safety")  # 消防

    building = models.ForeignKey(
        "buildingparty.Building", on_delete=models.PROTECT, related_name="duty_teams", verbose_name=_("building")
    )
    kind = models.CharField(_("kind of team"), max_length=20, choices=Kind.choices)
    name = models.CharField(pgettext_lazy("duty team", "team name"), max_length=100)
    leader = models.ForeignKey(
        "TeamMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team leader"),
    )
    weekly_limit = models.PositiveSmallIntegerField(
        _("shifts a week per person"),
        default=2,
        help_text=_("Nobody is put on more of this team's shifts in one week (Monday to Sunday)."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = DutyTeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty team")
        verbose_name_plural = _("duty teams")
        ordering = ["building", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="duty_team_name_unique_in_building"),
            models.CheckConstraint(
                condition=Q(weekly_limit__gte=1, weekly_limit__lte=MAX_WEEKLY_LIMIT), name="duty_team_weekly_limit"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("duty:team", args=[self.pk])

    @property
    def is_mediation(self) -> bool:
        return self.kind == self.Kind.MEDIATION

    def is_led_by(self, user) -> bool:
        """Is ``user`` this team's leader (a party member with an account)? Needs ``leader__member`` loaded."""
        leader = self.leader
        return (
            user.is_authenticated
            and leader is not None
            and leader.member_id is not None
            and leader.member.user_id == user.pk
        )

    def can_run(self, user) -> bool:
        """Run the roster (shifts, assignments, swaps, leave, logs, cases): the building's admin and secretaries,
        and the team's leader."""
        if not user.is_authenticated or not user.is_active:
            return False
        if _officer(user):
            return self.building_id == user.building_id
        return user.role == Role.MEMBER and self.is_led_by(user)

    def can_edit(self, user) -> bool:
        """Change the team itself (its name, leader, limit, people): the building's admin and secretaries."""
        return _officer(user) and self.building_id == user.building_id


class TeamMember(models.Model):
    """One person on one team: a party member of the building, or a volunteer who is not a member (known by name
    and mobile number)."""

    team = models.ForeignKey(DutyTeam, on_delete=models.CASCADE, related_name="people", verbose_name=_("duty team"))
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_places",
        verbose_name=_("party member"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    is_active = models.BooleanField(_("on the team"), default=True)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "member"], condition=Q(member__isnull=False), name="duty_member_once_per_team"
            ),
            models.UniqueConstraint(
                fields=["team", "phone"], condition=Q(member__isnull=True), name="duty_volunteer_once_per_team"
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | (~Q(name="") & ~Q(phone="")), name="duty_volunteer_named"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def is_volunteer(self) -> bool:
        return self.member_id is None

    @property
    def display_name(self) -> str:
        return self.member.name if self.member_id else self.name

    @property
    def contact_phone(self) -> str:
        return self.member.phone if self.member_id else self.phone

    @property
    def person_key(self) -> tuple[str, object]:
        """Who this is across the building's teams: the same party member, or the same volunteer's mobile."""
        return ("member", self.member_id) if self.member_id else ("phone", self.phone)

    @property
    def user_id(self) -> int | None:
        """The account of a party member on the team (volunteers have none). Needs ``member`` loaded."""
        return self.member.user_id if self.member_id else None


class Unavailability(models.Model):
    """A team member's leave: from one day to another (both included) nobody puts her on duty."""

    team_member = models.ForeignKey(
        TeamMember, on_delete=models.CASCADE, related_name="leaves", verbose_name=_("team member")
    )
    starts_on = models.DateField(_("on leave from"))
    ends_on = models.DateField(_("on leave until"))
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("leave from duty")
        verbose_name_plural = _("leave from duty")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="duty_leave_ends_after_start")
        ]

    def __str__(self):
        return f"{self.team_member} {self.starts_on}–{self.ends_on}"

    def covers(self, first: datetime.date, last: datetime.date) -> bool:
        return self.starts_on <= last and self.ends_on >= first


class DutyShiftQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(team__in=DutyTeam.objects.for_user(user).values("pk"))

    def overlapping(self, starts_at, ends_at):
        """Shifts sharing a moment with [starts_at, ends_at): one ending as the next starts does not."""
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class DutyShift(models.Model):
    team = models.ForeignKey(DutyTeam, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("duty team"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    post = models.CharField(
        _("post or route"), max_length=100, help_text=_("Where the shift is kept, e.g. 大堂岗 or 东区巡逻路线.")
    )
    needed = models.PositiveSmallIntegerField(_("people needed"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["team", "starts_at"], name="duty_shift_team_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="duty_shift_ends_after_start"),
            models.CheckConstraint(condition=Q(needed__gte=1), name="duty_shift_needs_someone"),
        ]

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        return f"{self.team} {start:%Y-%m-%d %H:%M} {self.post}"

    def get_absolute_url(self):
        return reverse("duty:shift", args=[self.pk])

    @property
    def day(self) -> datetime.date:
        """The day the shift belongs to: the day it starts."""
        return timezone.localdate(self.starts_at)

    @property
    def last_day(self) -> datetime.date:
        """The last day it touches (a night shift ending at 06:00 touches the next day; one ending at 00:00
        does not)."""
        return timezone.localdate(self.ends_at - datetime.timedelta(microseconds=1))

    @property
    def hours(self) -> str:
        """ "19:00–21:00"; a shift past midnight "22:00–次日06:00" (one ending at midnight "20:00–24:00")."""
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        if end.date() == start.date():
            return f"{start:%H:%M}–{end:%H:%M}"
        if end.date() == start.date() + datetime.timedelta(days=1) and end.time() == datetime.time(0, 0):
            return f"{start:%H:%M}–24:00"
        return gettext("%(start)s–next day %(end)s") % {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


class Assignment(models.Model):
    shift = models.ForeignKey(DutyShift, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("shift"))
    team_member = models.ForeignKey(
        TeamMember, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("team member")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("duty assignment")
        verbose_name_plural = _("duty assignments")
        ordering = ["shift__starts_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["shift", "team_member"], name="duty_assignment_once")]

    def __str__(self):
        return f"{self.team_member} · {self.shift}"


class SwapRequest(models.Model):
    """A team member asks a colleague to take her shift over (替班), or to exchange it for one of the colleague's
    (换班); the team's leader, or an admin or secretary, decides."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the leader")
        APPROVED = "approved", pgettext_lazy("swap", "Approved")
        REFUSED = "refused", pgettext_lazy("swap", "Refused")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="swap_requests", verbose_name=_("shift to hand over")
    )
    from_member = models.ForeignKey(
        TeamMember, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by (team member)")
    )
    to_member = models.ForeignKey(
        TeamMember, on_delete=models.PROTECT, related_name="+", verbose_name=_("colleague taking the shift")
    )
    # A swap request goes with either of the assignments it names (taken off the roster: nothing left to swap).
    in_return = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the colleague's shift taken in return"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("leader's note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("shift swap request")
        verbose_name_plural = _("shift swap requests")
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(status="requested"), name="duty_swap_one_waiting_per_assignment"
            ),
            models.CheckConstraint(condition=~Q(from_member=models.F("to_member")), name="duty_swap_two_people"),
        ]

    def __str__(self):
        return f"{self.from_member} → {self.to_member} ({self.get_status_display()})"

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.REQUESTED


class ShiftLog(models.Model):
    """What happened on a shift (值班记录)."""

    shift = models.ForeignKey(DutyShift, on_delete=models.CASCADE, related_name="logs", verbose_name=_("shift"))
    happened = models.TextField(_("what happened"))
    incidents = models.TextField(_("incidents"), blank=True, help_text=_("Anything out of order: who, what, where."))
    follow_up = models.TextField(_("follow-up"), blank=True, help_text=_("What is still to be done, and by whom."))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    written_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("shift log")
        verbose_name_plural = _("shift logs")
        ordering = ["written_at", "pk"]

    def __str__(self):
        return f"{self.shift}: {self.happened[:30]}"


class MediationCaseQuerySet(models.QuerySet):
    def for_user(self, user):
        """The parties' names are for the mediators and the officers: admins and secretaries of the building,
        street viewers, and the leader of the mediation team."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.STREET:
            return self
        if user.role in (Role.ADMIN, Role.SECRETARY):
            return self.filter(team__building_id=user.building_id)
        if user.role == Role.MEMBER:
            return self.filter(team__leader__member__user=user)
        return self.none()


class MediationCase(models.Model):
    """A dispute the mediation team (调解) took up on duty, and how it ended."""

    class Outcome(models.TextChoices):
        SETTLED = "settled", _("Settled")  # 调解成功
        PARTLY = "partly", _("Partly settled")  # 部分达成
        NOT_SETTLED = "not_settled", _("Not settled")  # 调解不成
        REFERRED = "referred", _("Referred on")  # 移交

    team = models.ForeignKey(DutyTeam, on_delete=models.PROTECT, related_name="cases", verbose_name=_("duty team"))
    shift = models.ForeignKey(
        DutyShift, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("shift")
    )
    log = models.ForeignKey(
        ShiftLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("shift log")
    )
    held_on = models.DateField(_("mediated on"))
    parties = models.TextField(
        _("parties"), help_text=_("The names of the parties and their enterprises, one party a line.")
    )
    dispute = models.TextField(_("the dispute"))
    outcome = models.CharField(pgettext_lazy("mediation", "outcome"), max_length=20, choices=Outcome.choices)
    referred_to = models.CharField(
        _("referred to"), max_length=100, blank=True, help_text=_("E.g. 街道人民调解委员会 or 劳动争议仲裁委员会.")
    )
    agreement = models.TextField(_("agreement"), blank=True, help_text=_("What the parties agreed, in their words."))
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = MediationCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="referred") | ~Q(referred_to=""), name="duty_case_referred_says_where"
            )
        ]

    def __str__(self):
        return f"{self.held_on} {self.dispute[:30]}"

    def get_absolute_url(self):
        return reverse("duty:case", args=[self.pk])
