"""Party dues (党费, DOMAIN.md §6): each member's yearly standard, the monthly bills and the payments.

A ``DuesStandard`` is set per member and year: the member declares a kind and a monthly base, the branch
secretary confirms it, and the amount is computed by ``members.dues.monthly_dues``; an override (a hardship
reduction or exemption, or a rural amount) needs a reason and who approved it. ``DuesBill`` is one month's dues
of one member (one per member and month, a database constraint); ``DuesPayment`` is money received, split over
bills by ``DuesAllocation`` (a payment may cover several months, a bill may be paid in parts).
"""

import calendar
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buildingparty.scope import own_or_organization

BASE_HELP = _(
    "Regular monthly wage income after tax. Do not include social insurance, the housing fund, or allowances "
    "for housing, transport, phone, overtime, meals, heating or cooling. Annual-salary earners: this month's "
    "pay; self-employed: the previous quarter's average monthly net income; retirees: the basic pension."
)


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    """The last day of ``month``'s month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_inclusive(first: datetime.date, last: datetime.date) -> int:
    """How many months from ``first``'s month to ``last``'s, both counted (2026-01 to 2026-03 is 3)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def month_label(month: datetime.date | None) -> str:
    return f"{month.year}年{month.month}月" if month else ""


class DuesKind(models.TextChoices):
    EMPLOYED = "employed", _("Employed (wages)")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    RETIRED = "retired", _("Retired (basic pension)")
    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Unemployed")
    LOW_INCOME = "low_income", _("On relief or minimum living allowance")
    RURAL = "rural", _("Rural member")


class DuesScopedQuerySet(models.QuerySet):
    """Dues rows are the member's own, or in the reach of their branch's secretary and the building admin."""

    member_path = "member"

    def for_user(self, user):
        p = self.member_path
        own = Q(**{f"{p}__user": user}) if user.is_authenticated else Q()
        return own_or_organization(user, self, f"{p}__organization", own)


class DuesStandard(models.Model):
    class Payer(models.TextChoices):
        # Never an enterprise or any other unit: paying dues with an organisation's money (公款代交) is forbidden.
        SELF = "self", _("The member themself")
        OTHER = "other", _("A relative or another member on their behalf (代交)")

    class Status(models.TextChoices):
        DECLARED = "declared", _("Declared, awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="dues_standards", verbose_name=_("party member")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=DuesKind.choices, default=DuesKind.EMPLOYED)
    declared_base = models.DecimalField(
        _("monthly base (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=BASE_HELP,
    )
    computed_amount = models.DecimalField(_("amount by the rule"), max_digits=8, decimal_places=2)
    override_amount = models.DecimalField(
        _("amount agreed instead"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For a hardship reduction or exemption (0), or a rural member's amount between 0.20 and 1.00."),
    )
    override_reason = models.CharField(_("reason for the agreed amount"), max_length=200, blank=True)
    override_approved_by = models.CharField(
        _("approved by"),
        max_length=100,
        blank=True,
        help_text=_("The branch meeting and the higher organisation that approved it, e.g. 联合党总支 2026-01-10."),
    )
    payer = models.CharField(_("who pays"), max_length=20, choices=Payer.choices, default=Payer.SELF)
    payer_name = models.CharField(_("paying person"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DECLARED)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = DuesScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dues standard")
        verbose_name_plural = _("dues standards")
        ordering = ["-year", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="dues_standard_one_per_year"),
            models.CheckConstraint(
                condition=Q(override_amount__isnull=True) | ~Q(override_reason=""), name="dues_override_has_reason"
            ),
            models.CheckConstraint(condition=~Q(payer="other") | ~Q(payer_name=""), name="dues_other_payer_named"),
        ]

    def __str__(self):
        return f"{self.member} {self.year}: {self.amount}"

    @property
    def amount(self) -> Decimal:
        return self.override_amount if self.override_amount is not None else self.computed_amount

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED


class DuesBill(models.Model):
    """One member's dues for one month. Paid when the allocations reach the amount; an excused bill (a valid
    reason recorded by the secretary) does not count as arrears."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="dues_bills", verbose_name=_("party member")
    )
    organization = models.ForeignKey(
        "buildingparty.PartyOrganization",
        on_delete=models.PROTECT,
        related_name="dues_bills",
        verbose_name=_("branch"),
        help_text=_("The member's branch when the bill was made; the ledger counts it there."),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(_("amount due"), max_digits=8, decimal_places=2)
    paid_amount = models.DecimalField(_("paid"), max_digits=8, decimal_places=2, default=Decimal("0"))
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)
    excused_reason = models.CharField(
        _("valid reason for not paying"),
        max_length=200,
        blank=True,
        help_text=_("Recorded by the secretary, e.g. an approved deferral; the month is not counted as arrears."),
    )
    excused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reason recorded by"),
    )
    excused_at = models.DateTimeField(_("reason recorded at"), null=True, blank=True)
    standard = models.ForeignKey(
        DuesStandard, on_delete=models.SET_NULL, null=True, blank=True, related_name="bills", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DuesScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dues bill")
        verbose_name_plural = _("dues bills")
        ordering = ["-month", "member__name"]
        indexes = [
            models.Index(fields=["organization", "month"], name="dues_bill_org_month"),
            # A month's bills (the month page, its totals, who has no bill yet) without reading every month.
            models.Index(fields=["month", "member"], name="dues_bill_month_member"),
            # Open bills (arrears once their month is over) are a few of many: the arrears page reads only them.
            models.Index(
                fields=["member", "month"],
                condition=Q(paid_amount__lt=models.F("amount"), excused_reason=""),
                name="dues_bill_open",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_bill_one_per_member_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="dues_bill_month_first_day"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_bill_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=models.F("amount")),
                name="dues_bill_paid_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.member} {month_label(self.month)}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid_amount

    @property
    def is_paid(self) -> bool:
        return self.paid_amount >= self.amount

    @property
    def state(self) -> str:
        """paid, partial, excused or unpaid."""
        if self.is_paid:
            return "paid"
        if self.excused_reason:
            return "excused"
        return "partial" if self.paid_amount > 0 else "unpaid"


class DuesPayment(models.Model):
    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK = "bank", _("Bank transfer")
        WECHAT = "wechat", _("WeChat transfer")
        ALIPAY = "alipay", _("Alipay transfer")
        PROXY = "proxy", _("Paid by a relative or another member on their behalf (代交)")
        # Only for payments once recorded as paid by an enterprise, whose way of paying is not known
        # (migration 0003); never offered on the form.
        NOT_RECORDED = "not_recorded", _("Not recorded (see the note)")

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="dues_payments", verbose_name=_("party member")
    )
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.CASH)
    receipt_number = models.CharField(_("receipt number"), max_length=50, blank=True)
    payer_name = models.CharField(_("paying person"), max_length=50, blank=True)
    first_month = models.DateField(_("from month"))
    last_month = models.DateField(_("to month"))
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent given by"),
        help_text=_("Paying for several months at once needs the branch's consent."),
    )
    consent_note = models.CharField(_("consent"), max_length=200, blank=True)
    # Back-pay or paying ahead beyond six months needs a recorded branch decision: who, when, why.
    decision_by = models.CharField(
        _("decided by"),
        max_length=100,
        blank=True,
        help_text=_("The branch meeting or committee that decided, e.g. 第一党支部支委会."),
    )
    decision_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = DuesScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_payment_positive"),
            models.CheckConstraint(condition=Q(last_month__gte=models.F("first_month")), name="dues_payment_months"),
            models.CheckConstraint(condition=~Q(method="proxy") | ~Q(payer_name=""), name="dues_proxy_payer_named"),
            models.CheckConstraint(
                condition=Q(decision_by="", decision_on__isnull=True, decision_reason="")
                | (~Q(decision_by="") & Q(decision_on__isnull=False) & ~Q(decision_reason="")),
                name="dues_payment_decision_complete",
            ),
            models.UniqueConstraint(
                fields=["receipt_number"], condition=~Q(receipt_number=""), name="dues_receipt_number_unique"
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.amount} {self.paid_on}"

    @property
    def month_count(self) -> int:
        return months_inclusive(self.first_month, self.last_month)

    @property
    def payer_display(self) -> str:
        return self.payer_name

    @property
    def has_decision(self) -> bool:
        return bool(self.decision_by)


class DuesAllocation(models.Model):
    """How much of a payment went to which month's bill."""

    payment = models.ForeignKey(DuesPayment, on_delete=models.CASCADE, related_name="allocations")
    bill = models.ForeignKey(DuesBill, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("dues allocation")
        verbose_name_plural = _("dues allocations")
        constraints = [
            models.UniqueConstraint(fields=["payment", "bill"], name="dues_allocation_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_allocation_positive"),
        ]

    def __str__(self):
        return f"{self.bill}: {self.amount}"
