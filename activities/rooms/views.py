"""The activity rooms: the building's rooms (the admin keeps them), the week calendar of one room, the bookings,
booking a slot and cancelling it.

Who: admins and secretaries book and see every booking of their building; an admin adds and changes rooms and
cancels any plain booking, a secretary the ones she made; street viewers read every building's rooms and calendars.
Members, liaisons and enterprise contacts have no room pages (403): a member's meetings show their place. Each
view checks the role (403), fetches through ``for_user`` (another building's room or booking: 404), checks the
write permission (403), then calls ``services``.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buildingparty import data_cache
from buildingparty.forms import add_service_errors
from buildingparty.models import Role
from buildingparty.redirects import safe_next
from buildingparty.scope import role_required

from . import selectors, services
from .forms import BookingFilterForm, BookingForm, RoomForm, WeekForm, rooms_for
from .models import CLOSES_AT, OPENS_AT, Room, RoomBooking

PAGE_SIZE = 25
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)
BOOKERS = (Role.ADMIN, Role.SECRETARY)


def can_cancel(user, booking: RoomBooking) -> bool:
    """A plain booking (not a meeting's or an activity's: those follow their record) that is still active, by its
    booker or an admin of the building."""
    if booking.is_cancelled or booking.source or user.role not in BOOKERS:
        return False
    return user.role == Role.ADMIN or booking.booked_by_id == user.pk


def week_url(room: Room, monday: datetime.date) -> str:
    return f"{reverse('rooms:week')}?{urlencode({'room': room.pk, 'week': selectors.week_label(monday)})}"


# --- the rooms ----------------------------------------------------------------------------------------------


@require_GET
@role_required(*READERS)
def room_list(request):
    rooms = rooms_for(request.user)
    return render(
        request,
        "rooms/list.html",
        {
            "rooms": rooms,
            "can_manage": request.user.role == Role.ADMIN,
            "can_book": request.user.role in BOOKERS,
            "show_building": request.user.role == Role.STREET,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def room_create(request):
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            room = services.room_create(building=request.user.building, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The room %(name)s is added.") % {"name": room.name})
            return redirect("rooms:list")
    return render(request, "rooms/room_form.html", {"form": form, "room": None})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def room_edit(request, pk):
    room = get_object_or_404(Room.objects.for_user(request.user), pk=pk)
    form = RoomForm(request.POST or None, room=room)
    if request.method == "POST" and form.is_valid():
        try:
            room = services.room_update(room=room, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The room is saved."))
            ahead = room.bookings.active().filter(ends_at__gt=timezone.now()).count() if not room.is_active else 0
            if ahead:
                messages.warning(
                    request,
                    ngettext(
                        "The room is out of use; %(count)d booking ahead stays until it is cancelled.",
                        "The room is out of use; %(count)d bookings ahead stay until they are cancelled.",
                        ahead,
                    )
                    % {"count": ahead},
                )
            return redirect("rooms:list")
    return render(request, "rooms/room_form.html", {"form": form, "room": room})


# --- the week calendar --------------------------------------------------------------------------------------


@require_GET
@role_required(*READERS)
def week(request):
    """One room's week: seven days × the hours from OPENS_AT to CLOSES_AT on a wide screen, a day-by-day list on a
    phone. Without a room: the first room in use; without a week (or an unreadable one): this week.

    The content is kept whole, as HTML, with the room's name for the title (``data_cache.page_with``), under the
    viewer's scope (all ``for_user``, the blocks' links and the buttons look at for these three roles), the query,
    the language and the day (today's column), until a table it was read from changes: a booking made, moved or
    cancelled, a room changed. Another building's room: 404, never kept."""
    body, kept = data_cache.page_with(
        request, "rooms:week", "rooms/_week_body.html", lambda: _week(request), keep=("room_name",), by="scope"
    )
    return render(request, "rooms/week.html", {"body": body, "room_name": kept["room_name"]})


def _week(request) -> dict:
    user = request.user
    rooms = list(rooms_for(user))
    if request.GET.get("room"):
        room = next((r for r in rooms if str(r.pk) == request.GET["room"]), None)
        if room is None:
            raise Http404  # another building's room, or none at all
    else:
        room = next((r for r in rooms if r.is_active), rooms[0] if rooms else None)
    today = timezone.localdate()
    monday = selectors.parse_week(request.GET.get("week")) or selectors.monday_of(today)
    if room is None:
        return {"room": None, "room_name": None, "can_manage": user.role == Role.ADMIN}
    form = WeekForm(initial={"room": room.pk, "week": selectors.week_label(monday)}, user=user, rooms=rooms)
    days = selectors.week(room, monday, user=user, today=today)
    return {
        "room": room,
        "room_name": room.name,
        "form": form,
        "days": days,
        "hours": selectors.hours(),
        "slots": selectors.SLOTS,
        "monday": monday,
        "sunday": monday + datetime.timedelta(days=6),
        "week_label": selectors.week_label(monday),
        "previous_url": week_url(room, monday - datetime.timedelta(days=7)),
        "next_url": week_url(room, monday + datetime.timedelta(days=7)),
        "this_week_url": week_url(room, selectors.monday_of(today)),
        "is_this_week": monday == selectors.monday_of(today),
        "can_book": user.role in BOOKERS and room.is_active,
        "show_building": user.role == Role.STREET,
        "opens": f"{OPENS_AT:02d}:00",
        "closes": f"{CLOSES_AT:02d}:00",
        "today": today,
    }


# --- bookings -----------------------------------------------------------------------------------------------


@require_GET
@role_required(*READERS)
def booking_list(request):
    """The bookings of the rooms in reach, from today on (or past ones), a page at a time."""
    user = request.user
    form = BookingFilterForm(request.GET or None, user=user)
    bookings = RoomBooking.objects.for_user(user).active()
    bookings = form.filter(
        bookings.select_related("room", "room__building", "organization", "booked_by"), today=timezone.localdate()
    )
    page = Paginator(bookings, PAGE_SIZE).get_page(request.GET.get("page"))
    for booking in page:
        booking.can_cancel = can_cancel(user, booking)
        booking.source_url = selectors.source_url(booking, user)
    return render(
        request,
        "rooms/bookings.html",
        {
            "form": form,
            "page": page,
            "can_book": user.role in BOOKERS,
            "show_building": user.role == Role.STREET,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*BOOKERS)
def booking_create(request):
    """Book a room; ``?room=&day=`` (from the calendar) fill in the room and the day. An overlap is refused with
    the booking in the way named under the time."""
    user = request.user
    initial = {"day": timezone.localdate()}
    if request.GET.get("room"):
        initial["room"] = get_object_or_404(Room.objects.for_user(user), pk=request.GET["room"]).pk
    if request.GET.get("day"):
        try:
            initial["day"] = datetime.date.fromisoformat(request.GET["day"])
        except ValueError:
            pass
    form = BookingForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_create(by=user, **form.service_kwargs())
        except ValidationError as error:
            if not add_service_errors(form, error):
                form.add_error("starts_at", error)
        else:
            start = timezone.localtime(booking.starts_at)
            messages.success(
                request,
                _("%(room)s is booked on %(day)s from %(start)s to %(end)s.")
                % {
                    "room": booking.room.name,
                    "day": f"{start:%Y-%m-%d}",
                    "start": f"{start:%H:%M}",
                    "end": f"{timezone.localtime(booking.ends_at):%H:%M}",
                },
            )
            return redirect(week_url(booking.room, selectors.monday_of(start.date())))
    return render(request, "rooms/booking_form.html", {"form": form})


@require_POST
@role_required(*BOOKERS)
def booking_cancel(request, pk):
    """Cancel a plain booking (its booker, or an admin); the slot is free again. Back where the button was."""
    booking = get_object_or_404(RoomBooking.objects.for_user(request.user).select_related("room"), pk=pk)
    if booking.source and not booking.is_cancelled:
        messages.error(request, _("This booking belongs to a meeting or an activity: change or cancel that instead."))
    elif booking.is_cancelled:
        messages.info(request, _("This booking was already cancelled."))
    elif not can_cancel(request.user, booking):
        raise PermissionDenied
    else:
        services.booking_cancel(booking=booking, by=request.user)
        messages.success(request, _("The booking “%(title)s” is cancelled.") % {"title": booking.title})
    default = week_url(booking.room, selectors.monday_of(timezone.localtime(booking.starts_at).date()))
    return redirect(safe_next(request, default))
