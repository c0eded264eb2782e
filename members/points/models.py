"""Points (积分, DOMAIN.md §8): local practice, so the rules are data.

A ``PointRule`` says what earns or costs points and how many, whether entries come automatically from another
record, are claimed by members (and approved by their secretary) or are deductions, and an optional yearly cap
per member. A member's year starts from the base score (``PointYear`` for the building and year, else
``settings.POINTS_BASE_SCORE``). ``PointEntry`` is one credit or deduction; an automatic entry names its source
record and is written once per member, rule and source (a database constraint).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buildingparty.scope import own_or_organization


class PointRuleQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == "street":
            return self
        return self.filter(building_id=user.building_id)


class PointRule(models.Model):
    class Kind(models.TextChoices):
        AUTOMATIC = "automatic", _("Automatic, from a record")
        CLAIMED = "claimed", _("Claimed by the member, approved by the secretary")
        DEDUCTION = "deduction", _("Deduction")

    building = models.ForeignKey(
        "buildingparty.Building", on_delete=models.CASCADE, related_name="point_rules", verbose_name=_("building")
    )
    code = models.SlugField(
        _("code"), max_length=50, help_text=_("Automatic sources find their rule by this code, e.g. dues_on_time.")
    )
    name = models.CharField(_("name"), max_length=100)
    points = models.SmallIntegerField(
        _("points"),
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text=_("Per entry; negative for a deduction."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    yearly_cap = models.PositiveSmallIntegerField(
        _("yearly cap"),
        null=True,
        blank=True,
        help_text=_("The most points (or deduction) one member can get from this rule in a year; empty for none."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = PointRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["building", "code"], name="point_rule_code_unique"),
            models.CheckConstraint(condition=~Q(points=0), name="point_rule_not_zero"),
            models.CheckConstraint(
                condition=(Q(kind="deduction") & Q(points__lt=0)) | (~Q(kind="deduction") & Q(points__gt=0)),
                name="point_rule_sign_matches_kind",
            ),
        ]

    def __str__(self):
        return self.name


class PointYear(models.Model):
    """The base score every member of a building starts the year with."""

    building = models.ForeignKey("buildingparty.Building", on_delete=models.CASCADE, related_name="point_years")
    year = models.PositiveSmallIntegerField(_("year"))
    base_score = models.PositiveSmallIntegerField(
        _("base score"), validators=[MaxValueValidator(100)], help_text=_("Commonly 60 to 70.")
    )

    class Meta:
        verbose_name = _("points year")
        verbose_name_plural = _("points years")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["building", "year"], name="point_year_unique")]

    def __str__(self):
        return f"{self.year}: {self.base_score}"


class PointEntryQuerySet(models.QuerySet):
    def for_user(self, user):
        own = Q(member__user=user) if user.is_authenticated else Q()
        return own_or_organization(user, self, "member__organization", own)

    def counted(self):
        """Entries that count towards a total: approved ones."""
        return self.filter(status=PointEntry.Status.APPROVED)


class PointEntry(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="point_entries", verbose_name=_("party member")
    )
    rule = models.ForeignKey(PointRule, on_delete=models.PROTECT, related_name="entries", verbose_name=_("rule"))
    year = models.PositiveSmallIntegerField(_("year"))
    occurred_on = models.DateField(_("date"))
    points = models.SmallIntegerField(
        _("points"), help_text=_("As credited: the rule's points, less what the yearly cap took off.")
    )
    # The record an automatic entry comes from, as "app_label.model:pk" (e.g. "dues.duesbill:42").
    source = models.CharField(_("source"), max_length=100, blank=True)
    note = models.CharField(_("what for"), max_length=200, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="points/%Y/", blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPROVED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        help_text=_("Empty for automatic entries."),
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=200, blank=True)

    objects = PointEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["member", "year"], name="point_entry_member_year"),
            # the claims waiting for a secretary: a handful among a district's hundreds of thousands of entries
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="point_entry_pending"),
            # members' totals of a year (the boards, a member's rank) read from the index alone
            models.Index(
                fields=["member", "year"],
                include=["points"],
                condition=Q(status="approved"),
                name="point_entry_approved_total",
            ),
            # the first year with entries (the year pickers): the lowest year, not a scan of every entry
            models.Index(fields=["year"], name="point_entry_year"),
            # the latest decided claims (and deductions): a handful among the automatic entries, which have no date
            models.Index(
                fields=["-decided_at", "-id"], condition=Q(decided_at__isnull=False), name="point_entry_decided"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "rule", "source"], condition=~Q(source=""), name="point_entry_once_per_source"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_note=""), name="point_rejection_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.rule} {self.points:+d}"
