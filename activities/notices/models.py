"""The bulletin board (党建宣传栏, DOMAIN.md §9): the building's notices, news and rules, and who has read them.

A ``Notice`` belongs to one building and is addressed either to the whole building or to one branch (its
``audience``). Its body is Markdown, shown only through ``activities.notices.markdown.render``. It is on the board
from ``publish_at`` (a notice can be scheduled) until ``expires_at`` (empty: it stays) unless it is withdrawn.
Rules (制度: the branch activity rules, the members' code of conduct, 党员亮相, the points scheme) are the building's
and always addressed to the whole building.

Who reads what (``NoticeQuerySet.for_user``):

- street viewers: every building's notices;
- building admins: all their building's notices;
- secretaries: their building's building-wide notices and their own branch's;
- members: their building's building-wide notices and their own branch's (a party group's member: the branch of
  her group);
- liaisons and enterprise contacts: their building's building-wide notices only (a branch's notice is the
  branch's business).

Out of that scope a notice is absent (404). Within it, readers see a notice only while it is current
(``current``); those who manage it (``can_manage``) see it scheduled, expired or withdrawn too.

``NoticeAttachment`` is a private file served only to those who may read the notice; ``NoticeRead`` is a read
receipt, one per notice and user, written when the user first opens the notice.
"""

import os
import secrets

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.models import Role
from buildingparty.scope import organization_ids

from . import markdown


def own_branches(user) -> Q:
    """Addressed to the branch of the user's member record: her organisation, or her party group's branch.

    Two small subqueries on her member record (``members.user_id`` is unique): joining the organisations to all
    their members and their groups' members made PostgreSQL build the whole cross product at scale.
    """
    mine = apps.get_model("members", "Member").objects.filter(user_id=user.pk)
    return Q(audience_id__in=mine.values("organization_id")) | Q(
        audience_id__in=mine.filter(organization__parent_id__isnull=False).values("organization__parent_id")
    )


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user):
        """The notices a user may read, whatever their state (see the module's docstring)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.STREET:
            return self
        if user.building_id is None:
            return self.none()
        if user.role == Role.ADMIN:
            return self.filter(building_id=user.building_id)
        building_wide = Q(building_id=user.building_id, audience__isnull=True)
        if user.role == Role.SECRETARY:
            return self.filter(building_wide | Q(audience_id__in=organization_ids(user)))
        if user.role == Role.MEMBER:
            return self.filter(building_wide | (Q(building_id=user.building_id) & own_branches(user)))
        return self.filter(building_wide)

    def managed_by(self, user):
        """The notices a user may change: an admin, her building's; a secretary, her branch's."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.ADMIN and user.building_id:
            return self.filter(building_id=user.building_id)
        if user.role == Role.SECRETARY:
            return self.filter(audience_id__in=organization_ids(user))
        return self.none()

    def current(self, now=None):
        """On the board now: published, not yet expired, not withdrawn."""
        now = now or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now), publish_at__lte=now, withdrawn_at__isnull=True
        )


def can_manage(user, notice: "Notice") -> bool:
    """May this user edit, pin and withdraw this notice?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return notice.building_id == user.building_id
    if user.role == Role.SECRETARY:
        return notice.audience_id is not None and notice.audience_id in organization_ids(user)
    return False


def attachment_path(instance, filename):
    """Under the building, behind a random name: nobody guesses another notice's file."""
    extension = os.path.splitext(filename)[1].lower()
    return f"notices/{instance.notice.building_id}/{secrets.token_hex(12)}{extension}"


class Notice(models.Model):
    class Kind(models.TextChoices):
        NOTICE = "notice", pgettext_lazy("notice kind", "Notice")  # 通知
        NEWS = "news", pgettext_lazy("notice kind", "News")  # 动态
        RULE = "rule", pgettext_lazy("notice kind", "Rule")  # 制度

    class State(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("notice state", "Scheduled")
        CURRENT = "current", pgettext_lazy("notice state", "On the board")
        EXPIRED = "expired", pgettext_lazy("notice state", "Expired")
        WITHDRAWN = "withdrawn", pgettext_lazy("notice state", "Withdrawn")

    building = models.ForeignKey(
        "buildingparty.Building", on_delete=models.PROTECT, related_name="notices", verbose_name=_("building")
    )
    audience = models.ForeignKey(
        "buildingparty.PartyOrganization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=pgettext_lazy("notice", "audience"),
        help_text=_("Empty: the whole building."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTICE)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown: # heading, **bold**, - list, [link](https://…)."))
    pinned = models.BooleanField(_("pinned"), default=False, help_text=_("Pinned notices stay at the top."))
    publish_at = models.DateTimeField(_("published from"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("on the board until"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(pgettext_lazy("notice", "withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices_written",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-pinned", "-publish_at", "-pk"]
        indexes = [models.Index(fields=["building", "-publish_at"], name="notice_building_published")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="rule") | Q(audience__isnull=True), name="notice_rule_is_building_wide"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("publish_at")),
                name="notice_expires_after_publishing",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("notices:detail", args=[self.pk])

    @cached_property
    def body_html(self):
        return markdown.render(self.body)

    @property
    def excerpt(self) -> str:
        return markdown.excerpt(self.body)

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.withdrawn_at:
            return self.State.WITHDRAWN
        if self.publish_at > now:
            return self.State.SCHEDULED
        if self.expires_at and self.expires_at <= now:
            return self.State.EXPIRED
        return self.State.CURRENT

    @property
    def is_current(self) -> bool:
        return self.state() == self.State.CURRENT

    def get_state_display(self) -> str:
        return self.State(self.state()).label


class NoticeAttachment(models.Model):
    """A file that goes with a notice (a form to fill in, the full text of a document, a photo)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("notice"))
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("added by")
    )
    uploaded_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["notice", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("notices:attachment", args=[self.notice_id, self.pk])


class NoticeRead(models.Model):
    """A read receipt: this user opened this notice (the first time)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads", verbose_name=_("notice"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_reads", verbose_name=_("user")
    )
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        ordering = ["notice", "read_at"]
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notice_read_once")]
        indexes = [models.Index(fields=["user", "notice"], name="notice_read_by_user")]

    def __str__(self):
        return f"{self.user} · {self.notice}"
