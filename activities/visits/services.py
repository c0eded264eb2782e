"""Every write of home visits and the hardship register: atomic, keyword-only, recording who did it.

Forms check what a person typed; these check again what a form cannot see (the clock, the state of the row now)
and act. Their messages are keyed by the form field they belong to. Nothing here checks scope: the views fetch
through ``for_user`` before they call in.

The member register keeps its own flag (``Member.is_hardship``, ``hardship_note``). Opening a hardship record
sets it, closing the record clears it, each through ``_set_hardship_flag`` with ``save(update_fields=...)`` and an
entry in the member's history (``members.services.record_change``), so the two registers never disagree about
a member the hardship register knows.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.models import PartyOrganization, Role
from members.models import Member, MemberChange
from members.services import record_change

from .models import Assistance, HardshipRecord, HomeVisit


def _not_in_future(day: datetime.date | None, field: str, message: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: message})


def visit_organization(*, user, member: Member | None = None) -> PartyOrganization | None:
    """The organisation a new visit by ``user`` belongs to: a secretary's own branch; for an admin, the general
    branch (its officers follow it up), else the member's branch; None when there is none."""
    if user.role == Role.SECRETARY:
        return user.organization
    general = PartyOrganization.objects.filter(
        building_id=user.building_id, kind=PartyOrganization.Kind.GENERAL_BRANCH, parent=None
    ).first()
    if general is not None:
        return general
    return member.organization.branch if member is not None else None


# --- visits -------------------------------------------------------------------------------------------------


@transaction.atomic
def visit_save(*, visit: HomeVisit, by) -> HomeVisit:
    """Record a new visit, or save an edited one.

    1. What a form cannot see: the visit has happened (its date is not in the future); the follow-up is not
       before it; a family visit says who of the family was seen.
    2. A follow-up taken off an edited visit takes its "done" with it.
    3. Who recorded a new visit, then the row (the database checks whom it is to once more)."""
    _not_in_future(
        visit.visited_on,
        "visited_on",
        _("A visit is recorded once it has been made: the date cannot be in the future."),
    )
    if visit.follow_up_on and visit.visited_on and visit.follow_up_on < visit.visited_on:
        raise ValidationError({"follow_up_on": _("The follow-up cannot be before the visit.")})
    if visit.whom == HomeVisit.Whom.FAMILY and not visit.family_contact.strip():
        raise ValidationError({"family_contact": _("Say who of the family was visited.")})
    if visit.follow_up_on is None:
        visit.follow_up_done_at, visit.follow_up_done_by, visit.follow_up_note = None, None, ""
    if visit.pk is None:
        visit.recorded_by = by
    visit.full_clean(exclude=["recorded_by", "follow_up_done_by", "organization", "member", "enterprise"])
    visit.save()
    return visit


@transaction.atomic
def follow_up_done(*, visit: HomeVisit, by, note: str = "") -> HomeVisit:
    """Mark a visit's follow-up done, now, by ``by``, with what came of it."""
    visit = HomeVisit.objects.select_for_update().get(pk=visit.pk)
    if visit.follow_up_on is None:
        raise ValidationError(_("No follow-up is planned for this visit."), code="none")
    if visit.follow_up_done_at is not None:
        raise ValidationError(_("The follow-up of this visit is already marked done."), code="done")
    visit.follow_up_done_at, visit.follow_up_done_by, visit.follow_up_note = timezone.now(), by, note.strip()[:300]
    visit.save(update_fields=["follow_up_done_at", "follow_up_done_by", "follow_up_note", "updated_at"])
    return visit


# --- the hardship register ----------------------------------------------------------------------------------


def _set_hardship_flag(*, member_id: int, is_hardship: bool, note: str, by, reason: str) -> Member:
    """The member register's flag and details as the hardship register has them, with a history entry when they
    change."""
    member = Member.objects.select_for_update().get(pk=member_id)
    note = note[:200]
    changes = {}
    if member.is_hardship != is_hardship:
        changes["is_hardship"] = [member.is_hardship, is_hardship]
    if member.hardship_note != note:
        changes["hardship_note"] = [member.hardship_note, note]
    if not changes:
        return member
    member.is_hardship, member.hardship_note = is_hardship, note
    member.save(update_fields=["is_hardship", "hardship_note", "updated_at"])
    record_change(member=member, action=MemberChange.Action.UPDATED, changes=changes, by=by, note=reason)
    return member


@transaction.atomic
def hardship_open(*, member: Member, since: datetime.date, kind: str, description: str, by) -> HardshipRecord:
    """Put a member on the hardship register.

    1. Lock the member, so two secretaries opening at once make one record.
    2. Refuse a second current record (one current record per member: a further difficulty goes into its
       description) and a start in the future.
    3. The record, then the member register's flag and details."""
    Member.objects.select_for_update().filter(pk=member.pk).first()
    if HardshipRecord.objects.filter(member=member, status=HardshipRecord.Status.CURRENT).exists():
        raise ValidationError(
            _("%(name)s is already on the hardship register; close that record first.") % {"name": member.name},
            code="current",
        )
    _not_in_future(since, "since", _("The date the hardship began cannot be in the future."))
    record = HardshipRecord(member=member, since=since, kind=kind, description=description.strip(), opened_by=by)
    record.full_clean(exclude=["opened_by", "closed_by"])
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # another record opened at the same moment
        raise ValidationError(
            _("%(name)s is already on the hardship register; close that record first.") % {"name": member.name},
            code="current",
        ) from None
    _set_hardship_flag(
        member_id=member.pk,
        is_hardship=True,
        note=record.description,
        by=by,
        reason=_("Hardship register: record opened (%(kind)s)") % {"kind": record.get_kind_display()},
    )
    return record


@transaction.atomic
def hardship_close(*, record: HardshipRecord, resolved_on: datetime.date, resolution: str = "", by) -> HardshipRecord:
    """Close a current record as resolved; the member register no longer shows the member in hardship."""
    record = HardshipRecord.objects.select_for_update().get(pk=record.pk)
    if not record.is_current:
        raise ValidationError(_("This hardship record is already closed."), code="closed")
    _not_in_future(resolved_on, "resolved_on", _("The date it was resolved cannot be in the future."))
    if resolved_on < record.since:
        raise ValidationError({"resolved_on": _("The hardship cannot be resolved before it began.")})
    record.status, record.resolved_on, record.resolution = HardshipRecord.Status.RESOLVED, resolved_on, resolution
    record.closed_by = by
    record.save(update_fields=["status", "resolved_on", "resolution", "closed_by"])
    _set_hardship_flag(
        member_id=record.member_id,
        is_hardship=False,
        note="",
        by=by,
        reason=_("Hardship register: record closed as resolved"),
    )
    return record


@transaction.atomic
def assistance_record(*, assistance: Assistance, by) -> Assistance:
    """Record help a member received outside a visit."""
    _not_in_future(assistance.given_on, "given_on", _("Help is recorded once given: the date cannot be in the future."))
    assistance.recorded_by = by
    assistance.full_clean(exclude=["recorded_by", "member"])
    assistance.save()
    return assistance
