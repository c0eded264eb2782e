"""Democratic appraisal of members (民主评议党员, 《关于党员民主评议的若干规定》; DOMAIN.md §7).

An ``AppraisalRound`` is one branch's appraisal of one year, usually held with the year's 组织生活会 (which it may
name). Opening it writes one ``Appraisal`` per member of the branch and its groups in normal standing, with a
snapshot of whether she takes a grade: full members are graded, probationary members take part (self and peer
assessment) without one. A member writes her self-assessment on her ``Appraisal``; each other member of the
round may leave a ``PeerAssessment`` of it with a suggested grade; the branch then grades each full member and
closes the round once all are graded.

The rules that span rows (优秀 at most a third of those graded, a peer never assesses herself, only while the
round is open) are kept by ``activities.appraisal.services``; the rules about one row are database checks.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.scope import by_organization


class Grade(models.TextChoices):
    EXCELLENT = "excellent", pgettext_lazy("appraisal grade", "Excellent")  # 优秀
    QUALIFIED = "qualified", pgettext_lazy("appraisal grade", "Qualified")  # 合格
    BASIC = "basic", pgettext_lazy("appraisal grade", "Basically qualified")  # 基本合格
    UNQUALIFIED = "unqualified", pgettext_lazy("appraisal grade", "Unqualified")  # 不合格


class AppraisalRoundQuerySet(models.QuerySet):
    def for_user(self, user):
        """Officers see the rounds of the organisations in their reach (a secretary: her branch; an admin: the
        building; the street: everything); a member the rounds she takes part in."""
        if user.is_authenticated and user.is_active and user.role == "member":
            return self.filter(appraisals__member__user=user)
        return by_organization(user, self, "organization")

    def open(self):
        return self.filter(status=AppraisalRound.Status.OPEN)


class AppraisalRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("appraisal round", "In progress")
        CLOSED = "closed", pgettext_lazy("appraisal round", "Closed")

    organization = models.ForeignKey(
        "buildingparty.PartyOrganization",
        on_delete=models.PROTECT,
        related_name="appraisal_rounds",
        verbose_name=pgettext_lazy("appraisal round", "branch"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    life_meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appraisal_rounds",
        verbose_name=_("organisational life meeting"),
        help_text=_("The year's organisational life meeting the appraisal is held with, if any."),
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(pgettext_lazy("appraisal round", "closed at"), null=True, blank=True)

    objects = AppraisalRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("appraisal round")
        verbose_name_plural = _("appraisal rounds")
        ordering = ["-year", "organization__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="appraisal_round_once_a_year"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | Q(status="closed", closed_at__isnull=False),
                name="appraisal_round_closed_has_date",
            ),
        ]

    def __str__(self):
        return _("%(organization)s: democratic appraisal %(year)s") % {
            "organization": self.organization,
            "year": self.year,
        }

    def get_absolute_url(self):
        return reverse("appraisal:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class AppraisalQuerySet(models.QuerySet):
    def for_user(self, user):
        """Officers see the appraisals of the organisations in their reach; a member her own only (the others
        of her round are reached through her peer form, which shows their names and nothing else)."""
        if user.is_authenticated and user.is_active and user.role == "member":
            return self.filter(member__user=user)
        return by_organization(user, self, "round__organization")


class Appraisal(models.Model):
    """One member in one round: her self-assessment and the branch's grade."""

    round = models.ForeignKey(
        AppraisalRound, on_delete=models.CASCADE, related_name="appraisals", verbose_name=_("appraisal round")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="appraisals", verbose_name=_("party member")
    )
    takes_grade = models.BooleanField(
        _("graded"),
        default=True,
        help_text=_("Full members are graded; probationary members take part without a grade."),
    )
    self_assessment = models.TextField(_("self-assessment"), blank=True)
    self_submitted_at = models.DateTimeField(_("self-assessment submitted at"), null=True, blank=True)
    grade = models.CharField(
        pgettext_lazy("appraisal", "grade"), max_length=20, choices=Grade.choices, blank=True, default=""
    )
    follow_up = models.TextField(
        _("organisational follow-up"),
        blank=True,
        help_text=_("What the branch decides for the member, e.g. correction within a set time (限期改正)."),
    )
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    objects = AppraisalQuerySet.as_manager()

    class Meta:
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")
        ordering = ["round", "member__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="appraisal_once_per_round"),
            models.CheckConstraint(condition=Q(takes_grade=True) | Q(grade=""), name="appraisal_graded_only_if_full"),
            models.CheckConstraint(
                condition=~Q(grade="unqualified") | ~Q(follow_up=""), name="appraisal_unqualified_has_follow_up"
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.round}"

    @property
    def self_submitted(self) -> bool:
        return self.self_submitted_at is not None


class PeerAssessment(models.Model):
    """One member's assessment of another in the same round (党员互评): a suggested grade and a comment. The branch
    sees how many suggested each grade, never who suggested what."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="peer_assessments", verbose_name=_("appraisal")
    )
    assessor = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="peer_assessments_given", verbose_name=_("assessor")
    )
    grade = models.CharField(
        _("suggested grade"),
        max_length=20,
        choices=Grade.choices,
        blank=True,
        help_text=_("Empty for a probationary member, who is not graded."),
    )
    comment = models.TextField(_("assessment remarks"), blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("peer assessment")
        verbose_name_plural = _("peer assessments")
        ordering = ["appraisal", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "assessor"], name="peer_assessment_once_per_assessor"),
            models.CheckConstraint(condition=~Q(grade="") | ~Q(comment=""), name="peer_assessment_not_empty"),
        ]

    def __str__(self):
        return f"{self.assessor} → {self.appraisal}"
