"""党员亮相 (DOMAIN.md §9): members show they are members, on a board in the building's lobby.

The register already says who shows their membership at work (``Member.shows_membership``) and at which model
post (``Member.showcase_post``, e.g. a 党员示范岗). A ``ShowcaseProfile`` adds what the board shows besides the
name, enterprise and post: a photo and a short pledge (承诺), and the member's consent to be shown. The consent is
what allows showing (个人信息保护法 art. 13–15): a member is on the board only while her consent is given and
not withdrawn, she shows her membership, and she is in normal standing and still here (``on_board_q``).

She gives her consent herself on her phone, or her secretary records that she consented on paper (who and how).
She may withdraw it at any time; the board drops her card at once. The photo is a private file, served only
through a view that checks who asks (``ShowcaseProfileQuerySet.photos_for``).
"""

import os
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buildingparty.models import Role
from buildingparty.scope import by_organization
from members.models import active_q

MAX_PLEDGE = 120


def on_board_q(prefix: str = "") -> Q:
    """On the board, as a Q on ``ShowcaseProfile`` (``prefix`` e.g. ``"showcase_profile__"`` from a member):
    consent given and not withdrawn, showing membership, normal standing and still here."""
    return Q(
        active_q(f"{prefix}member__"),
        **{
            f"{prefix}consent_given_at__isnull": False,
            f"{prefix}consent_withdrawn_at__isnull": True,
            f"{prefix}member__shows_membership": True,
        },
    )


class ShowcaseProfileQuerySet(models.QuerySet):
    def on_board(self):
        return self.filter(on_board_q())

    def in_building(self, building_id: int):
        return self.filter(member__organization__building_id=building_id)

    def photos_for(self, user):
        """Whose photo a user may open. A card on the board is public within its building by the member's
        consent: everybody of that building sees its photo, and the street reads every building. A photo off the
        board is the member's own and her officers' (her secretary, the building's admin); for everybody else it
        does not exist."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        on_board = self.on_board()
        if user.role != Role.STREET:
            on_board = on_board.in_building(user.building_id) if user.building_id else self.none()
        own = self.filter(member__user=user)
        officers = (
            by_organization(user, self, "member__organization")
            if user.role in (Role.ADMIN, Role.SECRETARY)
            else self.none()
        )
        return self.filter(
            Q(pk__in=on_board.values("pk")) | Q(pk__in=own.values("pk")) | Q(pk__in=officers.values("pk"))
        )


def photo_path(instance, filename):
    """Under the member, behind a random name: nobody guesses another member's photo."""
    extension = os.path.splitext(filename)[1].lower()
    return f"showcase/{instance.member_id}/{secrets.token_hex(12)}{extension}"


class ShowcaseProfile(models.Model):
    """One member's card on the 党员亮相 board and her consent to be shown."""

    class Method(models.TextChoices):
        ONLINE = "online", _("Given by the member online")
        PAPER = "paper", _("Given on paper, recorded by an officer")

    member = models.OneToOneField(
        "members.Member", on_delete=models.CASCADE, related_name="showcase_profile", verbose_name=_("party member")
    )
    photo = models.FileField(_("photo"), upload_to=photo_path, blank=True, max_length=200)
    pledge = models.CharField(
        _("pledge"),
        max_length=MAX_PLEDGE,
        blank=True,
        help_text=_("A sentence the member stands by, e.g. 立足岗位作表率，服务企业显担当."),
    )
    consent_given_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_method = models.CharField(_("how consent was given"), max_length=10, choices=Method.choices, blank=True)
    consent_note = models.CharField(
        _("note on the consent"),
        max_length=200,
        blank=True,
        help_text=_("For consent on paper: what the member signed and where it is kept."),
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    consent_withdrawn_at = models.DateTimeField(_("consent withdrawn at"), null=True, blank=True)
    consent_withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent withdrawn by"),
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    objects = ShowcaseProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("showcase profile")
        verbose_name_plural = _("showcase profiles")
        ordering = ["member__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_given_at__isnull=True, consent_method="")
                | Q(consent_given_at__isnull=False, consent_method__in=["online", "paper"]),
                name="showcase_consent_has_method",
            ),
            models.CheckConstraint(
                condition=~Q(consent_method="paper") | ~Q(consent_note=""),
                name="showcase_paper_consent_has_note",
            ),
            models.CheckConstraint(
                condition=Q(consent_withdrawn_at__isnull=True)
                | Q(consent_given_at__isnull=False, consent_withdrawn_at__gte=models.F("consent_given_at")),
                name="showcase_withdrawn_after_given",
            ),
        ]

    def __str__(self):
        return str(self.member)

    @property
    def has_consent(self) -> bool:
        """Consent given and not withdrawn."""
        return self.consent_given_at is not None and self.consent_withdrawn_at is None

    @property
    def is_withdrawn(self) -> bool:
        return self.consent_withdrawn_at is not None

    @property
    def is_on_board(self) -> bool:
        """The rule of ``on_board_q`` for one profile whose member is loaded."""
        member = self.member
        return self.has_consent and member.shows_membership and member.is_active_member
