"""Volunteering pages: the list (报名/取消报名 on each row), one activity, drafting, changing, publishing and
cancelling it, recording it after the event, its photos, the QR check-in and a member's own 我的志愿服务.

Each view: check the role (403), fetch through ``Activity.objects.for_user`` (404 out of scope: another building's
activity, another branch's draft), check the write permission (``can_manage``: the building's admin, or a
secretary whose reach holds the organiser; else 403), then call ``services``. Signing up needs the signed-in
account's own member record (403 without one). Street viewers read and change nothing.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.uploads import PhotoForm
from buildingparty import data_cache
from buildingparty.forms import add_service_errors
from buildingparty.models import Role
from buildingparty.qr import qr_svg
from buildingparty.redirects import safe_next
from buildingparty.scope import in_reach, role_required
from buildingparty.uploads import photo_content_type, private_file_response
from members.models import Member

from . import checkin as checkin_service
from . import selectors, services
from .forms import ActivityFilterForm, ActivityForm, CancelForm, RecordForm
from .models import Activity, ActivityPhoto, Signup

PAGE_SIZE = 20
MATCHING_SHOWN = 50
UPCOMING_SHOWN = 20
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET, Role.MEMBER)
MANAGERS = (Role.ADMIN, Role.SECRETARY)


def can_manage(user, activity: Activity) -> bool:
    """Change, publish, cancel and record this activity: the building's admin, or a secretary reaching its
    organiser (an activity of the general branch is the admin's)."""
    if user.role == Role.ADMIN:
        return activity.building_id == user.building_id
    return user.role == Role.SECRETARY and in_reach(user, activity.organizer_id)


def _activity(request, pk) -> Activity:
    return get_object_or_404(
        Activity.objects.for_user(request.user).select_related("organizer", "building", "room_booking__room"), pk=pk
    )


def _managed(request, pk) -> Activity:
    activity = _activity(request, pk)
    if not can_manage(request.user, activity):
        raise PermissionDenied
    return activity


def _own_member(request) -> Member:
    """The member record of the signed-in account; without one, signing up is not for them (403)."""
    member = Member.objects.filter(user=request.user).select_related("organization").first()
    if member is None:
        raise PermissionDenied
    return member


def _show_errors(request, form, error: ValidationError) -> None:
    if form is None or not add_service_errors(form, error):
        messages.error(request, " ".join(error.messages))


def _back(request, activity: Activity):
    """Where a button on the list or the detail came from (a page of this site), else the activity."""
    return redirect(safe_next(request, activity))


# --- the list -----------------------------------------------------------------------------------------------


@require_GET
@role_required(*READERS)
def activity_list(request):
    """The activities in reach, what is coming up first, with places counted in SQL and the member's own place on
    each: the same queries for any page."""
    # Kept whole for the viewer (her own places and buttons), the query, the language and the day, until a table it
    # was read from changes; a minute at most, since what is upcoming and open for sign-up moves with the clock.
    body = data_cache.page(
        request, "volunteering:list", "volunteering/_list_body.html", lambda: _activity_list(request), timeout=60
    )
    return render(request, "volunteering/list.html", {"body": body})


def _activity_list(request) -> dict:
    user = request.user
    member = Member.objects.filter(user=user).only("pk").first()
    form = ActivityFilterForm(request.GET or None, user=user)
    activities = selectors.with_own(
        selectors.with_counts(form.filter(Activity.objects.for_user(user))).select_related("organizer", "building"),
        member,
    )
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for activity in page.object_list:
        activity.full = activity.capacity is not None and activity.seated >= activity.capacity
    return {
        "form": form,
        "page": page,
        "member": member,
        "now": timezone.now(),
        "can_create": user.role in MANAGERS,
        "show_building": user.role == Role.STREET,
        "next_url": request.get_full_path(),
    }


@require_GET
def my_activities(request):
    """我的志愿服务: her places on activities ahead, the activities she signed up for before, and this year's
    hours."""
    # Kept whole for the viewer, the page, the language and the day, until a table it was read from changes; a
    # minute at most, since what is still ahead moves with the clock. Without her own member record: 403 (raised
    # while computing, never kept).
    body = data_cache.page(
        request, "volunteering:mine", "volunteering/_mine_body.html", lambda: _my_activities(request), timeout=60
    )
    return render(request, "volunteering/mine.html", {"body": body})


def _my_activities(request) -> dict:
    member = _own_member(request)
    year = timezone.localdate().year
    upcoming = list(selectors.upcoming_for(member)[:UPCOMING_SHOWN])
    past = Paginator(selectors.past_for(member), PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "member": member,
        "upcoming": upcoming,
        "page": past,
        "year": year,
        "served": selectors.served(member, year),
        "next_url": request.get_full_path(),
    }


# --- drafting and changing ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def activity_create(request):
    user = request.user
    form = ActivityForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        values = form.service_kwargs()
        organizer = values["organizer"]
        if organizer is None and user.role != Role.ADMIN:
            raise PermissionDenied  # the general branch's activities are the admin's
        try:
            activity = services.activity_create(building=user.building, by=user, **values)
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(request, _("The activity is saved as a draft. Publish it to open sign-up."))
            return redirect(activity)
    return render(request, "volunteering/form.html", {"form": form, "activity": None})


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def activity_edit(request, pk):
    activity = _managed(request, pk)
    if activity.status not in (Activity.Status.DRAFT, Activity.Status.PUBLISHED) or (
        activity.is_published and activity.starts_at <= timezone.now()
    ):
        messages.error(request, _("Only a draft or a published activity that has not begun can be changed."))
        return redirect(activity)
    form = ActivityForm(request.POST or None, user=request.user, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_update(activity=activity, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(request, _("The activity is saved."))
            return redirect(activity)
    return render(request, "volunteering/form.html", {"form": form, "activity": activity})


@require_POST
@role_required(*MANAGERS)
def activity_publish(request, pk):
    activity = _managed(request, pk)
    try:
        activity, told = services.activity_publish(activity=activity, by=request.user)
    except ValidationError as error:
        _show_errors(request, None, error)
    else:
        messages.success(
            request,
            ngettext(
                "The activity is open for sign-up; %(count)d member whose skills match is told.",
                "The activity is open for sign-up; %(count)d members whose skills match are told.",
                told,
            )
            % {"count": told},
        )
    return redirect(activity)


@require_POST
@role_required(*MANAGERS)
def activity_cancel(request, pk):
    activity = _managed(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the activity is cancelled."))
        return redirect(activity)
    try:
        services.activity_cancel(activity=activity, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _show_errors(request, None, error)
    else:
        messages.success(request, _("The activity is cancelled; the volunteers signed up or waiting are told."))
    return redirect(activity)


# --- the detail ---------------------------------------------------------------------------------------------


@require_GET
def activity_detail(request, pk):
    user = request.user
    activity = _activity(request, pk)
    manage = can_manage(user, activity)
    member = Member.objects.filter(user=user).only("pk").first()
    own = Signup.objects.filter(activity=activity, member=member).first() if member else None
    started = activity.starts_at <= timezone.now()
    seated = selectors.seats_taken(activity)
    context = {
        "activity": activity,
        "member": member,
        "own": own,
        "seated": seated,
        "waiting_count": activity.signups.filter(status=Signup.Status.WAITING).count(),
        "full": activity.capacity is not None and seated >= activity.capacity,
        "can_manage": manage,
        "started": started,
        "photos": list(activity.photos.all()),
        "show_signups": manage or user.role == Role.STREET,
    }
    if context["show_signups"]:
        context["signups"] = selectors.signups(activity)
    if manage:
        matching = selectors.matching_members(activity)
        shown = Member.objects.for_user(user).filter(pk__in=matching.values("pk"))
        context.update(
            {
                "matching": list(shown.select_related("organization")[:MATCHING_SHOWN]),
                "matching_total": matching.count(),
                "signed_member_ids": {s.member_id for s in context["signups"]},
                "cancel_form": CancelForm()
                if activity.status in (Activity.Status.DRAFT, Activity.Status.PUBLISHED)
                else None,
                "photo_form": PhotoForm()
                if activity.status in (Activity.Status.PUBLISHED, Activity.Status.DONE)
                else None,
                "can_edit": activity.is_draft or (activity.is_published and not started),
                "can_record": started and activity.status in (Activity.Status.PUBLISHED, Activity.Status.DONE),
            }
        )
        context["matching_elsewhere"] = context["matching_total"] - shown.count()
    return render(request, "volunteering/detail.html", context)


# --- signing up ---------------------------------------------------------------------------------------------


@require_POST
def signup(request, pk):
    """报名: a seat while there is one, else a place on the waiting list."""
    member = _own_member(request)
    activity = _activity(request, pk)
    try:
        signup = services.signup_create(activity=activity, member=member, by=request.user)
    except ValidationError as error:
        _show_errors(request, None, error)
    else:
        if signup.status == Signup.Status.WAITING:
            messages.info(
                request,
                _(
                    "The activity is full: you are number %(position)s on the waiting list, and are told if a place "
                    "comes free."
                )
                % {"position": signup.position},
            )
        else:
            messages.success(request, _("Signed up. Thank you for volunteering!"))
    return _back(request, activity)


@require_POST
def withdraw(request, pk):
    """取消报名, before the activity begins; a seat set free goes to the first on the waiting list."""
    member = _own_member(request)
    activity = _activity(request, pk)
    own = Signup.objects.filter(activity=activity, member=member).first()
    if own is None:
        messages.error(request, _("Not signed up for this activity."))
        return _back(request, activity)
    try:
        services.signup_withdraw(signup=own, by=request.user)
    except ValidationError as error:
        _show_errors(request, None, error)
    else:
        messages.success(request, _("Your sign-up is withdrawn."))
    return _back(request, activity)


# --- after the event ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def activity_record(request, pk):
    """After the event: who took part (hours served) and who did not come, and the summary; the activity is then
    done (or, when it is done already, corrected)."""
    activity = _managed(request, pk)
    if activity.status not in (Activity.Status.PUBLISHED, Activity.Status.DONE):
        messages.error(request, _("Only a published activity can be recorded as done."))
        return redirect(activity)
    if activity.starts_at > timezone.now():
        messages.error(request, _("The activity has not begun yet: record it once it has taken place."))
        return redirect(activity)
    form = RecordForm(request.POST or None, activity=activity, signups=selectors.seated_signups(activity))
    if request.method == "POST" and form.is_valid():
        try:
            activity, changed = services.activity_record(
                activity=activity, by=request.user, rows=form.rows_data(), summary=form.cleaned_data["summary"]
            )
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "The activity is recorded as done: %(count)d volunteer's record changed.",
                    "The activity is recorded as done: %(count)d volunteers' records changed.",
                    changed,
                )
                % {"count": changed},
            )
            return redirect(activity)
    return render(request, "volunteering/record.html", {"form": form, "activity": activity})


@require_POST
@role_required(*MANAGERS)
def photo_upload(request, pk):
    activity = _managed(request, pk)
    back = redirect(reverse("volunteering:detail", args=[activity.pk]) + "#photos")
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back
    try:
        for image in form.cleaned_data["photos"]:
            services.photo_add(activity=activity, image=image, by=request.user, caption=form.cleaned_data["caption"])
    except ValidationError as error:
        _show_errors(request, None, error)
    else:
        count = len(form.cleaned_data["photos"])
        messages.success(
            request, ngettext("%(count)d photo added.", "%(count)d photos added.", count) % {"count": count}
        )
    return back


@require_GET
def photo_file(request, pk):
    """An activity's photo, only to those who can see the activity; files are never served from /media."""
    photo = get_object_or_404(
        ActivityPhoto.objects.filter(activity__in=Activity.objects.for_user(request.user).values("pk")), pk=pk
    )
    return private_file_response(photo.image, content_type=photo_content_type(photo.image.name), cache_seconds=3600)


# --- QR check-in --------------------------------------------------------------------------------------------


@require_GET
@role_required(*MANAGERS)
def checkin_qr(request, pk):
    """The activity's QR code, big enough to scan from across the square, and printable for the door."""
    activity = _managed(request, pk)
    now = timezone.now()
    response = render(
        request,
        "volunteering/qr.html",
        {
            "activity": activity,
            "window": checkin_service.window(activity),
            "refusal": checkin_service.refusal(activity, now),
            "checkin_url": checkin_service.checkin_url(activity),
            "seated": activity.signups.filter(status__in=(Signup.Status.SIGNED_UP, Signup.Status.ATTENDED)).count(),
            "checked_in": activity.signups.filter(status=Signup.Status.ATTENDED).count(),
        },
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@role_required(*MANAGERS)
def checkin_qr_image(request, pk):
    """The QR code as SVG: the absolute check-in address, drawn without Pillow."""
    activity = _managed(request, pk)
    response = HttpResponse(qr_svg(checkin_service.checkin_url(activity)), content_type="image/svg+xml")
    # The code lets anyone signed up check in: no shared caches.
    patch_cache_control(response, private=True, no_store=True)
    return response


def _not_found(request):
    return render(request, "volunteering/checkin_unknown.html", status=404)


@require_http_methods(["GET", "POST"])
def checkin(request, token):
    """The volunteer's check-in: GET shows the activity and the 签到 button, POST checks her in.

    1. The activity by its token; unknown: 404.
    2. The signed-in user's member record; none: 403 (nothing of the activity shown).
    3. Her signup; none (another building's member, somebody who never signed up): 404, as for an unknown token.
    4. Already recorded as having taken part: said so (200), whenever she comes back.
    5. On the waiting list or withdrawn; cancelled, not yet open, closed: 403 with the reason.
    6. POST: took part, by QR, then back to this page (which now says she is checked in).
    """
    activity = Activity.objects.filter(checkin_token=token).select_related("organizer").first()
    if activity is None:
        return _not_found(request)
    member = Member.objects.filter(user=request.user).only("pk", "name").first()
    if member is None:
        return render(request, "volunteering/checkin_not_member.html", status=403)
    own = Signup.objects.filter(activity=activity, member=member).first()
    if own is None:
        return _not_found(request)

    now = timezone.now()
    context = {"activity": activity, "member": member, "own": own, "window": checkin_service.window(activity)}
    if own.status != Signup.Status.ATTENDED:
        reason = checkin_service.signup_refusal(own) or checkin_service.refusal(activity, now)
        if reason:
            return render(request, "volunteering/checkin.html", {**context, "refusal": reason}, status=403)
    if request.method == "POST":
        try:
            own, done = checkin_service.check_in(signup=own, by=request.user, now=now)
        except checkin_service.CheckinRefused as refused:  # the window closed between the page and the button
            return render(request, "volunteering/checkin.html", {**context, "refusal": str(refused)}, status=403)
        if done:
            messages.success(request, _("Checked in. Thank you for volunteering!"))
        return redirect("volunteering:checkin", token=token)
    return render(request, "volunteering/checkin.html", context)
