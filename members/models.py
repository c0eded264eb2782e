"""Party members (first version; the member-register issue completes the national 16-item form)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buildingparty.models import PartyOrganization
from buildingparty.scope import own_or_organization
from enterprises.models import Enterprise

from .validators import id_birth_date, id_gender, mask_id_number, validate_id_number, validate_mobile


class MemberQuerySet(models.QuerySet):
    def for_user(self, user):
        """Admins their building, secretaries their branch, street viewers all, a member their own record."""
        return own_or_organization(user, self, "organization", Q(user=user) if user.is_authenticated else Q())


class Member(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Category(models.TextChoices):
        FULL = "full", _("Full member")
        PROBATIONARY = "probationary", _("Probationary member")

    class Status(models.TextChoices):
        NORMAL = "normal", _("Normal")
        SUSPENDED = "suspended", _("Party standing suspended")
        TRANSFERRED_OUT = "transferred_out", _("Transferred out")
        DECEASED = "deceased", _("Deceased")

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    id_number = models.CharField(_("ID number"), max_length=18, unique=True, validators=[validate_id_number])
    birth_date = models.DateField(_("birth date"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.FULL)
    status = models.CharField(_("party standing"), max_length=20, choices=Status.choices, default=Status.NORMAL)
    organization = models.ForeignKey(PartyOrganization, on_delete=models.PROTECT, related_name="members",
                                     verbose_name=_("branch"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="members", verbose_name=_("enterprise"))
    joined_on = models.DateField(_("date joined the party"))
    full_member_on = models.DateField(_("date became full member"), null=True, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[validate_mobile])
    is_mobile = models.BooleanField(_("mobile member"), default=False)
    mobile_destination = models.CharField(_("where to"), max_length=100, blank=True)
    lost_contact_since = models.DateField(_("lost contact since"), null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="member", verbose_name=_("user account"))

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["organization", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(full_member_on__isnull=True) | Q(full_member_on__gt=models.F("joined_on")),
                name="member_full_after_joined",
            ),
            models.CheckConstraint(
                condition=~Q(category="full") | Q(full_member_on__isnull=False),
                name="member_full_has_full_date",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:detail", args=[self.pk])

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def lost_contact(self) -> bool:
        return self.lost_contact_since is not None

    def fill_from_id_number(self):
        """Birth date and gender follow from the ID number when they were left empty."""
        if self.id_number and len(self.id_number) == 18:
            self.birth_date = self.birth_date or id_birth_date(self.id_number)
            self.gender = self.gender or id_gender(self.id_number)
