"""Home visits (入户走访: 帮一帮、带一带、问一问, DOMAIN.md §9) and the hardship register (困难党员).

A ``HomeVisit`` is one visit a party organisation made: to a member (in hardship or not), to a mobile member's
family while she is away, or to an enterprise. It records who went, what they found, what is needed, the help
given (with its amount in yuan for material help) and, optionally, a follow-up date; the follow-up is marked done
with who did it and a note.

A ``HardshipRecord`` is a member's entry in the hardship register: since when, the kind of hardship, a
description, and whether it is current or resolved. A member has at most one current record; opening and
closing it keeps ``Member.is_hardship`` and ``Member.hardship_note`` in step (``services``). ``Assistance`` is
help that came outside a visit (the street's Spring Festival 慰问金, an enterprise's donation); a member's help
history is her visits with help given plus these rows (``selectors.help_history``).

Who sees what: visits and the register hold personal data (health, family, money). A member's visits are visible
to her secretary and the admin, never to other members, nor to the member herself, nor to the street, which reads
counts only (``selectors.summary``).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.models import Role
from buildingparty.scope import by_organization, by_organizations

DUE_SOON_DAYS = 7


def _officers_only(user) -> bool:
    """Admins and secretaries; the street reads counts only, everybody else nothing."""
    return user.is_authenticated and user.is_active and user.role in (Role.ADMIN, Role.SECRETARY)


class HomeVisitQuerySet(models.QuerySet):
    def for_user(self, user):
        """An admin: her building's visits. A secretary: those her branch (or its groups) made, and those about
        her members, whoever made them. Nobody else: the street reads counts only (``selectors.summary``)."""
        if not _officers_only(user):
            return self.none()
        return by_organizations(user, self, "organization", "member__organization")

    def follow_up_open(self):
        return self.filter(follow_up_on__isnull=False, follow_up_done_at__isnull=True)

    def follow_up_overdue(self, today: datetime.date):
        return self.follow_up_open().filter(follow_up_on__lt=today)

    def follow_up_due(self, today: datetime.date, days: int = DUE_SOON_DAYS):
        """Open follow-ups due from today to ``days`` days ahead (not yet overdue)."""
        return self.follow_up_open().filter(
            follow_up_on__gte=today, follow_up_on__lte=today + datetime.timedelta(days=days)
        )


class HomeVisit(models.Model):
    class Whom(models.TextChoices):
        MEMBER = "member", _("A member")
        FAMILY = "family", _("A member's family (e.g. a mobile member's)")
        ENTERPRISE = "enterprise", _("An enterprise")

    class Kind(models.TextChoices):
        HELP = "help", _("Help (帮一帮)")
        MENTOR = "mentor", _("Mentor (带一带)")
        ENQUIRE = "enquire", _("Enquire (问一问)")

    organization = models.ForeignKey(
        "buildingparty.PartyOrganization",
        on_delete=models.PROTECT,
        related_name="home_visits",
        verbose_name=_("organisation"),
        help_text=_("The branch that made the visit."),
    )
    whom = models.CharField(_("whom visited"), max_length=20, choices=Whom.choices, default=Whom.MEMBER)
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home_visits",
        verbose_name=_("party member"),
    )
    family_contact = models.CharField(
        _("family visited"),
        max_length=100,
        blank=True,
        help_text=_("Who of the family was visited and how to reach them, e.g. 母亲 张桂英 13800000000."),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home_visits",
        verbose_name=_("enterprise"),
    )
    kind = models.CharField(_("kind of visit"), max_length=20, choices=Kind.choices, default=Kind.ENQUIRE)
    visited_on = models.DateField(_("visited on"), db_index=True)
    visitors = models.CharField(_("visitors"), max_length=200, help_text=_("Who went, e.g. 王海燕、李明."))
    found = models.TextField(_("what was found"))
    needs = models.TextField(_("needs"), blank=True)
    help_given = models.TextField(_("help given"), blank=True)
    help_amount = models.DecimalField(
        _("amount of material help"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("In yuan, for money or goods given; empty when none."),
    )
    follow_up_on = models.DateField(
        _("follow up by"), null=True, blank=True, help_text=_("Optional: when to look in again.")
    )
    follow_up_done_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    follow_up_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("followed up by"),
    )
    follow_up_note = models.CharField(_("follow-up note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    objects = HomeVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["organization", "visited_on"], name="visit_org_visited"),
            models.Index(fields=["member", "visited_on"], name="visit_member_visited"),
            models.Index(fields=["follow_up_on"], name="visit_follow_up_open", condition=Q(follow_up_done_at=None)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(whom="member", member__isnull=False, enterprise__isnull=True)
                    | (Q(whom="family", member__isnull=False, enterprise__isnull=True) & ~Q(family_contact=""))
                    | Q(whom="enterprise", member__isnull=True, enterprise__isnull=False)
                ),
                name="visit_whom_matches",
            ),
            models.CheckConstraint(
                condition=Q(help_amount__isnull=True) | Q(help_amount__gt=0), name="visit_help_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(follow_up_on__gte=models.F("visited_on")),
                name="visit_follow_up_after_visit",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_done_at__isnull=True) | Q(follow_up_on__isnull=False),
                name="visit_follow_up_done_was_planned",
            ),
        ]

    def __str__(self):
        return f"{self.visited_on:%Y-%m-%d} {self.get_kind_display()}：{self.visited_name}"

    def get_absolute_url(self):
        return reverse("visits:detail", args=[self.pk])

    @property
    def visited_name(self) -> str:
        """Whom the visit was to, as a person reads it: 张三, 张三的家属, 某某公司."""
        if self.whom == self.Whom.ENTERPRISE:
            return self.enterprise.name if self.enterprise_id else ""
        name = self.member.name if self.member_id else ""
        return _("%(name)s's family") % {"name": name} if self.whom == self.Whom.FAMILY else name

    @property
    def gave_help(self) -> bool:
        return bool(self.help_given.strip()) or self.help_amount is not None

    @property
    def follow_up_done(self) -> bool:
        return self.follow_up_done_at is not None

    def follow_up_state(self, today: datetime.date | None = None) -> str:
        """ "" (none planned), "done", "overdue", "due" (within a week) or "planned"."""
        if self.follow_up_on is None:
            return ""
        if self.follow_up_done:
            return "done"
        today = today or timezone.localdate()
        if self.follow_up_on < today:
            return "overdue"
        if self.follow_up_on <= today + datetime.timedelta(days=DUE_SOON_DAYS):
            return "due"
        return "planned"


class HardshipRecordQuerySet(models.QuerySet):
    def for_user(self, user):
        """The records of the members in an officer's reach (the record follows the member); nobody else."""
        if not _officers_only(user):
            return self.none()
        return by_organization(user, self, "member__organization")

    def current(self):
        return self.filter(status=HardshipRecord.Status.CURRENT)


class HardshipRecord(models.Model):
    """A member's entry in the hardship register (困难党员)."""

    class Kind(models.TextChoices):
        ILLNESS = "illness", _("Serious illness")
        DISABILITY = "disability", _("Disability")
        UNEMPLOYMENT = "unemployment", _("Unemployment")
        FAMILY = "family", _("Family difficulty")
        ELDERLY_ALONE = "elderly_alone", _("Elderly, living alone")
        OTHER = "other", pgettext_lazy("hardship", "Other")

    class Status(models.TextChoices):
        CURRENT = "current", _("In hardship")
        RESOLVED = "resolved", pgettext_lazy("hardship", "Resolved")

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="hardship_records", verbose_name=_("party member")
    )
    since = models.DateField(_("in hardship since"))
    kind = models.CharField(_("kind of hardship"), max_length=20, choices=Kind.choices)
    description = models.CharField(
        pgettext_lazy("hardship", "description"),
        max_length=200,
        help_text=_("What the difficulty is; it becomes the hardship details of the member register."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CURRENT)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.CharField(_("how it was resolved"), max_length=200, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(pgettext_lazy("hardship", "opened at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = HardshipRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("hardship record")
        verbose_name_plural = _("hardship register")
        ordering = ["-since", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="current"), name="hardship_one_current_per_member"
            ),
            models.CheckConstraint(
                condition=Q(status="current", resolved_on__isnull=True)
                | Q(status="resolved", resolved_on__isnull=False, resolved_on__gte=models.F("since")),
                name="hardship_resolved_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_kind_display()}"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.CURRENT


class Assistance(models.Model):
    """Help a member received outside a visit: the street's or the branch's 慰问金, an enterprise's donation."""

    class Source(models.TextChoices):
        STREET = "street", _("The street")
        GENERAL_BRANCH = "general_branch", _("The general branch")
        BRANCH = "branch", _("The branch")
        ENTERPRISE = "enterprise", _("An enterprise")
        OTHER = "other", pgettext_lazy("assistance", "Other")

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="assistance", verbose_name=_("party member")
    )
    given_on = models.DateField(_("given on"))
    what = models.CharField(_("what was given"), max_length=200, help_text=_("e.g. 春节慰问金, 米和油, 医疗费补助."))
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, null=True, blank=True, help_text=_("In yuan; empty if none.")
    )
    source = models.CharField(pgettext_lazy("assistance", "from"), max_length=20, choices=Source.choices)
    source_name = models.CharField(
        _("given by"), max_length=100, blank=True, help_text=_("Optional: the enterprise or person, by name.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="assistance_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.given_on:%Y-%m-%d} {self.what}"
