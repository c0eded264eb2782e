"""Party members: the national 16-item register, transfers, mobile periods, history and proposed changes."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.crypto import EncryptedIDField, id_hashes, with_id_columns
from buildingparty.models import KeepsActorName, PartyOrganization
from buildingparty.scope import by_organization, by_organizations, own_or_organization
from enterprises.models import Enterprise

from . import codes
from .validators import id_birth_date, id_gender, mask_id_number, validate_id_number, validate_mobile, validate_phone


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to ``end``."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


class MemberQuerySet(models.QuerySet):
    def for_user(self, user):
        """Admins their building, secretaries their branch, street viewers all, a member their own record."""
        return own_or_organization(user, self, "organization", Q(user=user) if user.is_authenticated else Q())

    def in_party(self):
        """The members counted as 党员 everywhere: in the party (normal or 停止党籍) and not transferred out."""
        return self.filter(in_party_q())

    def active(self):
        """Members in normal standing who are still here: they pay dues, earn points, get reminders."""
        return self.filter(active_q())

    def with_id_numbers(self, *numbers):
        """The members with these ID numbers, found by keyed hash (the column itself is encrypted)."""
        return self.filter(id_hash__in=[h for number in numbers for h in id_hashes(number)])


def active_q(prefix: str = "") -> Q:
    """Normal standing and still here, as a Q on ``Member`` (``prefix`` e.g. ``"member__"``)."""
    return Q(**{f"{prefix}status": Member.Status.NORMAL, f"{prefix}whereabouts": Member.Whereabouts.HERE})


def in_party_q(prefix: str = "") -> Q:
    """The one definition of 党员 for counts, as a Q on ``Member`` (``prefix`` e.g. ``"members__"``)."""
    return Q(**{f"{prefix}status__in": Member.IN_PARTY_STATUSES, f"{prefix}whereabouts": Member.Whereabouts.HERE})


class TransferQuerySet(models.QuerySet):
    def for_user(self, user):
        """Transfers of members in scope, plus those arriving at or leaving a branch in scope."""
        return by_organizations(user, self, "member__organization", "from_organization", "to_organization")


class Member(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Category(models.TextChoices):
        FULL = "full", _("Full member")
        PROBATIONARY = "probationary", _("Probationary member")

    class Status(models.TextChoices):
        """Party standing (党籍, DOMAIN.md §5a); each change away from normal is a ``StandingDecision``."""

        NORMAL = "normal", _("Normal")
        SUSPENDED = "suspended", _("Party standing suspended")
        REMOVED = "removed", _("Removed from the party")
        EXPELLED = "expelled", _("Expelled from the party")
        WITHDRAWN = "withdrawn", _("Withdrew from the party")
        DECEASED = "deceased", _("Deceased")

    # In the party: counted as 党员 everywhere (normal or 停止党籍), whatever the whereabouts.
    IN_PARTY_STATUSES = (Status.NORMAL, Status.SUSPENDED)

    class Whereabouts(models.TextChoices):
        """Where the member's organisational relationship is: a whereabouts, not a standing (§5, §5a)."""

        HERE = "here", _("In this building")
        TRANSFERRED_OUT = "transferred_out", _("Transferred out")

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    # Both may be left blank in a form: clean() fills them in from the ID number.
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    # Codes of the national lists (members/codes.py); blank only where old data could not be mapped.
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=codes.ETHNICITIES, default=codes.HAN, blank=True)
    # Encrypted at rest (buildingparty/crypto.py); found by its keyed hash, searched by its last four. The
    # hash is unique: one person, one record in the whole system.
    id_number = EncryptedIDField(_("ID number"), max_length=18, validators=[validate_id_number])
    id_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_last4 = models.CharField(max_length=4, db_index=True, editable=False)
    birth_date = models.DateField(_("birth date"), blank=True)
    education = models.CharField(_("education"), max_length=2, choices=codes.EDUCATIONS, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.FULL)
    status = models.CharField(_("party standing"), max_length=20, choices=Status.choices, default=Status.NORMAL)
    whereabouts = models.CharField(
        _("whereabouts"), max_length=20, choices=Whereabouts.choices, default=Whereabouts.HERE
    )
    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="members", verbose_name=_("branch")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("enterprise"),
    )
    joined_on = models.DateField(_("date joined the party"))
    full_member_on = models.DateField(_("date became full member"), null=True, blank=True)
    expected_full_on = models.DateField(
        _("expected conversion date"),
        null=True,
        blank=True,
        help_text=_("For probationary members: normally one year after joining."),
    )
    job_category = models.ForeignKey(
        "JobCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("job"),
    )
    job_note = models.CharField(
        _("job title"), max_length=100, blank=True, help_text=_("The post in the member's own words, e.g. 会计.")
    )
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        validators=[validate_phone],
        help_text=_("A mobile, or a landline with its area code, e.g. 0574-63012345."),
    )
    home_address = models.CharField(_("home address"), max_length=200, blank=True)
    room = models.CharField(
        _("room"),
        max_length=20,
        blank=True,
        help_text=_("Where the member works in the building; the enterprise's room if empty."),
    )
    skills = models.CharField(
        _("skills"),
        max_length=200,
        blank=True,
        help_text=_("Used to match volunteer work, e.g. law, accounting, first aid."),
    )
    posts = models.CharField(_("posts held"), max_length=200, blank=True)
    is_hardship = models.BooleanField(_("member in hardship"), default=False)
    hardship_note = models.CharField(_("hardship details"), max_length=200, blank=True)
    rewards_penalties = models.TextField(_("rewards and penalties"), blank=True)
    code_leftovers = models.CharField(
        _("values not on the code lists"),
        max_length=300,
        blank=True,
        help_text=_("Old values the code lists could not take; clear this once the fields above are set."),
    )
    shows_membership = models.BooleanField(
        _("shows membership at work"),
        default=False,
        help_text=_("党员亮相: the member shows they are a party member at work."),
    )
    showcase_post = models.CharField(
        _("model post"), max_length=100, blank=True, help_text=_("e.g. a 党员示范岗 the member holds.")
    )
    status_changed_on = models.DateField(_("standing changed on"), null=True, blank=True)
    status_note = models.CharField(_("reason for the standing"), max_length=200, blank=True)
    is_mobile = models.BooleanField(_("mobile member"), default=False)
    mobile_destination = models.CharField(_("where to"), max_length=100, blank=True)
    lost_contact_since = models.DateField(_("lost contact since"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("user account"),
    )
    source_lead = models.ForeignKey(
        "survey.SurveyLead",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("found in the survey as"),
    )
    # Pinyin initials of the name (张三 → zs) for search; kept by the services that write names.
    name_initials = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
            models.CheckConstraint(condition=Q(gender__in=["M", "F"]), name="member_gender_known"),
        ]
        indexes = [
            # The few members marked in hardship, by name: the hardship register's "marked without a record"
            # reads them without scanning every member of the building.
            models.Index(fields=["name", "id"], condition=Q(is_hardship=True), name="member_hardship_by_name"),
        ]

    def __str__(self):
        return self.name

    def save(self, **kwargs):
        # The hash and last four follow the ID number, also when only it is saved.
        kwargs["update_fields"] = with_id_columns(kwargs.get("update_fields"))
        super().save(**kwargs)

    def get_absolute_url(self):
        return reverse("members:detail", args=[self.pk])

    def validate_unique(self, exclude=None):
        """The ID number is unique through its hash, which a form does not see: check it here, next to the field."""
        super().validate_unique(exclude)
        if self.id_number and "id_number" not in (exclude or ()):
            if Member.objects.with_id_numbers(self.id_number).exclude(pk=self.pk).exists():
                raise ValidationError({"id_number": _("A member with this ID number is already in the register.")})

    def clean(self):
        """Rules across fields (DOMAIN.md §3, §4); the ID number's own check is its field validator."""
        errors = {}
        if self.id_number:
            try:
                self.id_number = validate_id_number(self.id_number)
            except ValidationError:
                pass  # reported by the field validator
            else:
                born, gender = id_birth_date(self.id_number), id_gender(self.id_number)
                if self.birth_date and self.birth_date != born:
                    errors["birth_date"] = _("The birth date does not match the ID number (%(date)s).") % {
                        "date": born.isoformat()
                    }
                if self.gender and self.gender != gender:
                    errors["gender"] = _("The gender does not match the ID number.")
                self.fill_from_id_number()
        for field in ("gender", "birth_date"):
            if not getattr(self, field) and field not in errors:
                errors[field] = _("Enter this, or a valid ID number to fill it in.")
        if self.category == self.Category.FULL and not self.full_member_on:
            errors["full_member_on"] = _("A full member needs the date they became a full member.")
        if self.category == self.Category.PROBATIONARY:
            if self.full_member_on:
                errors["full_member_on"] = _("A probationary member has no full-member date yet.")
            if self.joined_on and not self.expected_full_on:
                self.expected_full_on = add_years(self.joined_on, 1)
        if self.joined_on and self.full_member_on and self.full_member_on <= self.joined_on:
            errors["full_member_on"] = _("The full-member date must be after the date of joining.")
        if self.joined_on and self.birth_date and self.joined_on < add_years(self.birth_date, 18):
            errors["joined_on"] = _("A member joins the party at 18 at the earliest.")
        today = timezone.localdate()
        for field in ("joined_on", "full_member_on", "lost_contact_since"):
            value = getattr(self, field)
            if value and value > today:
                errors[field] = _("This date is in the future.")
        if errors:
            raise ValidationError(errors)

    @property
    def workplace_room(self) -> str:
        return self.room or (self.enterprise.room if self.enterprise_id else "")

    @property
    def is_active_member(self) -> bool:
        return self.status == self.Status.NORMAL and self.whereabouts == self.Whereabouts.HERE

    @property
    def branch(self) -> PartyOrganization:
        """The branch the member belongs to: for a member of a party group (党小组), the group's branch."""
        return self.organization.branch

    @property
    def party_group(self) -> PartyOrganization | None:
        org = self.organization
        return org if org.kind == PartyOrganization.Kind.GROUP else None

    @property
    def is_in_party(self) -> bool:
        return self.status in self.IN_PARTY_STATUSES and self.whereabouts == self.Whereabouts.HERE

    @property
    def is_transferred_out(self) -> bool:
        return self.whereabouts == self.Whereabouts.TRANSFERRED_OUT

    @property
    def lost_contact_months(self) -> int | None:
        if not self.lost_contact_since:
            return None
        return months_between(self.lost_contact_since, timezone.localdate())

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


class MobilePeriod(models.Model):
    """A time the member is away as a mobile member (流动党员) while keeping their formal branch."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="mobile_periods", verbose_name=_("member")
    )
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=30, blank=True)
    county = models.CharField(_("county or district"), max_length=30, blank=True)
    since = models.DateField(_("away since"))
    until = models.DateField(_("back on"), null=True, blank=True)
    card_number = models.CharField(_("mobile member activity card number"), max_length=30, blank=True)
    host_organization = models.CharField(
        _("host party organisation"),
        max_length=100,
        blank=True,
        help_text=_("Where the member takes part in organisational life."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mobile period")
        verbose_name_plural = _("mobile periods")
        ordering = ["-since"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="mobile_period_until_after_since",
            ),
            models.UniqueConstraint(
                fields=["member"], condition=Q(until__isnull=True), name="mobile_period_one_open_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} → {self.destination}"

    @property
    def destination(self) -> str:
        return "".join(p for p in (self.province, self.city, self.county) if p)


class Transfer(models.Model):
    """An organisational-relationship transfer (组织关系接转) and its introduction letter.

    Steps (DOMAIN.md §5): issued → reported (报到) → receipt returned (回执) → closed; or expired when the
    letter's validity passes without reporting (then re-issued, never extended), or cancelled with a reason.
    """

    class Direction(models.TextChoices):
        IN = "in", _("Transfer in")
        OUT = "out", _("Transfer out")
        INTERNAL = "internal", _("Between the building's branches")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Letter issued")
        REPORTED = "reported", _("Reported")
        RECEIPTED = "receipted", _("Receipt returned")
        CLOSED = "closed", _("Closed")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.ISSUED, Status.REPORTED, Status.RECEIPTED)

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("member"))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    letter_number = models.CharField(_("letter number"), max_length=40, unique=True)
    from_organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_out",
        verbose_name=_("from (our branch)"),
    )
    from_name = models.CharField(_("from organisation"), max_length=150)
    to_organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
        verbose_name=_("to (our branch)"),
    )
    to_name = models.CharField(_("to organisation"), max_length=150)
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    validity_days = models.PositiveSmallIntegerField(
        _("valid for (days)"), validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    dues_paid_until = models.DateField(
        _("dues paid up to"),
        null=True,
        blank=True,
        help_text=_("The month up to which dues are paid (党费已交到 X年X月)."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ISSUED)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    receipt_due_on = models.DateField(_("receipt due on"), null=True, blank=True)
    receipt_returned_on = models.DateField(_("receipt returned on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    reissue_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reissued_as",
        verbose_name=_("re-issue of"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(validity_days__gte=1) & Q(validity_days__lte=90), name="transfer_validity_1_to_90_days"
            ),
            models.CheckConstraint(
                condition=(
                    Q(direction="in", to_organization__isnull=False)
                    | Q(direction="out", from_organization__isnull=False)
                    | Q(direction="internal", from_organization__isnull=False, to_organization__isnull=False)
                ),
                name="transfer_has_our_branch_on_its_side",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="transfer_cancel_needs_reason"
            ),
            # At most one letter under way per member: a second would contradict the first.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["issued", "reported", "receipted"]),
                name="transfer_one_open_per_member",
            ),
        ]

    def __str__(self):
        return f"{self.letter_number} {self.member}"

    def get_absolute_url(self):
        return reverse("members:transfer_detail", args=[self.pk])

    @property
    def expires_on(self) -> datetime.date:
        return self.issued_on + datetime.timedelta(days=self.validity_days)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_past_validity(self, today: datetime.date | None = None) -> bool:
        return self.status == self.Status.ISSUED and (today or timezone.localdate()) > self.expires_on

    def is_receipt_overdue(self, today: datetime.date | None = None) -> bool:
        return (
            self.status == self.Status.REPORTED
            and self.receipt_due_on is not None
            and (today or timezone.localdate()) > self.receipt_due_on
        )


class MemberChange(KeepsActorName):
    """One entry of a member's history: who changed what, when (never edited, never deleted)."""

    actor_field = "changed_by"

    class Action(models.TextChoices):
        CREATED = "created", _("Record created")
        UPDATED = "updated", _("Record edited")
        IMPORTED = "imported", _("Imported")
        PROPOSAL = "proposal", _("Proposed change approved")
        STATUS = "status", _("Party standing changed")
        TRANSFER = "transfer", _("Transfer")
        MOBILE = "mobile", _("Mobile member")
        LOST_CONTACT = "lost_contact", _("Lost contact")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="changes", verbose_name=_("member"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    changes = models.JSONField(
        _("changes"), default=dict, blank=True, help_text=_("Field name → [old value, new value].")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("member history entry")
        verbose_name_plural = _("member history")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.member} {self.get_action_display()} {self.changed_at:%Y-%m-%d}"


class StandingDecision(models.Model):
    """A decision about a member's standing (党籍, DOMAIN.md §5a): date, reason, approving organisation.

    Never edited, never deleted: a restored standing is a new decision of kind ``restored``.
    """

    class Kind(models.TextChoices):
        SUSPEND = "suspend", _("Suspend party standing (停止党籍)")
        REMOVE = "remove", _("Remove from the party (除名)")
        SELF_LAPSED = "self_lapsed", _("Lapsed of own accord, handled as removal (自行脱党)")
        EXPEL = "expel", _("Expel from the party (开除党籍)")
        WITHDRAW = "withdraw", _("Withdrawal from the party (退党)")
        DEATH = "death", _("Death")
        RESTORE = "restore", _("Restore party standing (恢复党籍)")

    # The standing each kind leaves the member in; 自行脱党 is handled as 除名.
    RESULTING_STATUS = {
        Kind.SUSPEND: Member.Status.SUSPENDED,
        Kind.REMOVE: Member.Status.REMOVED,
        Kind.SELF_LAPSED: Member.Status.REMOVED,
        Kind.EXPEL: Member.Status.EXPELLED,
        Kind.WITHDRAW: Member.Status.WITHDRAWN,
        Kind.DEATH: Member.Status.DECEASED,
        Kind.RESTORE: Member.Status.NORMAL,
    }

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="standing_decisions", verbose_name=_("member")
    )
    kind = models.CharField(_("decision"), max_length=20, choices=Kind.choices)
    decided_on = models.DateField(_("decided on"))
    reason = models.CharField(_("reason"), max_length=300)
    approved_by_organization = models.CharField(
        _("approved by"),
        max_length=100,
        blank=True,
        help_text=_("The organisation that approved the decision, e.g. the superior party committee."),
    )
    previous_status = models.CharField(_("standing before"), max_length=20, choices=Member.Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("standing decision")
        verbose_name_plural = _("standing decisions")
        ordering = ["-decided_on", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="standing_decision_has_reason")]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.decided_on}"

    @property
    def resulting_status(self) -> str:
        return self.RESULTING_STATUS[self.kind]


class ChangeProposal(models.Model):
    """A change a member proposes to their own record; their secretary approves or rejects it."""

    FIELDS = ("phone", "home_address", "job_note", "skills")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("member"))
    changes = models.JSONField(_("proposed values"), help_text=_("Field name → proposed value."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="pending"), name="proposal_one_pending_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.get_status_display()}"


class IncomingQuerySet(models.QuerySet):
    def for_user(self, user):
        return by_organization(user, self, "host_organization")

    def with_id_numbers(self, *numbers):
        return self.filter(id_hash__in=[h for number in numbers for h in id_hashes(number)])


class IncomingMobileMember(models.Model):
    """A party member whose relationship stays elsewhere but who works in the building and takes part in one
    of its branches' organisational life (流入党员). Not in the register: their branch is elsewhere."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Member.Gender.choices, blank=True)
    id_number = EncryptedIDField(_("ID number"), max_length=18, blank=True, validators=[validate_id_number])
    id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_last4 = models.CharField(max_length=4, blank=True, editable=False)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[validate_mobile])
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incoming_members",
        verbose_name=_("enterprise"),
    )
    home_organization = models.CharField(_("where the relationship is"), max_length=150)
    host_organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="incoming_members", verbose_name=_("takes part in")
    )
    card_number = models.CharField(_("mobile member activity card number"), max_length=30, blank=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    source_lead = models.OneToOneField(
        "survey.SurveyLead",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incoming_member",
        verbose_name=_("found in the survey as"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IncomingQuerySet.as_manager()

    class Meta:
        verbose_name = _("incoming mobile member")
        verbose_name_plural = _("incoming mobile members")
        ordering = ["-since", "name"]

    def __str__(self):
        return self.name

    def save(self, **kwargs):
        kwargs["update_fields"] = with_id_columns(kwargs.get("update_fields"))
        super().save(**kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number) if self.id_number else ""


class JobCategory(models.Model):
    """A job category of the 党内统计 tables (工作岗位): data an admin edits, seeded from ``codes.JOB_CATEGORIES``.
    A category in use is switched off (``is_active``), never deleted."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    is_active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("job category")
        verbose_name_plural = _("job categories")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name
