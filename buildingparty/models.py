"""The ground floor: the building, its party organisation tree, the people who log in, and the heartbeat."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Building(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)
    # Transfer letters carry the issuing committee's name and seal (DOMAIN.md §5): for the building, its superior
    # committee, e.g. the street's 党工委; the general branch or branch only handles the case (经办).
    issuing_committee = models.CharField(
        _("committee issuing transfer letters"),
        max_length=100,
        blank=True,
        help_text=_("e.g. 中共慈溪市浒山街道工作委员会; printed with its seal line on transfer letters."),
    )
    issuing_phone = models.CharField(
        _("issuing committee's phone"), max_length=30, blank=True, help_text=_("Printed in the letter's footer.")
    )
    issuing_fax = models.CharField(
        _("issuing committee's fax"), max_length=30, blank=True, help_text=_("Printed in the letter's footer.")
    )
    issuing_postcode = models.CharField(_("issuing committee's postcode"), max_length=6, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Building admin")
    SECRETARY = "secretary", _("Branch secretary")
    LIAISON = "liaison", _("Liaison")
    MEMBER = "member", _("Party member")
    CONTACT = "contact", _("Enterprise contact")
    STREET = "street", _("Street viewer")


class OrganizationQuerySet(models.QuerySet):
    def for_user(self, user):
        from .scope import organizations_for

        return organizations_for(user, self)

    def branches(self):
        """Branches and joint branches: the organisations that hold members' relationships (not the general
        branch, not party groups)."""
        return self.filter(kind__in=[PartyOrganization.Kind.BRANCH, PartyOrganization.Kind.JOINT_BRANCH])


class PartyOrganization(models.Model):
    class Kind(models.TextChoices):
        GENERAL_BRANCH = "general_branch", _("Joint general branch")
        BRANCH = "branch", _("Branch")
        JOINT_BRANCH = "joint_branch", _("Joint branch")
        GROUP = "group", _("Party group")

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("building")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["building", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="organization_name_unique_in_building"),
            models.CheckConstraint(
                condition=(
                    Q(kind="general_branch", parent__isnull=True)
                    | (~Q(kind="general_branch") & Q(parent__isnull=False))
                ),
                name="organization_only_general_branch_is_root",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organization_detail", args=[self.pk])

    @property
    def branch(self) -> "PartyOrganization":
        """The organisation that holds relationships and a seal: a group's branch, else itself."""
        return self.parent if self.kind == self.Kind.GROUP and self.parent_id else self

    @property
    def branch_pk(self) -> int:
        """The ``branch``'s primary key, without loading it."""
        return self.parent_id if self.kind == self.Kind.GROUP and self.parent_id else self.pk

    def subtree_ids(self) -> list[int]:
        """This organisation and everything below it (the tree is at most three levels deep)."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(PartyOrganization.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


class User(AbstractUser):
    """Django's user with the one role it plays in one building.

    A user is linked to at most one party member (``Member.user``); a secretary's branch is ``organization``.
    """

    name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("building")
    )
    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("organisation"),
        help_text=_("The branch a secretary runs."),
    )
    email_notifications = models.BooleanField(_("email notifications"), default=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="secretary") | Q(organization__isnull=False),
                name="user_secretary_has_organization",
            ),
            models.CheckConstraint(
                condition=Q(role="street") | Q(building__isnull=False) | Q(is_superuser=True),
                name="user_has_building_unless_street",
            ),
        ]

    def __str__(self):
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.username

    @property
    def is_building_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_secretary(self) -> bool:
        return self.role == Role.SECRETARY

    @property
    def is_street_viewer(self) -> bool:
        return self.role == Role.STREET

    # --- audit (issue 14, point 10): a user who did something on record is deactivated, never deleted ---------

    def history_counts(self) -> dict[str, int]:
        """``{model name: rows}`` of every row that names this user where deleting the user would blank the name
        (the ``SET_NULL`` foreign keys: history, audit records, who recorded a payment, …). Empty: nothing on
        record, the user may be deleted."""
        from django.db.models.deletion import Collector

        collector = Collector(using=self._state.db or "default")
        collector.collect([self])
        counts: dict[str, int] = {}
        for (field, _value), batches in collector.field_updates.items():
            label = str(field.model._meta.verbose_name_plural)
            rows = sum(batch.count() if isinstance(batch, models.QuerySet) else len(batch) for batch in batches)
            if rows:
                counts[label] = counts.get(label, 0) + rows
        return counts


def person_name(user) -> str:
    """The name kept beside a user foreign key on a history row, shown once the user is gone."""
    return (user.name or user.username)[:150] if user is not None else ""


@receiver(pre_delete, sender=User, dispatch_uid="buildingparty.refuse_deleting_users_with_history")
def refuse_deleting_users_with_history(sender, instance, **kwargs):
    """The one guard, wherever a user is deleted from (the admin, a view, a queryset, the shell): a user on
    record is deactivated instead, so every history row keeps its link to who did it. Raised before anything is
    written; the deletion's transaction is rolled back."""
    counts = instance.history_counts()
    if counts:
        raise models.ProtectedError(
            _("%(user)s is named in %(rows)s; deactivate the account instead of deleting it.")
            % {"user": instance, "rows": ", ".join(f"{label} ({n})" for label, n in counts.items())},
            set(),
        )


class KeepsActorName(models.Model):
    """A history or audit row keeps who acted as a name beside the foreign key (``actor_field``), filled when
    the row is saved, so the record still says who did it if the user is ever removed. ``bulk_create`` skips
    ``save()``: call ``fill_actor_name()`` on each row first."""

    actor_field = "actor"

    actor_name = models.CharField(_("who (name kept)"), max_length=150, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.actor_name:
            self.fill_actor_name()
            if self.actor_name and kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "actor_name"}
        super().save(*args, **kwargs)

    def fill_actor_name(self) -> None:
        if not self.actor_name and getattr(self, f"{self.actor_field}_id") is not None:
            self.actor_name = person_name(getattr(self, self.actor_field))

    @property
    def actor_display(self) -> str:
        """Who did it: the user's name while the account exists, the kept name after."""
        user = getattr(self, self.actor_field)
        return str(user) if user is not None else self.actor_name


class Heartbeat(models.Model):
    """The last time a periodic job reported in; proves beat → broker → worker → database end to end."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"

    @property
    def age_seconds(self) -> float:
        return (timezone.now() - self.beat_at).total_seconds()


class AuditRecord(KeepsActorName):
    """Who looked at or took out personal data: every unmasked ID view, every export and import (PIPL); and every
    change of money (a fund entry or a dues payment created, edited or deleted) with its old and new values."""

    class Action(models.TextChoices):
        REVEAL_ID = "reveal_id", _("Full ID number shown")
        EXPORT = "export", _("Register exported")
        IMPORT = "import", _("Register imported")
        PRINT = "print", _("Form printed with full ID number")
        # every change of money (issue 14, point 10): ``changes`` holds {field: [old, new]}
        MONEY_CREATED = "money_created", _("Money recorded")
        MONEY_CHANGED = "money_changed", _("Money record edited")
        MONEY_DELETED = "money_deleted", _("Money record deleted")

    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
        help_text=_("Empty for the command line."),
    )
    building = models.ForeignKey(
        Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("building")
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    subject = models.CharField(
        _("whose or what"), max_length=200, help_text=_("The member whose number was shown, or the register exported.")
    )
    object_id = models.CharField(max_length=40, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # what the record is about, as "app_label.model" beside object_id, and the values it changed
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    changes = models.JSONField(
        _("changes"), default=dict, blank=True, help_text=_("Field name → [old value, new value].")
    )

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.subject} {self.at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """One message to one user: shown under the bell, and emailed unless they switched email off."""

    # No index of its own: the two indexes below start with the user (issue 15: every index costs the monthly
    # jobs' thousands of inserts).
    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="notifications", db_index=False)
    event = models.CharField(_("event"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Which thing and which occasion this is about: one notification per user and key, however often a job runs.
    dedupe_key = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    # guards: an email that could not be sent is kept with its error and retried with backoff
    # (buildingparty.outbox.EMAIL_MAX_ATTEMPTS), then marked failed and listed on /jobs/, never dropped silently.
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    email_error = models.CharField(_("email error"), max_length=300, blank=True)
    email_retry_at = models.DateTimeField(_("email retry at"), null=True, blank=True)
    email_failed_at = models.DateTimeField(_("email failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            # The emails in trouble, newest first (/jobs/): a new notification (no attempt yet) is not in it.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(email_attempts__gt=0, emailed_at__isnull=True),
                name="notification_email_trouble",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_once_per_key"
            ),
        ]

    def __str__(self):
        return self.title


class JobRun(models.Model):
    """One attempt of a scheduled job (``buildingparty.jobs``): when, how it ended, what it counted."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        RETRYING = "retrying", _("Failed, will retry")
        FAILED = "failed", _("Failed")
        # Issue 14 (ops): its worker died mid-run (no sign of life); the sweep marks it so and runs the job again.
        ABANDONED = "abandoned", _("Abandoned: its worker stopped")

    job = models.CharField(pgettext_lazy("background job", "job"), max_length=100)
    task_id = models.CharField(_("task id"), max_length=255, blank=True, help_text=_("Empty when run by a command."))
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        pgettext_lazy("background job", "outcome"), max_length=20, choices=Outcome.choices, default=Outcome.RUNNING
    )
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Issue 14 (ops): written every few seconds while the run works (buildingparty.jobs), so a dead worker shows.
    alive_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["job", "-started_at"], name="job_run_latest")]

    def __str__(self):
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def duration_seconds(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None


class OutboxMessage(models.Model):
    """A task that could not be handed to the broker (Redis down), kept until it can be (``buildingparty.outbox``)."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="outbox_unsent"),
        ]

    def __str__(self):
        return f"{self.task} {self.created_at:%Y-%m-%d %H:%M:%S}"


class FormSubmission(models.Model):
    """A submitted create-form, by the one-time token it was rendered with (``buildingparty.submissions``): a
    second submit of the same rendered form finds this row and is shown the first result instead of writing
    again. Rows are only needed while someone could still press the button twice; old ones are swept."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="+")
    form = models.CharField(_("form"), max_length=50, help_text=_("Which form, e.g. dues.payment."))
    result_url = models.CharField(_("result"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self):
        return f"{self.form} {self.created_at:%Y-%m-%d %H:%M:%S}"


class ImportRunQuerySet(models.QuerySet):
    def for_user(self, user):
        """The runs a person may read: their own, and for a building admin every run in the building."""
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN and user.building_id is not None:
            return self.filter(Q(user=user) | Q(building_id=user.building_id))
        return self.filter(user=user)


class ImportRun(models.Model):
    """One confirmed register import (``buildingparty.imports``): who, which file, how far it got, what came of it.

    ``token`` is the pending upload's token, the natural key of a confirmation: confirming the same upload
    twice finds this row and shows its result instead of importing again. Large files are checked and written
    by the ``buildingparty.run_import`` job; small ones in the request. The row and its errors are kept for the
    person to read later.
    """

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("import run", "Waiting to start")
        CHECKING = "checking", pgettext_lazy("import run", "Checking rows")
        WRITING = "writing", pgettext_lazy("import run", "Writing")
        DONE = "done", pgettext_lazy("import run", "Imported")
        FAILED = "failed", pgettext_lazy("import run", "Not imported")

    token = models.CharField(_("upload token"), max_length=32, unique=True)
    kind = models.CharField(_("register"), max_length=50)
    user = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, related_name="+")
    user_name = models.CharField(_("imported by"), max_length=150, blank=True)
    building = models.ForeignKey(Building, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    file_suffix = models.CharField(max_length=10)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    in_background = models.BooleanField(_("run as a job"), default=False)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    counts = models.JSONField(_("result"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("number of errors"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="import_run_by_user")]

    def __str__(self):
        return f"{self.kind} {self.file_name} {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
