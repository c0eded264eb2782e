"""Every write of organisational life: atomic, keyword-only, each recording who did it.

A meeting moves planned → held (minutes) or planned → cancelled (a reason). Members ask for leave before it starts
and the secretary decides; the secretary records attendance, and a recorded status that changes later leaves an
``AttendanceChange`` behind. Rules a form cannot see (the meeting's state, the clock) are checked here, with
messages keyed by the form field they belong to.
"""

import datetime
import os
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.rooms import services as rooms
from activities.rooms.models import Room
from buildingparty.models import PartyOrganization
from buildingparty.notifications import notify
from buildingparty.officers import officers_of
from members.models import Member

from . import selectors
from .models import Attendance, AttendanceChange, Meeting, MeetingPhoto

Kind = Meeting.Kind
OrgKind = PartyOrganization.Kind
# Who holds which meeting (支部工作条例): a 党小组会 is a party group's; a 支委会 and a 支部党员大会 a branch's (or the
# general branch's). The other kinds may be held at any level.
HELD_BY = {
    Kind.GROUP: {OrgKind.GROUP},
    Kind.COMMITTEE: {OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.GENERAL_BRANCH},
    Kind.GENERAL_MEETING: {OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.GENERAL_BRANCH},
}


def check_kind_fits(*, kind: str, organization: PartyOrganization) -> None:
    """Raise a ValidationError on ``organization`` when this organisation does not hold this kind of meeting."""
    allowed = HELD_BY.get(kind)
    if allowed is None or organization.kind in allowed:
        return
    if kind == Kind.GROUP:
        message = _("A party group meeting is held by a party group: choose one of the groups.")
    elif kind == Kind.COMMITTEE:
        message = _("A branch committee meeting is held by a branch or the general branch, not by a party group.")
    else:
        message = _("A branch general meeting is held by a branch or the general branch, not by a party group.")
    raise ValidationError({"organization": message})


def _study_hours(kind: str, study_hours: Decimal | None) -> Decimal:
    if kind not in Meeting.STUDY_KINDS:
        return Decimal(0)
    if study_hours is None:
        return Decimal(Meeting.DEFAULT_STUDY_HOURS.get(kind, 0))
    return study_hours


def _check_times(starts_at: datetime.datetime, ends_at: datetime.datetime | None) -> None:
    if ends_at is not None and ends_at < starts_at:
        raise ValidationError({"ends_at": _("The meeting cannot end before it starts.")})


# --- the activity room (activities.rooms) -------------------------------------------------------------------

ROOM_HOURS_WITHOUT_END = 2  # a meeting planned without an end books the room for two hours
KEEP_ROOM = object()  # meeting_update's default: the room stays as it is (its booking follows the new time)


def room_slot(starts_at: datetime.datetime, ends_at: datetime.datetime | None):
    """The slot a meeting books: its own times, or two hours from its start when it has no end."""
    if ends_at is None or ends_at <= starts_at:
        ends_at = starts_at + datetime.timedelta(hours=ROOM_HOURS_WITHOUT_END)
    return starts_at, ends_at


def _sync_room(meeting: Meeting, room: Room | None, *, by) -> None:
    """Make the meeting's booking match its room and time: book the room chosen, move the booking when the time
    changed, cancel it when the room is dropped (or changed). An overlap is the rooms service's message on the
    ``room`` field; the caller's transaction leaves nothing saved."""
    if room is not None and room.building_id != meeting.organization.building_id:
        raise ValidationError({"room": _("Choose one of the building's own rooms.")})
    current = meeting.room_booking if meeting.room_booking_id else None
    if current is not None and current.is_cancelled:
        current = None
    starts_at, ends_at = room_slot(meeting.starts_at, meeting.ends_at)
    try:
        if current is not None and room is not None and current.room_id == room.pk:
            rooms.booking_update(
                booking=current,
                starts_at=starts_at,
                ends_at=ends_at,
                title=str(meeting),
                organization=meeting.organization,
                by=by,
            )
            return
        if current is not None:
            rooms.booking_cancel(booking=current, by=by)
        booking = None
        if room is not None:
            booking = rooms.booking_create(
                room=room,
                starts_at=starts_at,
                ends_at=ends_at,
                title=str(meeting),
                organization=meeting.organization,
                source=f"meetings.meeting:{meeting.pk}",
                by=by,
            )
    except ValidationError as error:
        raise ValidationError({"room": error.messages}) from error
    if booking is not None or meeting.room_booking_id is not None:
        meeting.room_booking = booking
        meeting.save(update_fields=["room_booking"])


@transaction.atomic
def meeting_plan(
    *,
    organization: PartyOrganization,
    kind: str,
    topic: str,
    starts_at: datetime.datetime,
    by,
    ends_at: datetime.datetime | None = None,
    place: str = "",
    host: str = "",
    recorder: str = "",
    lecturer: str = "",
    lecturer_affiliation: str = "",
    study_hours: Decimal | None = None,
    room: Room | None = None,
) -> Meeting:
    """Plan a meeting and fill its expected participants from the organisation's members (a 支委会: its committee
    members, see ``selectors.participants_for``): full members vote, probationary members attend without a vote,
    mobile members are marked. A meeting already held may be planned after the fact (then recorded as held).
    With a ``room``, the room is booked for the meeting (``room_slot``) and the place is the room's."""
    check_kind_fits(kind=kind, organization=organization)
    _check_times(starts_at, ends_at)
    study_hours = _study_hours(kind, study_hours)
    if room is not None:
        place = room.place[:100]
    meeting = Meeting.objects.create(
        organization=organization,
        kind=kind,
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        host=host,
        recorder=recorder,
        lecturer=lecturer,
        lecturer_affiliation=lecturer_affiliation,
        study_hours=study_hours,
        created_by=by,
    )
    if room is not None:
        _sync_room(meeting, room, by=by)
    _sync_participants(meeting)
    return meeting


def _sync_participants(meeting: Meeting) -> None:
    """Expect whoever the meeting should expect and is not expected yet (everybody, for a new meeting); drop
    those no longer expected whose row holds nothing yet (no attendance recorded, no leave asked)."""
    expected = {
        member_id: (category, is_mobile)
        for member_id, category, is_mobile in selectors.participants_for(meeting).values_list(
            "pk", "category", "is_mobile"
        )
    }
    rows = dict(meeting.attendances.values_list("member_id", "pk"))
    stale = [pk for member_id, pk in rows.items() if member_id not in expected]
    if stale:
        meeting.attendances.filter(
            pk__in=stale, status=Attendance.Status.EXPECTED, leave=Attendance.Leave.NONE
        ).delete()
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            member_id=member_id,
            is_voting=category == Member.Category.FULL,
            is_mobile=is_mobile,
        )
        for member_id, (category, is_mobile) in expected.items()
        if member_id not in rows
    )


def _lock(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self", "organization"))
        .select_related("organization", "room_booking__room")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    by,
    kind: str,
    topic: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    place: str = "",
    host: str = "",
    recorder: str = "",
    lecturer: str = "",
    lecturer_affiliation: str = "",
    study_hours: Decimal | None = None,
    room=KEEP_ROOM,
) -> Meeting:
    """Change a planned meeting (its organisation stays). Whoever it should expect now is expected: members who
    joined since it was planned are added; those no longer expected are dropped unless their row holds something
    (a leave request, attendance), which stays on record. Its activity room: ``room`` (a Room, or None for none;
    left out, the room stays); the booking moves with the meeting's time, re-checked against the room's others."""
    meeting = _lock(meeting)
    if not meeting.is_planned:
        raise ValidationError(_("Only a planned meeting can be changed."), code="not_planned")
    check_kind_fits(kind=kind, organization=meeting.organization)
    _check_times(starts_at, ends_at)
    booking = meeting.room_booking if meeting.room_booking_id else None
    if room is KEEP_ROOM:
        room = booking.room if booking is not None and not booking.is_cancelled else None
    if room is not None:
        place = room.place[:100]
    meeting.kind = kind
    meeting.topic = topic
    meeting.starts_at = starts_at
    meeting.ends_at = ends_at
    meeting.place = place
    meeting.host = host
    meeting.recorder = recorder
    meeting.lecturer = lecturer
    meeting.lecturer_affiliation = lecturer_affiliation
    meeting.study_hours = _study_hours(kind, study_hours)
    meeting.save(
        update_fields=[
            "kind",
            "topic",
            "starts_at",
            "ends_at",
            "place",
            "host",
            "recorder",
            "lecturer",
            "lecturer_affiliation",
            "study_hours",
        ]
    )
    if room is not None or booking is not None:
        _sync_room(meeting, room, by=by)
    _sync_participants(meeting)
    return meeting


@transaction.atomic
def meeting_hold(
    *,
    meeting: Meeting,
    by,
    minutes: str,
    resolutions: str = "",
    ends_at: datetime.datetime | None = None,
    study_hours: Decimal | None = None,
) -> Meeting:
    """Record a meeting as held, with its minutes; on a meeting already held, correct its minutes. Only a
    meeting that has begun can have been held; a cancelled one cannot."""
    meeting = _lock(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be recorded as held."), code="cancelled")
    if meeting.starts_at > timezone.now():
        raise ValidationError(
            _("The meeting has not started yet: record it as held once it has taken place."), code="not_started"
        )
    minutes = minutes.strip()
    if not minutes:
        raise ValidationError({"minutes": _("Write the minutes: what was discussed and decided.")})
    _check_times(meeting.starts_at, ends_at)
    meeting.minutes = minutes
    meeting.resolutions = resolutions.strip()
    meeting.ends_at = ends_at
    meeting.study_hours = _study_hours(meeting.kind, study_hours if study_hours is not None else meeting.study_hours)
    meeting.status = Meeting.Status.HELD
    meeting.held_recorded_by = by
    meeting.held_recorded_at = timezone.now()
    meeting.save(
        update_fields=[
            "minutes",
            "resolutions",
            "ends_at",
            "study_hours",
            "status",
            "held_recorded_by",
            "held_recorded_at",
        ]
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by, reason: str) -> Meeting:
    """Cancel a planned meeting, with the reason; the members expected at it are told."""
    meeting = _lock(meeting)
    reason = reason.strip()
    if not meeting.is_planned:
        raise ValidationError(_("Only a planned meeting can be cancelled."), code="not_planned")
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason[:200]
    meeting.save(update_fields=["status", "cancel_reason"])
    if meeting.room_booking_id:
        rooms.booking_cancel(booking=meeting.room_booking, by=by)  # the room is free again
    users = [a.member.user for a in meeting.attendances.select_related("member__user") if a.member.user_id]
    notify(
        users=users,
        event="meeting_cancelled",
        context={"meeting": meeting, "reason": meeting.cancel_reason},
        url=meeting.get_absolute_url(),
        dedupe_key=f"meetings.cancelled:{meeting.pk}",
    )
    return meeting


# --- attendance ---------------------------------------------------------------------------------------------

RECORDABLE = (Attendance.Status.PRESENT, Attendance.Status.ABSENT, Attendance.Status.LEAVE)


@transaction.atomic
def attendance_record(*, meeting: Meeting, by, rows: dict[int, tuple[str, str]], note: str = "") -> int:
    """Record attendance: ``rows`` maps an Attendance pk to (status, reason for leave). Returns how many rows
    changed.

    1. Only a meeting that has begun and is not cancelled takes attendance.
    2. A status already recorded (by the secretary or by QR check-in) that changes is a correction: it is kept
       as an ``AttendanceChange`` with ``note``, which a held meeting requires.
    3. On leave needs a reason; the secretary recording it approves the leave.
    """
    meeting = _lock(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting takes no attendance."), code="cancelled")
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the meeting has begun."), code="not_started")
    note = note.strip()[:200]
    now = timezone.now()
    attendances = list(
        Attendance.objects.select_for_update().filter(meeting=meeting, pk__in=list(rows)).select_related("member")
    )
    changed, corrections = [], []
    for attendance in attendances:
        status, reason = rows[attendance.pk]
        reason = (reason or "").strip()[:200]
        if status not in RECORDABLE:
            continue
        if status == Attendance.Status.LEAVE:
            reason = reason or attendance.leave_reason
            if not reason:
                raise ValidationError(
                    _("Give the reason for leave of %(name)s.") % {"name": attendance.member.name}, code="reason"
                )
        reason_changed = status == Attendance.Status.LEAVE and (
            reason != attendance.leave_reason or attendance.leave != Attendance.Leave.APPROVED
        )
        if status == attendance.status and not reason_changed:
            continue
        if attendance.status != Attendance.Status.EXPECTED and status != attendance.status:
            corrections.append(
                AttendanceChange(
                    attendance=attendance,
                    from_status=attendance.status,
                    to_status=status,
                    note=note,
                    changed_by=by,
                    changed_at=now,
                )
            )
        if status == Attendance.Status.LEAVE:
            attendance.leave_reason = reason
            if attendance.leave != Attendance.Leave.APPROVED:
                attendance.leave = Attendance.Leave.APPROVED
                attendance.leave_decided_by = by
                attendance.leave_decided_at = now
        attendance.status = status
        attendance.method = Attendance.Method.SECRETARY
        attendance.recorded_by = by
        attendance.recorded_at = now
        changed.append(attendance)
    if corrections and meeting.is_held and not note:
        raise ValidationError({"note": _("The meeting is held: say why its attendance is corrected.")})
    Attendance.objects.bulk_update(
        changed,
        [
            "status",
            "method",
            "recorded_by",
            "recorded_at",
            "leave",
            "leave_reason",
            "leave_decided_by",
            "leave_decided_at",
        ],
    )
    for correction in corrections:
        correction.fill_actor_name()  # bulk_create skips save(), which keeps who corrected by name
    AttendanceChange.objects.bulk_create(corrections)
    return len(changed)


# --- leave --------------------------------------------------------------------------------------------------


@transaction.atomic
def leave_request(*, attendance: Attendance, reason: str, by) -> Attendance:
    """A member asks for leave from a planned meeting she is expected at, before it starts; her secretary is
    told."""
    attendance = Attendance.objects.select_for_update().select_related("meeting", "member").get(pk=attendance.pk)
    meeting = attendance.meeting
    reason = reason.strip()
    if not meeting.is_planned:
        raise ValidationError(_("The meeting is no longer planned: leave cannot be asked for."), code="not_planned")
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("The meeting has already begun: leave can no longer be asked for."), code="started")
    if attendance.leave:
        raise ValidationError(_("Leave from this meeting has already been asked for."), code="asked")
    if not reason:
        raise ValidationError({"reason": _("Say why you cannot attend.")})
    attendance.leave = Attendance.Leave.REQUESTED
    attendance.leave_reason = reason[:200]
    attendance.leave_requested_at = timezone.now()
    attendance.save(update_fields=["leave", "leave_reason", "leave_requested_at"])
    notify(
        users=officers_of(meeting.organization_id),
        event="meeting_leave_requested",
        context={"meeting": meeting, "member": attendance.member, "reason": attendance.leave_reason},
        url=meeting.get_absolute_url(),
        dedupe_key=f"meetings.leave_requested:{attendance.pk}",
    )
    return attendance


@transaction.atomic
def leave_decide(*, attendance: Attendance, approve: bool, by, note: str = "") -> Attendance:
    """The secretary approves (the member is on leave) or refuses (with a note) a request for leave; the member
    is told. A member already recorded present stays present; one recorded absent is corrected to on leave."""
    attendance = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("meeting", "member__user")
        .get(pk=attendance.pk)
    )
    note = note.strip()[:200]
    if attendance.leave != Attendance.Leave.REQUESTED:
        raise ValidationError(_("This request for leave has already been decided."), code="decided")
    if not approve and not note:
        raise ValidationError({"note": _("Tell the member why the leave is refused.")})
    now = timezone.now()
    attendance.leave = Attendance.Leave.APPROVED if approve else Attendance.Leave.REFUSED
    attendance.leave_note = note
    attendance.leave_decided_by = by
    attendance.leave_decided_at = now
    fields = ["leave", "leave_note", "leave_decided_by", "leave_decided_at"]
    if approve and attendance.status in (Attendance.Status.EXPECTED, Attendance.Status.ABSENT):
        if attendance.status == Attendance.Status.ABSENT:
            AttendanceChange.objects.create(
                attendance=attendance,
                from_status=attendance.status,
                to_status=Attendance.Status.LEAVE,
                note=_("Leave approved"),
                changed_by=by,
                changed_at=now,
            )
        attendance.status = Attendance.Status.LEAVE
        fields.append("status")
    attendance.save(update_fields=fields)
    decision = "approved" if approve else "refused"
    notify(
        users=[attendance.member.user],
        event=f"meeting_leave_{decision}",
        context={"meeting": attendance.meeting, "note": note},
        url=reverse("meetings:mine"),
        dedupe_key=f"meetings.leave:{attendance.pk}:{decision}",
    )
    return attendance


# --- photos -------------------------------------------------------------------------------------------------


@transaction.atomic
def photo_add(*, meeting: Meeting, image, by, caption: str = "") -> MeetingPhoto:
    """Keep a photo of a meeting (checked by the form: an image of an allowed type and size). Stored under a
    random name, so nobody guesses another meeting's file."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting has no photos."), code="cancelled")
    image.name = f"{uuid.uuid4().hex}{os.path.splitext(image.name)[1].lower()}"
    return MeetingPhoto.objects.create(meeting=meeting, image=image, caption=caption.strip()[:200], uploaded_by=by)
