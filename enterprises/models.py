"""Enterprises and social organisations in the building: the registry and its history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.models import Building, KeepsActorName, PartyOrganization, Role

from .validators import validate_credit_code, validate_phone


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

    class Attitude(models.TextChoices):
        SUPPORTIVE = "supportive", _("Supportive")
        NEUTRAL = "neutral", _("Neutral")
        RESERVED = "reserved", _("Reserved")
        OPPOSED = "opposed", _("Opposed")
        UNKNOWN = "unknown", _("Not yet known")

    class PartyOrgStatus(models.TextChoices):
        OWN_BRANCH = "own_branch", _("Own party branch")
        JOINT_BRANCH = "joint_branch", _("In a joint branch")
        NONE = "none", _("No party organisation")

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("building")
    )
    name = models.CharField(_("name"), max_length=100)
    # 慈溪星火科技 → cxxhkj: pickers find an enterprise by its pinyin initials (kept by the services on save).
    name_initials = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    floor = models.SmallIntegerField(_("floor"))
    room = models.CharField(_("room"), max_length=20)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True, validators=[validate_phone])
    attitude = models.CharField(
        _("owner's attitude to party work"), max_length=20, choices=Attitude.choices, default=Attitude.UNKNOWN
    )
    party_org_status = models.CharField(
        _("party organisation"), max_length=20, choices=PartyOrgStatus.choices, default=PartyOrgStatus.NONE
    )
    party_organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="covered_enterprises",
        verbose_name=_("covering party organisation"),
        help_text=_("Its own branch, or the joint branch it belongs to."),
    )
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)
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
        indexes = [
            # The list's order (in the building first): a page is read from the index, not sorted from every
            # enterprise of the district; the building is included for counting the list without the table.
            models.Index(
                fields=["status", "floor", "room", "id"], include=["building_id"], name="enterprise_list_order"
            ),
            # The list filter's floors and industries, read from the index alone.
            models.Index(fields=["building_id", "floor", "industry"], name="enterprise_floor_industry"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(floor__gte=-5) & Q(floor__lte=200), name="enterprise_floor_range"),
            models.CheckConstraint(
                condition=Q(moved_out_on__isnull=True)
                | Q(moved_in_on__isnull=True)
                | Q(moved_out_on__gte=models.F("moved_in_on")),
                name="enterprise_moved_out_after_in",
            ),
            models.CheckConstraint(
                condition=Q(party_org_status="none") | Q(party_organization__isnull=False),
                name="enterprise_covered_names_its_organization",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enterprises:detail", args=[self.pk])


class EnterpriseChange(KeepsActorName):
    """One entry of an enterprise's history: who changed what, when."""

    actor_field = "changed_by"

    class Action(models.TextChoices):
        CREATED = "created", _("Registered")
        UPDATED = "updated", _("Edited")
        IMPORTED = "imported", _("Imported")
        MOVED_OUT = "moved_out", _("Moved out")
        MOVED_IN = "moved_in", _("Moved back in")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("enterprise history entry")
        verbose_name_plural = _("enterprise history")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.enterprise} {self.get_action_display()} {self.changed_at:%Y-%m-%d}"
