"""The building survey (调查摸底): campaigns, door-to-door visits with the five clears, their follow-ups, and the
party members found whose relationship is elsewhere (leads)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.models import Building, Role
from enterprises.models import Enterprise
from enterprises.validators import validate_phone


class CampaignQuerySet(models.QuerySet):
    def for_user(self, user):
        """Campaigns of the user's building: admins, secretaries and liaisons; street viewers all."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.STREET:
            return self
        if user.role in (Role.ADMIN, Role.SECRETARY, Role.LIAISON):
            return self.filter(building_id=user.building_id)
        return self.none()


class SurveyCampaign(models.Model):
    """A round of the building survey (调查摸底), e.g. 2026 年度调查摸底."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Under way")
        CLOSED = "closed", pgettext_lazy("campaign", "Closed")

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("building")
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    working_group = models.TextField(
        _("joint working group"),
        blank=True,
        help_text=_("Who visits: staff from the street, the community and the property company."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="campaign_name_unique_in_building"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("survey:campaign_detail", args=[self.pk])


class VisitQuerySet(models.QuerySet):
    def for_user(self, user):
        """Visits to the enterprises the user may see (liaisons: their assigned enterprises)."""
        return self.filter(
            enterprise__in=Enterprise.objects.for_user(user), campaign__in=SurveyCampaign.objects.for_user(user)
        )


class SurveyVisit(models.Model):
    """A door-to-door visit (登门拜访) and the five clears (五清) it establishes."""

    campaign = models.ForeignKey(
        SurveyCampaign, on_delete=models.PROTECT, related_name="visits", verbose_name=_("campaign")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="visits", verbose_name=_("enterprise")
    )
    visited_on = models.DateField(_("visited on"))
    visitors = models.CharField(
        _("visitors"), max_length=200, blank=True, help_text=_("Members of the working group who went.")
    )
    met_with = models.CharField(_("met with"), max_length=100, blank=True)
    # The five clears
    enterprise_situation = models.TextField(
        _("the enterprise's situation"), blank=True, help_text=_("Business, staff, how long in the building.")
    )
    members_found = models.PositiveIntegerField(_("party members found"), null=True, blank=True)
    relationships_note = models.TextField(
        _("where their relationships are"),
        blank=True,
        help_text=_("Which members' organisational relationships are with us, which elsewhere (and where)."),
    )
    members_thinking = models.TextField(_("members' thinking"), blank=True)
    owner_attitude = models.CharField(
        _("owner's attitude"), max_length=20, choices=Enterprise.Attitude.choices, blank=True
    )
    attitude_note = models.TextField(_("about the owner's attitude"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey visit")
        verbose_name_plural = _("survey visits")
        ordering = ["-visited_on", "-pk"]
        # Finds an enterprise's latest visit in a campaign (selectors.latest_only) by the index alone, whatever
        # the planner believes about the table's size (after a bulk load, before ANALYZE).
        indexes = [models.Index(fields=["enterprise", "campaign", "visited_on"], name="survey_visit_latest")]

    def __str__(self):
        return f"{self.enterprise} {self.visited_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("survey:visit_detail", args=[self.pk])

    @property
    def five_clears(self) -> dict:
        """Which of the five clears this visit established."""
        return {
            "situation": bool(self.enterprise_situation.strip()),
            "members": self.members_found is not None,
            "relationships": bool(self.relationships_note.strip()) or self.members_found == 0,
            "thinking": bool(self.members_thinking.strip()) or self.members_found == 0,
            "attitude": bool(self.owner_attitude) and self.owner_attitude != Enterprise.Attitude.UNKNOWN,
        }

    @property
    def is_complete(self) -> bool:
        return all(self.five_clears.values())


# The five clears as query conditions over SurveyVisit, for counting in the database. ``five_clears`` above is
# the source of truth; enterprises/survey/tests/test_survey_sql.py checks over a varied set that each condition
# picks exactly the visits the property says.
#
# ``str.strip()`` removes every character ``str.isspace()`` knows (U+3000, the full-width space, among them).
# They are spelled out rather than written ``\s``: PostgreSQL's ``[[:space:]]`` depends on the database's locale,
# while SQLite's REGEXP is Python's ``re``. The last whitespace character is U+3000.
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
NOT_BLANK = f"[^{WHITESPACE}]"  # matches a text with something in it besides whitespace
FIVE_CLEARS_Q = {
    "situation": Q(enterprise_situation__regex=NOT_BLANK),
    "members": Q(members_found__isnull=False),
    "relationships": Q(relationships_note__regex=NOT_BLANK) | Q(members_found=0),
    "thinking": Q(members_thinking__regex=NOT_BLANK) | Q(members_found=0),
    "attitude": ~Q(owner_attitude__in=["", Enterprise.Attitude.UNKNOWN]),
}
COMPLETE_Q = Q(*FIVE_CLEARS_Q.values())


class FollowUp(models.Model):
    """Something a visit showed needs doing, with a due date."""

    visit = models.ForeignKey(SurveyVisit, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.CharField(_("action"), max_length=200)
    due_on = models.DateField(_("due on"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("assigned to"),
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["done_on", "due_on"]

    def __str__(self):
        return self.action


class LeadQuerySet(models.QuerySet):
    def for_user(self, user):
        """Admins and secretaries of the building pick leads up; a liaison sees the leads of their visits."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.STREET:
            return self
        if user.role in (Role.ADMIN, Role.SECRETARY):
            return self.filter(visit__campaign__building_id=user.building_id)
        if user.role == Role.LIAISON:
            return self.filter(visit__enterprise__liaison=user)
        return self.none()


class SurveyLead(models.Model):
    """A party member found on a visit whose relationship is elsewhere (隐形党员): a lead until a secretary
    registers a transfer in or an incoming mobile member, or closes it with a reason."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TRANSFERRED_IN = "transferred_in", _("Transferred in")
        MOBILE = "mobile", _("Registered as incoming mobile member")
        CLOSED = "closed", _("Closed")

    visit = models.ForeignKey(SurveyVisit, on_delete=models.PROTECT, related_name="leads", verbose_name=_("visit"))
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    relationship_location = models.CharField(
        _("where the relationship is"), max_length=150, help_text=_("The party organisation that holds it now.")
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey lead")
        verbose_name_plural = _("survey leads")
        # Open leads first (the status codes do not sort that way by themselves), newest first within.
        ordering = [models.Case(models.When(status="open", then=0), default=1), "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(close_reason=""), name="lead_closed_needs_reason"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def enterprise(self):
        return self.visit.enterprise
