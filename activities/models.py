"""The building's shared life: outreach letters and the party-building funding ledger (more to come)."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.models import Building, Role
from enterprises.models import Enterprise

MERGE_FIELD = re.compile(r"\{([^{}]+)\}")


class BuildingScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        """Admins and secretaries of the building; street viewers everywhere."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.STREET:
            return self
        if user.role in (Role.ADMIN, Role.SECRETARY):
            return self.filter(building_id=user.building_id)
        return self.none()


class LetterTemplate(models.Model):
    """An outreach letter with merge fields, e.g. 《致中央大厦党员的一封信》."""

    class Audience(models.TextChoices):
        MEMBERS = "members", _("Party members")
        OWNERS = "owners", _("Enterprise owners")

    # The fields each audience can merge; {字段} in the body.
    FIELDS = {
        Audience.MEMBERS: ["姓名", "企业", "房间", "联络员", "联络员电话", "支部"],
        Audience.OWNERS: ["姓名", "企业", "房间", "联络员", "联络员电话"],
    }

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="letter_templates")
    audience = models.CharField(_("to"), max_length=10, choices=Audience.choices)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), help_text=_("Merge fields in braces, e.g. {姓名}, {企业}, {房间}."))
    signature = models.CharField(_("signed"), max_length=100, default="中共慈溪中央大厦联合总支部委员会")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = BuildingScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["audience", "title"]
        constraints = [models.UniqueConstraint(fields=["building", "title"], name="letter_title_unique")]

    def __str__(self):
        return self.title

    def clean(self):
        allowed = set(self.FIELDS.get(self.audience, []))
        unknown = sorted({m for m in MERGE_FIELD.findall(self.body or "")} - allowed)
        if unknown:
            raise ValidationError(
                {
                    "body": _("Unknown merge fields: %(fields)s. Available: %(allowed)s.")
                    % {"fields": "、".join(unknown), "allowed": "、".join(self.FIELDS.get(self.audience, []))}
                }
            )

    def render(self, values: dict) -> str:
        """The body with each {field} replaced (values are plain text; the template escapes them)."""
        return MERGE_FIELD.sub(lambda m: str(values.get(m.group(1), m.group(0))), self.body)


class FundEntry(models.Model):
    """One line of the party-building funding ledger (党建经费): money in from the street or enterprises,
    money out for a purpose, each with its voucher."""

    class Direction(models.TextChoices):
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    class Source(models.TextChoices):
        STREET = "street", _("Street allocation")
        ENTERPRISE = "enterprise", _("Enterprise sponsorship")
        OTHER = "other", _("Other income")

    class Purpose(models.TextChoices):
        ACTIVITIES = "activities", _("Activities")
        STUDY = "study", _("Study materials")
        ROOM = "room", _("Activity room")
        VOLUNTEER = "volunteer", _("Volunteer service")
        HARDSHIP = "hardship", _("Help for members in hardship")
        PUBLICITY = "publicity", _("Publicity")
        OTHER = "other", _("Other expense")

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="fund_entries")
    date = models.DateField(_("date"))
    direction = models.CharField(_("income or expense"), max_length=10, choices=Direction.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_entries",
        verbose_name=_("sponsoring enterprise"),
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, blank=True)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0.01)]
    )
    description = models.CharField(_("description"), max_length=200)
    voucher_number = models.CharField(_("voucher number"), max_length=50, blank=True)
    approver = models.CharField(_("approved by"), max_length=50, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = BuildingScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("funding entry")
        verbose_name_plural = _("funding ledger")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_amount_positive"),
            models.CheckConstraint(
                condition=(Q(direction="income") & ~Q(source="") & Q(purpose=""))
                | (Q(direction="expense") & ~Q(purpose="") & Q(source="")),
                name="fund_income_has_source_expense_has_purpose",
            ),
            models.CheckConstraint(
                condition=Q(enterprise__isnull=True) | Q(source="enterprise"),
                name="fund_enterprise_only_for_sponsorship",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.get_direction_display()} {self.amount}"

    def get_absolute_url(self):
        return reverse("activities:fund_list") + f"?year={self.date.year}"

    def clean(self):
        errors = {}
        if self.direction == self.Direction.INCOME:
            if not self.source:
                errors["source"] = _("Say where the money came from.")
            if self.source == self.Source.ENTERPRISE and not self.enterprise_id:
                errors["enterprise"] = _("Choose the sponsoring enterprise.")
            self.purpose = ""
        elif self.direction == self.Direction.EXPENSE:
            if not self.purpose:
                errors["purpose"] = _("Say what the money was spent on.")
            if not self.voucher_number:
                errors["voucher_number"] = _("An expense needs its voucher number.")
            if not self.approver:
                errors["approver"] = _("An expense needs the name of who approved it.")
            self.source, self.enterprise = "", None
        if self.source != self.Source.ENTERPRISE:
            self.enterprise = None
        if self.date and self.date > timezone.localdate() + datetime.timedelta(days=1):
            errors["date"] = _("This date is in the future.")
        if errors:
            raise ValidationError(errors)
