"""Meetings: the list, planning and editing, the detail, minutes, cancelling, attendance, leave, photos, a member's
own meetings and the printable 会议记录.

Each view: check the role (403), fetch through ``Meeting.objects.for_user`` (404 out of scope), check the write
permission (``can_manage``: an admin or secretary whose reach holds the meeting's organisation, else 403), then call
``services``. Street viewers read and change nothing; members see the meetings they are expected at.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.uploads import PhotoForm
from buildingparty import data_cache
from buildingparty.forms import add_service_errors
from buildingparty.models import Role
from buildingparty.scope import in_reach, role_required
from buildingparty.uploads import photo_content_type, private_file_response
from members.models import Member

from .. import selectors, services
from ..forms import (
    AttendanceForm,
    CancelForm,
    HoldForm,
    LeaveDecisionForm,
    LeaveRequestForm,
    MeetingFilterForm,
    MeetingForm,
)
from ..models import Attendance, AttendanceChange, Meeting, MeetingPhoto

PAGE_SIZE = 25
UPCOMING_SHOWN = 20
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)
MANAGERS = (Role.ADMIN, Role.SECRETARY)


def can_manage(user, meeting: Meeting) -> bool:
    """Plan, change, record and decide on this meeting: an admin or secretary reaching its organisation."""
    return user.role in MANAGERS and in_reach(user, meeting.organization_id)


def _meeting(request, pk) -> Meeting:
    return get_object_or_404(
        Meeting.objects.for_user(request.user).select_related(
            "organization", "organization__building", "room_booking__room"
        ),
        pk=pk,
    )


def _managed_meeting(request, pk) -> Meeting:
    meeting = _meeting(request, pk)
    if not can_manage(request.user, meeting):
        raise PermissionDenied
    return meeting


def _show_errors(request, form, error: ValidationError) -> None:
    if form is None or not add_service_errors(form, error):
        messages.error(request, " ".join(error.messages))


def _own_member(request) -> Member:
    """The member record of the signed-in account; without one, a member's pages are not for them (403)."""
    member = Member.objects.filter(user=request.user).first()
    if member is None:
        raise PermissionDenied
    return member


# --- the list -----------------------------------------------------------------------------------------------


@require_GET
@role_required(*READERS)
def meeting_list(request):
    """The meetings in reach, newest first, with attendance counted in SQL: the same queries for any page.

    The content is kept whole, as HTML, under the viewer's scope (all ``for_user``, the filter's choices and the
    buttons look at for these three roles), the query, the language and the day, until a table it was read from
    changes (``data_cache.page``)."""
    body = data_cache.page(
        request, "meetings:list", "meetings/_list_body.html", lambda: _meeting_list(request), by="scope"
    )
    return render(request, "meetings/list.html", {"body": body})


def _meeting_list(request) -> dict:
    user = request.user
    scoped = Meeting.objects.for_user(user)
    form = MeetingFilterForm(request.GET or None, user=user, years=selectors.meeting_years(scoped))
    meetings = (
        form.filter(scoped).select_related("organization", "organization__building").order_by("-starts_at", "-pk")
    )
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _list_rows(selectors.mark_quorum(selectors.add_counts(page.object_list)))
    return {
        "form": form,
        "page": page,
        "can_plan": user.role in MANAGERS,
        "show_building": user.role == Role.STREET,
    }


def _list_rows(meetings: list[Meeting]) -> list[Meeting]:
    """Each row's link, kind, start and badges worked out once: the list draws every row twice (phone cards and the
    desktop table), and the badges are the same few snippets, rendered once per distinct state."""
    kinds = dict(Meeting.Kind.choices)
    badges = {}

    def badge(template, meeting, key):
        if (template, key) not in badges:
            badges[template, key] = render_to_string(template, {"meeting": meeting})
        return badges[template, key]

    for meeting in meetings:
        meeting.url = meeting.get_absolute_url()
        meeting.kind_label = kinds.get(meeting.kind, meeting.kind)
        meeting.when = date_format(timezone.localtime(meeting.starts_at), "Y-m-d H:i")
        meeting.status_badge = badge("meetings/_status.html", meeting, meeting.status)
        meeting.quorum_badge = badge(
            "meetings/_quorum_badge.html", meeting, (meeting.kind, meeting.status, meeting.has_quorum)
        )
    return meetings


@require_GET
def my_meetings(request):
    """A member's meetings: those ahead (with the leave button) and those past, with her attendance.

    The content is kept, as HTML, under the account (``data_cache.page``) until a table it was read from changes,
    and for a minute at most: a meeting moves from "coming up" to "past" as it starts. The member record is read
    inside, so that a record linked or unlinked shows at once (403 without one, never kept)."""
    body = data_cache.page(
        request, "meetings:mine", "meetings/_mine_body.html", lambda: _my_meetings(request), by="user", timeout=60
    )
    return render(request, "meetings/mine.html", {"body": body})


def _my_meetings(request) -> dict:
    member = _own_member(request)
    upcoming = list(selectors.upcoming_for(member)[:UPCOMING_SHOWN])
    past = Paginator(selectors.past_for(member), PAGE_SIZE).get_page(request.GET.get("page"))
    return {"member": member, "upcoming": upcoming, "page": past}


# --- planning and editing -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def meeting_create(request):
    # the compliance page and the secretary's panel link here with the organisation and kind still missing
    initial = {key: request.GET[key] for key in ("organization", "kind") if request.GET.get(key)}
    form = MeetingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.service_kwargs()
        if not in_reach(request.user, values["organization"].pk):
            raise PermissionDenied
        try:
            meeting = services.meeting_plan(by=request.user, **values)
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            count = meeting.attendances.count()
            messages.success(
                request,
                ngettext(
                    "The meeting is planned; %(count)d member is expected.",
                    "The meeting is planned; %(count)d members are expected.",
                    count,
                )
                % {"count": count},
            )
            return redirect(meeting)
    return render(request, "meetings/form.html", {"form": form, "meeting": None})


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def meeting_edit(request, pk):
    meeting = _managed_meeting(request, pk)
    if not meeting.is_planned:
        messages.error(request, _("Only a planned meeting can be changed."))
        return redirect(meeting)
    form = MeetingForm(request.POST or None, user=request.user, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_update(meeting=meeting, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect(meeting)
    return render(request, "meetings/form.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def meeting_hold(request, pk):
    """Record the meeting as held, with its minutes; on a held meeting, correct the minutes."""
    meeting = _managed_meeting(request, pk)
    if meeting.status == Meeting.Status.CANCELLED:
        messages.error(request, _("A cancelled meeting cannot be recorded as held."))
        return redirect(meeting)
    if meeting.starts_at > timezone.now():
        messages.error(request, _("The meeting has not started yet: record it as held once it has taken place."))
        return redirect(meeting)
    form = HoldForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        was_held = meeting.is_held
        try:
            meeting = services.meeting_hold(meeting=meeting, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(
                request, _("The minutes are saved.") if was_held else _("The meeting is recorded as held.")
            )
            return redirect(meeting)
    return render(request, "meetings/hold.html", {"form": form, "meeting": meeting})


@require_POST
@role_required(*MANAGERS)
def meeting_cancel(request, pk):
    meeting = _managed_meeting(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the meeting is cancelled."))
        return redirect(meeting)
    try:
        services.meeting_cancel(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _show_errors(request, None, error)
    else:
        messages.success(request, _("The meeting is cancelled; the members expected at it are told."))
    return redirect(meeting)


# --- the detail and the printable record --------------------------------------------------------------------


def _quorum(meeting: Meeting) -> dict | None:
    """A branch general meeting's quorum (more than half of the members with a vote present)."""
    if meeting.kind != Meeting.Kind.GENERAL_MEETING:
        return None
    return selectors.quorum_counts(meeting)


@require_GET
def meeting_detail(request, pk):
    user = request.user
    meeting = _meeting(request, pk)
    attendances = selectors.participants(meeting)
    own = next((a for a in attendances if a.member.user_id == user.pk), None)
    manage = can_manage(user, meeting)
    started = meeting.starts_at <= timezone.now()
    is_officer = user.role in READERS
    context = {
        "meeting": meeting,
        "attendances": attendances,
        "summary": selectors.attendance_summary(attendances),
        "quorum": _quorum(meeting),
        "own": own,
        "can_ask_leave": own is not None and not own.leave and meeting.is_planned and not started,
        "can_manage": manage,
        "is_officer": is_officer,
        "can_take_attendance": manage and started and meeting.status != Meeting.Status.CANCELLED,
        "photos": list(meeting.photos.all()),
        "leave_requests": [a for a in attendances if a.leave == Attendance.Leave.REQUESTED] if manage else [],
        "changes": list(
            AttendanceChange.objects.filter(attendance__meeting=meeting).select_related(
                "attendance__member", "changed_by"
            )
        )
        if is_officer
        else [],
        "photo_form": PhotoForm() if manage and meeting.status != Meeting.Status.CANCELLED else None,
        "cancel_form": CancelForm() if manage and meeting.is_planned else None,
        "started": started,
    }
    return render(request, "meetings/detail.html", context)


@require_GET
@role_required(*READERS)
def meeting_record(request, pk):
    """The 会议记录 on one A4 page: no ID numbers on it, so printing it is not audited."""
    meeting = _meeting(request, pk)
    attendances = selectors.participants(meeting)
    return render(
        request,
        "meetings/record.html",
        {
            "meeting": meeting,
            "summary": selectors.attendance_summary(attendances),
            "quorum": _quorum(meeting),
        },
    )


# --- attendance ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def attendance_record(request, pk):
    """One row per expected participant: present, absent or on leave; corrections keep what was there before."""
    meeting = _managed_meeting(request, pk)
    if meeting.status == Meeting.Status.CANCELLED:
        messages.error(request, _("A cancelled meeting takes no attendance."))
        return redirect(meeting)
    if meeting.starts_at > timezone.now():
        messages.error(request, _("Attendance can be recorded once the meeting has begun."))
        return redirect(meeting)
    attendances = selectors.participants(meeting)
    form = AttendanceForm(request.POST or None, attendances=attendances)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.attendance_record(
                meeting=meeting, by=request.user, rows=form.rows_data(), note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Attendance saved: %(count)d row changed.", "Attendance saved: %(count)d rows changed.", changed
                )
                % {"count": changed},
            )
            return redirect(meeting)
    return render(request, "meetings/attendance.html", {"form": form, "meeting": meeting})


# --- leave --------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def leave_request(request, pk):
    """A member asks for leave from a planned meeting she is expected at, before it starts."""
    meeting = _meeting(request, pk)
    attendance = meeting.attendances.filter(member__user=request.user).select_related("member").first()
    if attendance is None:
        raise PermissionDenied  # an officer who sees the meeting but is not expected at it
    form = LeaveRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.leave_request(attendance=attendance, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(request, _("Your request for leave is sent to your secretary."))
            return redirect("meetings:mine")
    closed = None
    if attendance.leave:
        closed = _("Leave from this meeting has already been asked for.")
    elif not meeting.is_planned:
        closed = _("The meeting is no longer planned: leave cannot be asked for.")
    elif meeting.starts_at <= timezone.now():
        closed = _("The meeting has already begun: leave can no longer be asked for.")
    return render(
        request,
        "meetings/leave_form.html",
        {"form": form, "meeting": meeting, "attendance": attendance, "closed": closed},
    )


@require_POST
@role_required(*MANAGERS)
def leave_decide(request, pk):
    """The secretary approves or refuses a request for leave (refusing needs a note for the member)."""
    attendance = get_object_or_404(
        Attendance.objects.filter(meeting__in=Meeting.objects.for_user(request.user).values("pk")).select_related(
            "meeting", "member"
        ),
        pk=pk,
    )
    meeting = attendance.meeting
    if not can_manage(request.user, meeting):
        raise PermissionDenied
    form = LeaveDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or refuse."))
        return redirect(meeting)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.leave_decide(attendance=attendance, approve=approve, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        _show_errors(request, None, error)
    else:
        name = attendance.member.name
        if approve:
            messages.success(request, _("Leave approved for %(name)s; they are told.") % {"name": name})
        else:
            messages.success(request, _("Leave refused for %(name)s; they are told why.") % {"name": name})
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#leave")


# --- photos -------------------------------------------------------------------------------------------------


@require_POST
@role_required(*MANAGERS)
def photo_upload(request, pk):
    meeting = _managed_meeting(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
        return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#photos")
    try:
        for image in form.cleaned_data["photos"]:
            services.photo_add(meeting=meeting, image=image, by=request.user, caption=form.cleaned_data["caption"])
    except ValidationError as error:
        _show_errors(request, None, error)
    else:
        count = len(form.cleaned_data["photos"])
        messages.success(
            request, ngettext("%(count)d photo added.", "%(count)d photos added.", count) % {"count": count}
        )
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#photos")


@require_GET
def photo_file(request, pk):
    """A meeting's photo, only to those who can see the meeting; files are never served from /media."""
    photo = get_object_or_404(
        MeetingPhoto.objects.filter(meeting__in=Meeting.objects.for_user(request.user).values("pk")), pk=pk
    )
    return private_file_response(photo.image, content_type=photo_content_type(photo.image.name), cache_seconds=3600)
