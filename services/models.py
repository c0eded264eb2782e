"""Service requests from members and enterprises, the reception point, and the study-material library."""

import os
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.models import Building, KeepsActorName, PartyOrganization, Role
from buildingparty.scope import organization_ids
from enterprises.models import Enterprise
from members.models import Member, Transfer


class ServiceCategory(models.Model):
    """What can be asked for, who handles it by default, and in how many working days."""

    class Audience(models.TextChoices):
        MEMBERS = "members", _("Party members")
        ENTERPRISES = "enterprises", _("Enterprises")

    class Handler(models.TextChoices):
        SECRETARY = "secretary", _("The requester's branch secretary")
        NAMED = "named", _("A named handler")
        ADMINS = "admins", _("The building admins")

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="service_categories")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=50)
    audience = models.CharField(_("for"), max_length=12, choices=Audience.choices)
    handler_kind = models.CharField(_("handled by"), max_length=12, choices=Handler.choices, default=Handler.ADMINS)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("named handler"),
    )
    limit_days = models.PositiveSmallIntegerField(
        _("time limit (working days)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_transfer = models.BooleanField(
        _("organisational-relationship transfer"),
        default=False,
        help_text=_("Requests of this category can be linked to the transfer they produced."),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["audience", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["building", "code"], name="service_category_code_unique"),
            models.CheckConstraint(
                condition=~Q(handler_kind="named") | Q(handler__isnull=False), name="service_category_named_handler"
            ),
        ]

    def __str__(self):
        return self.name


class RequestQuerySet(models.QuerySet):
    def for_user(self, user):
        """Requesters see their own; handlers what is routed to them; secretaries their branch's; admins the
        building's; street viewers everything."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.STREET:
            return self
        if user.role == Role.ADMIN:
            return self.filter(building_id=user.building_id)
        mine = Q(requester=user) | Q(assigned_to=user)
        if user.role == Role.SECRETARY:
            mine |= Q(organization_id__in=organization_ids(user))
        # The enterprises as subqueries (not joins): a join to the enterprises table (and a DISTINCT over the
        # contacts) made PostgreSQL read every enterprise before it limited the list to a page.
        if user.role == Role.CONTACT:
            mine |= Q(enterprise_id__in=Enterprise.contacts.through.objects.filter(user=user).values("enterprise_id"))
        if user.role == Role.LIAISON:
            mine |= Q(enterprise_id__in=Enterprise.objects.filter(liaison=user).values("pk"))
        return self.filter(mine)


class ServiceRequest(models.Model):
    """A request and its life: submitted → accepted → in progress → resolved → closed; or rejected with a reason,
    or withdrawn by the requester."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", pgettext_lazy("request", "Closed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS)

    class Priority(models.TextChoices):
        NORMAL = "normal", pgettext_lazy("priority", "Normal")
        URGENT = "urgent", _("Urgent")

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="service_requests")
    category = models.ForeignKey(
        ServiceCategory,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=pgettext_lazy("service", "category"),
    )
    title = models.CharField(_("subject"), max_length=100)
    description = models.TextField(_("details"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("requester")
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("member"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("enterprise"),
    )
    # The requester's branch when they asked: routes to its secretary and scopes the request.
    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("branch"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("handler"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejecting"), max_length=200, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    feedback = models.CharField(_("feedback"), max_length=300, blank=True)
    transfer = models.ForeignKey(
        Transfer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("transfer"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text=_("Who entered it, when on the requester's behalf."),
    )

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)), name="request_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""), name="request_reject_needs_reason"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("services:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        return self.is_open and (now or timezone.now()) > self.due_at


class RequestEvent(KeepsActorName):
    """One line of a request's timeline: a status change, an assignment, a comment."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        COMMENT = "comment", _("Comment")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    text = models.TextField(_("text"), blank=True)
    public = models.BooleanField(_("visible to the requester"), default=True)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.request} {self.get_kind_display()}"


def attachment_path(instance, filename):
    """Private storage under MEDIA_ROOT, a random name so nobody can guess another's file."""
    return f"requests/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()}"


class Attachment(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=150)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("services:attachment", args=[self.pk])


class ReceptionVisit(models.Model):
    """A walk-in at the member reception point (接访点)."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="reception_visits")
    visited_at = models.DateTimeField(_("when"), default=timezone.now)
    visitor_name = models.CharField(_("visitor"), max_length=50)
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reception_visits",
        verbose_name=_("member"),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    outcome = models.TextField(_("outcome"), blank=True)
    request = models.OneToOneField(
        ServiceRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reception_visit",
        verbose_name=_("request opened"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("reception visit")
        verbose_name_plural = _("reception visits")
        ordering = ["-visited_at", "-pk"]

    def __str__(self):
        return f"{self.visitor_name} {self.visited_at:%Y-%m-%d}"


class Material(models.Model):
    """A study material in the branch's library (学习资料)."""

    class Kind(models.TextChoices):
        BOOK = "book", _("Book")
        PERIODICAL = "periodical", _("Periodical")
        VIDEO = "video", _("Video")

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="materials")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.BOOK)
    title = models.CharField(_("title"), max_length=150)
    author = models.CharField(_("author or publisher"), max_length=100, blank=True)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1, validators=[MinValueValidator(1)])
    location = models.CharField(_("shelf"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("in the catalogue"), default=True)

    class Meta:
        verbose_name = _("study material")
        verbose_name_plural = _("study materials")
        ordering = ["kind", "title"]

    def __str__(self):
        return self.title


class Loan(models.Model):
    """A member's request for a material, then the loan and its return."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        LENT = "lent", _("On loan")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", pgettext_lazy("loan", "Cancelled")

    ACTIVE_STATUSES = (Status.REQUESTED, Status.LENT)

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="loans", verbose_name=_("material"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="loans", verbose_name=_("member"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    lent_on = models.DateField(_("lent on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="lent") | Q(due_on__isnull=False, lent_on__isnull=False), name="loan_lent_has_dates"
            ),
            models.UniqueConstraint(
                fields=["material", "member"],
                condition=Q(status__in=["requested", "lent"]),
                name="loan_one_active_per_member_and_material",
            ),
        ]

    def __str__(self):
        return f"{self.material} → {self.member}"

    def is_overdue(self, today=None) -> bool:
        return self.status == self.Status.LENT and (today or timezone.localdate()) > self.due_on
