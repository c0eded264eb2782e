"""Study (学习) outside the meetings: the building's three forms of study (集中学、帮学、送学, DOMAIN.md §9) and who
took part, for the study hours (学时) every member owes a year (《中国共产党党员教育管理工作条例》2019: 32, for
secretaries and committee members 56; ``activities.meetings.rules.required_study_hours``).

A ``StudySession`` belongs to one party organisation (a branch, a party group or the general branch) and records
a study already held: its form, topic, date, hours, who led it and what was studied, with an optional private
file of the materials (served only through a view that checks scope). ``StudyParticipation`` is one member who
took part; each earns the session's hours. A member's year adds these to the study hours of the held meetings
she was present at (``selectors.hours_by_member``).
"""

import os
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.scope import by_organization

MAX_SESSION_HOURS = 24


class StudySessionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Officers see the sessions of the organisations in their reach (a secretary: her branch and its groups;
        an admin: the building; the street: everything); a member the sessions she took part in."""
        if user.is_authenticated and user.is_active and user.role == "member":
            return self.filter(participations__member__user=user)
        return by_organization(user, self, "organization")


def material_path(instance, filename):
    """Under the organisation, behind a random prefix: nobody guesses another branch's file."""
    extension = os.path.splitext(filename)[1].lower()
    return f"study/{instance.organization_id}/{secrets.token_hex(12)}{extension}"


class StudySession(models.Model):
    class Kind(models.TextChoices):
        CONCENTRATED = "concentrated", _("Concentrated study")  # 集中学
        PEER = "peer", _("Peer-helped study")  # 帮学
        DELIVERED = "delivered", _("Delivered study")  # 送学: to elderly, ill or mobile members

    organization = models.ForeignKey(
        "buildingparty.PartyOrganization",
        on_delete=models.PROTECT,
        related_name="study_sessions",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("form of study"), max_length=20, choices=Kind.choices, default=Kind.CONCENTRATED)
    topic = models.CharField(pgettext_lazy("study", "topic"), max_length=200)
    held_on = models.DateField(_("held on"), db_index=True)
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(MAX_SESSION_HOURS)],
        help_text=_("Study hours each participant earns, e.g. 2 or 1.5."),
    )
    led_by = models.CharField(
        _("led by"),
        max_length=50,
        help_text=_("Who led the study: the lecturer, the helping member, who delivered it."),
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    materials = models.TextField(
        _("materials studied"),
        blank=True,
        help_text=_("Titles of the materials, one a line; a material of the building's library by its title."),
    )
    material_file = models.FileField(_("materials file"), upload_to=material_path, blank=True, max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    objects = StudySessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["organization", "held_on"], name="study_session_org_held")]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=MAX_SESSION_HOURS), name="study_session_hours_in_a_day"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.topic}"

    def get_absolute_url(self):
        return reverse("study:session_detail", args=[self.pk])

    @property
    def material_titles(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class StudyParticipation(models.Model):
    """One member who took part in a session: she earns its hours."""

    session = models.ForeignKey(
        StudySession, on_delete=models.CASCADE, related_name="participations", verbose_name=_("study session")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="study_participations",
        verbose_name=_("party member"),
    )

    class Meta:
        verbose_name = _("study participation")
        verbose_name_plural = _("study participations")
        ordering = ["session", "member__name"]
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="study_participation_once")]
        indexes = [models.Index(fields=["member", "session"], name="study_participation_member")]

    def __str__(self):
        return f"{self.member} · {self.session}"
