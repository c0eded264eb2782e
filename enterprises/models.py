"""Enterprises and social organisations in the building (first version; the registry issue completes it)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buildingparty.models import Building, Role

from .validators import validate_credit_code


class EnterpriseQuerySet(models.QuerySet):
    def for_user(self, user):
        """Admins and secretaries: their building; street viewers: all; liaisons: their assigned
        enterprises; contacts: their own; members: the one they work for."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.STREET:
            return self
        if user.role in (Role.ADMIN, Role.SECRETARY):
            return self.filter(building_id=user.building_id)
        if user.role == Role.LIAISON:
            return self.filter(liaison=user)
        if user.role == Role.CONTACT:
            return self.filter(contacts=user)
        if user.role == Role.MEMBER:
            return self.filter(members__user=user)
        return self.none()


class Enterprise(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        SOCIAL_ORG = "social_org", _("Social organisation")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In the building")
        MOVED_OUT = "moved_out", _("Moved out")

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("building")
    )
    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    floor = models.SmallIntegerField(_("floor"))
    room = models.CharField(_("room"), max_length=20)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="liaison_enterprises",
        verbose_name=_("liaison"),
        limit_choices_to={"role": Role.LIAISON},
    )
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="contact_enterprises",
        verbose_name=_("contacts"),
        limit_choices_to={"role": Role.CONTACT},
    )

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["floor", "room", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(floor__gte=-5) & Q(floor__lte=200), name="enterprise_floor_range"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enterprises:detail", args=[self.pk])
