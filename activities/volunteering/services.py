"""Every write of volunteering: atomic, keyword-only, each recording who did it.

An activity moves draft → published → done, or to cancelled. Every change of who holds a seat happens under the
activity's row lock (``_lock``), so two members pressing 报名 for the last place at the same moment get one seat
and one place on the waiting list, and a withdrawal moves exactly the first waiting member up. Rules a form cannot
see (the activity's state, the clock, the room's other bookings) are checked here, with messages keyed by the form
field they belong to.
"""

import datetime
import os
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.rooms.models import Room
from activities.rooms.services import booking_cancel, booking_create
from buildingparty.models import Building, PartyOrganization
from buildingparty.notifications import notify
from members.models import Member

from . import selectors
from .models import Activity, ActivityPhoto, Signup

Status = Activity.Status
SignupStatus = Signup.Status


def _lock(activity: Activity) -> Activity:
    """The activity's row, locked for the rest of the transaction: every change of its seats takes this lock."""
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _check_times(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The activity must end after it starts.")})


def _check_room(room: Room | None, building_id: int) -> None:
    if room is not None and room.building_id != building_id:
        raise ValidationError({"room": _("Choose one of the building's activity rooms.")})


def _book(activity: Activity, room: Room, by) -> None:
    """Book ``room`` for the activity's time; an overlap is refused with the rooms service's message, on the field."""
    try:
        booking = booking_create(
            room=room,
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
            title=activity.title,
            by=by,
            organization=activity.organizer,
            source=activity.source_key,
        )
    except ValidationError as error:
        raise ValidationError({"room": error.messages}) from error
    activity.room_booking = booking
    activity.save(update_fields=["room_booking"])


def _release(activity: Activity, by) -> None:
    booking = activity.room_booking
    if booking is not None and not booking.is_cancelled:
        booking_cancel(booking=booking, by=by)


def _place(place: str, room: Room | None) -> str:
    place = place.strip()
    if place or room is None:
        return place
    return f"{room.location}{room.name}" if room.location else room.name


@transaction.atomic
def activity_create(
    *,
    building: Building,
    title: str,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    by,
    organizer: PartyOrganization | None = None,
    place: str = "",
    room: Room | None = None,
    capacity: int | None = None,
    skills_wanted: str = "",
    description: str = "",
) -> Activity:
    """Draft an activity; with a room, book it for the activity's time (the whole draft is refused when the room is
    taken, with the booking in the way named next to the room)."""
    if organizer is not None and organizer.building_id != building.pk:
        raise ValidationError({"organizer": _("Choose one of the building's organisations.")})
    _check_times(starts_at, ends_at)
    _check_room(room, building.pk)
    activity = Activity.objects.create(
        building=building,
        organizer=organizer,
        title=title.strip(),
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=_place(place, room),
        capacity=capacity,
        skills_wanted=", ".join(Activity(skills_wanted=skills_wanted).skill_tags()),
        description=description.strip(),
        created_by=by,
    )
    if room is not None:
        _book(activity, room, by)
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    by,
    title: str,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    room: Room | None = None,
    capacity: int | None = None,
    skills_wanted: str = "",
    description: str = "",
) -> Activity:
    """Change a draft or a published activity that has not begun (its organiser stays).

    1. A new room or new times: the old booking is cancelled and the room booked anew (refused on an overlap).
    2. More places: the first waiting members move up and are told. Fewer places bump nobody already in.
    3. A published activity moved to another time or place: everybody signed up or waiting is told.
    """
    activity = _lock(activity)
    if activity.status not in (Status.DRAFT, Status.PUBLISHED):
        raise ValidationError(_("Only a draft or a published activity can be changed."), code="closed")
    if activity.is_published and activity.starts_at <= timezone.now():
        raise ValidationError(_("The activity has begun: it can no longer be changed."), code="started")
    _check_times(starts_at, ends_at)
    _check_room(room, activity.building_id)
    moved = (activity.starts_at, activity.ends_at, activity.place) != (starts_at, ends_at, _place(place, room))
    booking = activity.room_booking if activity.room_booking_id else None
    current_room = booking.room_id if booking is not None and not booking.is_cancelled else None
    rebook = (room.pk if room else None) != current_room or (
        room is not None and (booking.starts_at, booking.ends_at) != (starts_at, ends_at)
    )
    activity.title = title.strip()
    activity.kind = kind
    activity.starts_at = starts_at
    activity.ends_at = ends_at
    activity.place = _place(place, room)
    activity.capacity = capacity
    activity.skills_wanted = ", ".join(Activity(skills_wanted=skills_wanted).skill_tags())
    activity.description = description.strip()
    if rebook:
        _release(activity, by)
        activity.room_booking = None
    activity.save(
        update_fields=[
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "capacity",
            "skills_wanted",
            "description",
            "room_booking",
        ]
    )
    if rebook and room is not None:
        _book(activity, room, by)
    _fill_seats(activity)
    if moved and activity.is_published:
        when = timezone.localtime(starts_at)
        notify(
            users=_users(activity.signups.filter(status__in=(SignupStatus.SIGNED_UP, SignupStatus.WAITING))),
            event="volunteering_changed",
            context={"activity": activity},
            url=activity.get_absolute_url(),
            dedupe_key=f"volunteering.changed:{activity.pk}:{when:%Y%m%d%H%M}:{activity.place}"[:150],
        )
    return activity


def _users(signups) -> list:
    return [s.member.user for s in signups.select_related("member__user") if s.member.user_id]


@transaction.atomic
def activity_publish(*, activity: Activity, by) -> tuple[Activity, int]:
    """Open a draft for sign-up. The members whose skills match what it wants (``selectors.matching_members``)
    are told, once per activity. Returns the activity and how many were told."""
    activity = _lock(activity)
    if not activity.is_draft:
        raise ValidationError(_("Only a draft can be published."), code="not_draft")
    if activity.starts_at <= timezone.now():
        raise ValidationError(_("The activity has begun: it can no longer be published."), code="started")
    activity.status = Status.PUBLISHED
    activity.published_at = timezone.now()
    activity.save(update_fields=["status", "published_at"])
    matching = selectors.matching_members(activity).filter(user__isnull=False).select_related("user")
    told = notify(
        users=[m.user for m in matching],
        event="volunteering_suggested",
        context={"activity": activity},
        url=activity.get_absolute_url(),
        dedupe_key=f"volunteering.suggested:{activity.pk}",
    )
    return activity, len(told)


@transaction.atomic
def activity_cancel(*, activity: Activity, by, reason: str) -> Activity:
    """Cancel a draft or published activity with the reason: its room booking is cancelled, and everybody signed
    up or waiting is told."""
    activity = _lock(activity)
    reason = reason.strip()
    if activity.status not in (Status.DRAFT, Status.PUBLISHED):
        raise ValidationError(_("Only a draft or a published activity can be cancelled."), code="closed")
    if not reason:
        raise ValidationError({"reason": _("Say why the activity is cancelled.")})
    activity.status = Status.CANCELLED
    activity.cancel_reason = reason[:200]
    activity.save(update_fields=["status", "cancel_reason"])
    _release(activity, by)
    notify(
        users=_users(activity.signups.filter(status__in=(SignupStatus.SIGNED_UP, SignupStatus.WAITING))),
        event="volunteering_cancelled",
        context={"activity": activity, "reason": activity.cancel_reason},
        url=activity.get_absolute_url(),
        dedupe_key=f"volunteering.cancelled:{activity.pk}",
    )
    return activity


# --- signing up and withdrawing -----------------------------------------------------------------------------


def _check_open(activity: Activity, now: datetime.datetime) -> None:
    if activity.status == Status.CANCELLED:
        raise ValidationError(_("This activity is cancelled."), code="cancelled")
    if not activity.is_published:
        raise ValidationError(_("This activity is not open for sign-up."), code="not_open")
    if activity.starts_at <= now:
        raise ValidationError(_("The activity has begun: sign-up is closed."), code="started")


@transaction.atomic
def signup_create(*, activity: Activity, member: Member, by) -> Signup:
    """A member signs up for a published activity that has not begun.

    1. Lock the activity: whoever comes second sees the first's seat.
    2. Refused for another building's member, a member not in normal standing or away, and a member already on it.
    3. A free place (or no limit): signed up. Full: on the waiting list, last.
    A member who withdrew before signs up again on the same row.
    """
    activity = _lock(activity)
    now = timezone.now()
    _check_open(activity, now)
    member = Member.objects.select_related("organization").get(pk=member.pk)
    if member.organization.building_id != activity.building_id:
        raise ValidationError(_("This activity is for the members of another building."), code="building")
    if member.status != Member.Status.NORMAL or member.whereabouts != Member.Whereabouts.HERE:
        raise ValidationError(
            _("Only members in normal standing who are here can sign up for activities."), code="standing"
        )
    signup = Signup.objects.filter(activity=activity, member=member).first()
    if signup is not None and signup.status != SignupStatus.WITHDRAWN:
        raise ValidationError(_("Already signed up for this activity."), code="already")
    seats = activity.signups.filter(status=SignupStatus.SIGNED_UP).count()
    if activity.capacity is None or seats < activity.capacity:
        status, position = SignupStatus.SIGNED_UP, None
    else:
        last = activity.signups.filter(status=SignupStatus.WAITING).order_by("-position").first()
        status, position = SignupStatus.WAITING, (last.position if last else 0) + 1
    if signup is None:
        return Signup.objects.create(
            activity=activity, member=member, status=status, position=position, signed_up_at=now
        )
    signup.status, signup.position, signup.signed_up_at = status, position, now
    signup.withdrawn_at = signup.promoted_at = None
    signup.save(update_fields=["status", "position", "signed_up_at", "withdrawn_at", "promoted_at"])
    return signup


@transaction.atomic
def signup_withdraw(*, signup: Signup, by) -> Signup:
    """A member withdraws before the activity begins. A seat set free goes to the first waiting member, who is
    told; the waiting list closes up behind whoever left it."""
    activity = _lock(signup.activity)
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    if signup.status not in (SignupStatus.SIGNED_UP, SignupStatus.WAITING):
        raise ValidationError(_("Not signed up for this activity."), code="not_signed_up")
    _check_open(activity, timezone.now())
    signup.status = SignupStatus.WITHDRAWN
    signup.position = None
    signup.withdrawn_at = timezone.now()
    signup.save(update_fields=["status", "position", "withdrawn_at"])
    _fill_seats(activity)
    return signup


def _fill_seats(activity: Activity) -> list[Signup]:
    """Under the activity's lock: move the first waiting members up into the free places, tell each, and number
    the rest of the waiting list 1, 2, … again. Returns those moved up."""
    waiting = list(activity.signups.select_for_update().filter(status=SignupStatus.WAITING).order_by("position", "pk"))
    if not waiting:
        return []
    if activity.capacity is None:
        free = len(waiting)
    else:
        free = max(activity.capacity - activity.signups.filter(status=SignupStatus.SIGNED_UP).count(), 0)
    now = timezone.now()
    promoted, rest = waiting[:free], waiting[free:]
    for signup in promoted:
        signup.status, signup.position, signup.promoted_at = SignupStatus.SIGNED_UP, None, now
    for number, signup in enumerate(rest, start=1):
        signup.position = number
    Signup.objects.bulk_update(waiting, ["status", "position", "promoted_at"])
    if promoted and activity.is_published:
        people = Member.objects.filter(pk__in=[s.member_id for s in promoted], user__isnull=False).select_related(
            "user"
        )
        users = {m.pk: m.user for m in people}
        for signup in promoted:
            if signup.member_id in users:
                notify(
                    users=[users[signup.member_id]],
                    event="volunteering_promoted",
                    context={"activity": activity},
                    url=activity.get_absolute_url(),
                    dedupe_key=f"volunteering.promoted:{signup.pk}:{now:%Y%m%d%H%M%S%f}",
                )
    return promoted


# --- after the event ----------------------------------------------------------------------------------------

RECORDABLE = (SignupStatus.ATTENDED, SignupStatus.NO_SHOW)


@transaction.atomic
def activity_record(
    *, activity: Activity, by, rows: dict[int, tuple[str, Decimal | None]], summary: str
) -> tuple[Activity, int]:
    """Record a published activity that has begun as done: who took part (with the hours each served; by default
    the activity's length) and who did not come, and its summary. On a done activity, corrects them. Returns the
    activity and how many volunteers' rows changed.

    1. ``rows`` maps a Signup pk (of a volunteer who held a seat) to (attended or no_show, hours).
    2. A volunteer who checked in by QR and is kept as attended stays "by QR"; any other change is the organiser's.
    3. The attended volunteers of a done activity earn the points rule ``volunteering`` (``sources``).
    """
    activity = _lock(activity)
    if activity.status not in (Status.PUBLISHED, Status.DONE):
        raise ValidationError(_("Only a published activity can be recorded as done."), code="not_published")
    if activity.starts_at > timezone.now():
        raise ValidationError(_("The activity has not begun yet: record it once it has taken place."), code="early")
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": _("Write a short summary: what was done, and for whom.")})
    now = timezone.now()
    changed = []
    for signup in Signup.objects.select_for_update().filter(
        activity=activity, pk__in=list(rows), status__in=Signup.SEATED
    ):
        status, hours = rows[signup.pk]
        if status not in RECORDABLE:
            continue
        hours = (hours if hours is not None else signup.hours or activity.hours) if status == "attended" else None
        if (signup.status, signup.hours) == (status, hours):
            continue
        if signup.status != status:
            signup.method = Signup.Method.ORGANISER
        signup.status, signup.hours = status, hours
        signup.recorded_by, signup.recorded_at = by, now
        changed.append(signup)
    Signup.objects.bulk_update(changed, ["status", "hours", "method", "recorded_by", "recorded_at"])
    activity.summary = summary
    activity.status = Status.DONE
    activity.done_recorded_by = by
    activity.done_recorded_at = now
    activity.save(update_fields=["summary", "status", "done_recorded_by", "done_recorded_at"])
    return activity, len(changed)


@transaction.atomic
def photo_add(*, activity: Activity, image, by, caption: str = "") -> ActivityPhoto:
    """Keep a photo of an activity (checked by the form: an image of an allowed type and size), stored under a
    random name so nobody guesses another activity's file."""
    if activity.status not in (Status.PUBLISHED, Status.DONE):
        raise ValidationError(_("Photos are kept for published and done activities."), code="closed")
    image.name = f"{uuid.uuid4().hex}{os.path.splitext(image.name)[1].lower()}"
    return ActivityPhoto.objects.create(activity=activity, image=image, caption=caption.strip()[:200], uploaded_by=by)
