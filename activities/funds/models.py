"""The party-building funding ledger (党建经费)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.models import Building
from buildingparty.scope import building_officers
from enterprises.models import Enterprise


class FundEntryQuerySet(models.QuerySet):
    def for_user(self, user):
        return building_officers(user, self)


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

    objects = FundEntryQuerySet.as_manager()

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
        return reverse("funds:list") + f"?year={self.date.year}"

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
