"""Every write of the 党员亮相 profiles: atomic, keyword-only, recording who did it; and the check of a photo.

Forms check what a person typed; the services act and tell whoever must know. A card that leaves the board may
still hang in the lobby on paper, so its member's officers are told to print the board again.
"""

import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.notifications import notify
from buildingparty.officers import officers_of
from members.models import Member

from .models import ShowcaseProfile

# --- the photo ----------------------------------------------------------------------------------------------


# A photo is checked by activities.uploads.check_photo, the one check of every activity's photos.


# --- the profile and the consent ----------------------------------------------------------------------------


def profile_of(member: Member, *, lock: bool = False) -> ShowcaseProfile:
    """The member's profile as stored (``lock``: locked for the transaction), or a new unsaved one."""
    profiles = ShowcaseProfile.objects.select_for_update() if lock else ShowcaseProfile.objects
    profile = profiles.filter(member=member).first() or ShowcaseProfile()
    profile.member = member
    return profile


def _is_own(member: Member, by) -> bool:
    return member.user_id is not None and member.user_id == by.pk


@transaction.atomic
def profile_save(
    *,
    member: Member,
    by,
    pledge: str,
    photo=None,
    clear_photo: bool = False,
    consent: bool | None = None,
    note: str = "",
) -> ShowcaseProfile:
    """Save a member's card and, when ``consent`` is True or False, give or withdraw her consent.

    1. The profile, locked (a member and her secretary may save at the same moment).
    2. The photo: a new one (checked by the form) is stored under a random name and the old file removed;
       ``clear_photo`` removes it. The pledge, trimmed.
    3. Consent (``consent_give``, ``consent_withdraw``): given by the member herself online, or recorded by an
       officer, who says how the member consented on paper (``note``). None leaves it as it is.
    """
    profile = profile_of(member, lock=True)
    old_photo = profile.photo.name if profile.photo else ""
    if photo is not None:
        photo.name = f"photo{os.path.splitext(photo.name)[1].lower()}"
        profile.photo = photo
    elif clear_photo:
        profile.photo = ""
    profile.pledge = " ".join(pledge.split())
    profile.full_clean(exclude=["member", "photo", "consent_recorded_by", "consent_withdrawn_by"])
    profile.save()
    if old_photo and old_photo != profile.photo.name:
        name = old_photo
        transaction.on_commit(lambda: profile.photo.storage.delete(name))
    if consent is True and not profile.has_consent:
        consent_give(profile=profile, by=by, note=note)
    elif consent is False and profile.has_consent:
        consent_withdraw(profile=profile, by=by)
    return profile


@transaction.atomic
def consent_give(*, profile: ShowcaseProfile, by, note: str = "") -> ShowcaseProfile:
    """Record the member's consent to be shown: given by herself online, or on paper and recorded by an officer
    (then ``note`` says how, and the member is told it was recorded, so she can withdraw it if it is not
    hers)."""
    member = profile.member
    own = _is_own(member, by)
    note = " ".join(note.split())
    if not own and not note:
        raise ValidationError(
            {"consent_note": _("Say how the member consented, e.g. a signed consent form kept by the branch.")}
        )
    now = timezone.now()
    profile.consent_given_at = now
    profile.consent_method = ShowcaseProfile.Method.ONLINE if own else ShowcaseProfile.Method.PAPER
    profile.consent_note = "" if own else note[:200]
    profile.consent_recorded_by = by
    profile.consent_withdrawn_at = None
    profile.consent_withdrawn_by = None
    profile.save(
        update_fields=[
            "consent_given_at",
            "consent_method",
            "consent_note",
            "consent_recorded_by",
            "consent_withdrawn_at",
            "consent_withdrawn_by",
            "updated_at",
        ]
    )
    if not own and member.user_id:
        notify(
            users=[member.user],
            event="showcase_consent_recorded",
            context={"by": by.display_name, "note": profile.consent_note},
            url=reverse("showcase:mine"),
            dedupe_key=f"showcase:consent:{profile.pk}:{now.isoformat()}",
        )
    return profile


@transaction.atomic
def consent_withdraw(*, profile: ShowcaseProfile, by) -> ShowcaseProfile:
    """Withdraw the member's consent: her card leaves the board at once.

    Whoever withdrew it (the member, or an officer on her word), her officers are told when the card was on the
    board, to take it off the printed board in the lobby; when an officer withdrew it, the member is told too.
    """
    if not profile.has_consent:
        return profile
    member = profile.member
    was_on_board = profile.is_on_board
    now = timezone.now()
    profile.consent_withdrawn_at = now
    profile.consent_withdrawn_by = by
    profile.save(update_fields=["consent_withdrawn_at", "consent_withdrawn_by", "updated_at"])
    occasion = f"{profile.pk}:{now.isoformat()}"
    if was_on_board:
        notify(
            users=[u for u in officers_of(member.organization_id) if u.pk != by.pk],
            event="showcase_withdrawn",
            context={"member": member.name, "organization": member.organization.name},
            url=reverse("showcase:branch", args=[member.organization.branch_pk]),
            dedupe_key=f"showcase:withdrawn:{occasion}",
        )
    if not _is_own(member, by) and member.user_id:
        notify(
            users=[member.user],
            event="showcase_withdrawn_member",
            context={"by": by.display_name},
            url=reverse("showcase:mine"),
            dedupe_key=f"showcase:withdrawn-member:{occasion}",
        )
    return profile


@transaction.atomic
def withdraw(*, member: Member, by) -> bool:
    """The member's consent withdrawn (by herself, or by an officer on her word); False when there was none."""
    profile = profile_of(member, lock=True)
    if not profile.pk or not profile.has_consent:
        return False
    consent_withdraw(profile=profile, by=by)
    return True
