"""Committees and their terms (支部委员会、总支委员会, 换届; DOMAIN.md §7).

A ``CommitteeTerm`` is one election of an organisation's leadership: elected on a date for 3 to 5 years (党章
2022). A branch with seven or more full members elects a committee (``is_committee``); a smaller one elects only
a secretary (and perhaps a deputy). The current term is the one not yet ended (``ended_on`` empty); an
organisation has at most one. ``CommitteeSeat`` is one person's post in a term.

Who holds a seat in a year decides the study hours she owes (56 instead of 32: ``activities.meetings.rules``);
whether the branch has a committee decides whether 支委会 are required of it.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.scope import by_organization
from members.models import Member

MIN_TERM_YEARS = 3
MAX_TERM_YEARS = 5
DUE_SOON_DAYS = 180  # the general branch is reminded six months before a term ends (六个月内到期)


def own_organizations_q(user, field: str) -> Q:
    """``field`` (an organisation id) is the organisation of the user's own member record, or, for a member of a
    party group, the group's branch. Subqueries, so no query of its own and no duplicate rows."""
    mine = Member.objects.filter(user=user, whereabouts=Member.Whereabouts.HERE)
    return Q(**{f"{field}__in": mine.values("organization_id")}) | Q(
        **{f"{field}__in": mine.filter(organization__kind="group").values("organization__parent_id")}
    )


class CommitteeTermQuerySet(models.QuerySet):
    def for_user(self, user):
        """Officers in reach of the organisation; a member the terms of her own branch (a party group's member:
        her group's branch, which is the organisation that elects a committee)."""
        if user.is_authenticated and user.is_active and user.role == "member":
            return self.filter(own_organizations_q(user, "organization_id"))
        return by_organization(user, self, "organization")

    def current(self):
        return self.filter(ended_on__isnull=True)


class CommitteeTerm(models.Model):
    organization = models.ForeignKey(
        "buildingparty.PartyOrganization",
        on_delete=models.PROTECT,
        related_name="committee_terms",
        verbose_name=_("organisation"),
    )
    is_committee = models.BooleanField(
        _("has a committee"),
        default=True,
        help_text=_("A branch of seven or more full members elects a committee; a smaller one only a secretary."),
    )
    elected_on = models.DateField(_("elected on"))
    term_years = models.PositiveSmallIntegerField(_("term (years)"), default=MIN_TERM_YEARS)
    ends_on = models.DateField(_("term ends on"), db_index=True, editable=False)
    ended_on = models.DateField(
        _("replaced on"), null=True, blank=True, help_text=_("Filled when the next term is elected.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = CommitteeTermQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["organization", "-elected_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_years__gte=MIN_TERM_YEARS, term_years__lte=MAX_TERM_YEARS),
                name="committee_term_three_to_five_years",
            ),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(ended_on__isnull=True), name="committee_one_current_term"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("elected_on")),
                name="committee_term_ends_after_election",
            ),
        ]

    def __str__(self):
        return f"{self.organization} {self.elected_on:%Y-%m-%d}"

    @staticmethod
    def end_of_term(elected_on: datetime.date, years: int) -> datetime.date:
        """The day the term runs out: the same day ``years`` later (29 February → 28 February)."""
        try:
            return elected_on.replace(year=elected_on.year + years)
        except ValueError:
            return elected_on.replace(year=elected_on.year + years, day=28)

    def days_left(self, today: datetime.date | None = None) -> int:
        return (self.ends_on - (today or timezone.localdate())).days

    def standing(self, today: datetime.date | None = None) -> str:
        """ "overdue" once the end date has passed without a new election, "due_soon" within six months of it
        (the end date itself included), else "normal". A replaced term is "replaced"."""
        if self.ended_on is not None:
            return "replaced"
        days = self.days_left(today)
        if days < 0:
            return "overdue"
        return "due_soon" if days <= DUE_SOON_DAYS else "normal"


class CommitteeSeat(models.Model):
    class Post(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")  # 书记
        DEPUTY = "deputy", _("Deputy secretary")  # 副书记
        ORGANISATION = "organisation", _("Organisation committee member")  # 组织委员
        PROPAGANDA = "propaganda", _("Propaganda committee member")  # 宣传委员
        DISCIPLINE = "discipline", _("Discipline inspection committee member")  # 纪检委员
        YOUTH = "youth", _("Youth committee member")  # 青年委员
        WOMEN = "women", _("Women's committee member")  # 妇女委员
        MEMBER = "member", _("Committee member")  # 委员

    term = models.ForeignKey(CommitteeTerm, on_delete=models.CASCADE, related_name="seats", verbose_name=_("term"))
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="committee_seats", verbose_name=_("party member")
    )
    post = models.CharField(_("post"), max_length=20, choices=Post.choices)
    since = models.DateField(_("in post since"))
    until = models.DateField(_("in post until"), null=True, blank=True, help_text=_("Empty while the post is held."))
    end_note = models.CharField(_("why the post ended"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("committee seat")
        verbose_name_plural = _("committee seats")
        ordering = ["term", "post", "member__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "member"], condition=Q(until__isnull=True), name="committee_seat_once_per_term"
            ),
            models.UniqueConstraint(
                fields=["term"],
                condition=Q(post="secretary", until__isnull=True),
                name="committee_one_secretary",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="committee_seat_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_post_display()}"
