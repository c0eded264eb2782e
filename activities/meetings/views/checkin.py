"""QR check-in: the code the secretary puts on screen or on the door, its image, and the page a member's phone
opens when she scans it.

The code's page and image are for the officers who reach the meeting (admin, secretary): street viewers and
members get 403, another branch's meeting 404. The check-in page answers by the meeting's token: an unknown token
and a meeting the member is not expected at look the same (404), so a code passed around tells nobody else
anything. Every refusal of a member who may see the meeting (cancelled, not yet open, closed) is a 403 page
saying why, on GET and POST alike; a user without a member record gets 403 too.
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from buildingparty.models import Role
from buildingparty.qr import qr_svg
from buildingparty.scope import role_required
from members.models import Member

from .. import checkin as service
from ..models import Attendance, Meeting

OFFICERS = (Role.ADMIN, Role.SECRETARY)


def _officer_meeting(request, pk) -> Meeting:
    """A meeting in the officer's reach (404 otherwise); the role check (403) comes first, in the decorator."""
    return get_object_or_404(Meeting.objects.for_user(request.user).select_related("organization"), pk=pk)


@role_required(*OFFICERS)
@require_GET
def checkin_qr(request, pk):
    """The meeting's QR code, big enough to scan from the back of the room, and printable for the door."""
    meeting = _officer_meeting(request, pk)
    now = timezone.now()
    counts = meeting.attendances.aggregate(
        expected=Count("pk"), checked_in=Count("pk", filter=Q(status=Attendance.Status.PRESENT))
    )
    response = render(
        request,
        "meetings/qr.html",
        {
            "meeting": meeting,
            "window": service.window(meeting),
            "refusal": service.refusal(meeting, now),
            "checkin_url": service.checkin_url(meeting),
            "counts": counts,
        },
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@role_required(*OFFICERS)
@require_GET
def checkin_qr_image(request, pk):
    """The QR code as SVG: the absolute check-in address, drawn without Pillow."""
    meeting = _officer_meeting(request, pk)
    response = HttpResponse(qr_svg(service.checkin_url(meeting)), content_type="image/svg+xml")
    # The code lets anyone expected at the meeting check in: no shared caches.
    patch_cache_control(response, private=True, no_store=True)
    return response


def _not_found(request):
    return render(request, "meetings/checkin_unknown.html", status=404)


@require_http_methods(["GET", "POST"])
def checkin(request, token):
    """The member's check-in: GET shows the meeting and the 签到 button, POST checks her in.

    1. The meeting by its token; unknown: 404.
    2. The signed-in user's member record; none: 403 (nothing of the meeting shown).
    3. Her attendance at the meeting; not expected there: 404, as for an unknown token.
    4. Already present: said so (200), whenever she comes back.
    5. Cancelled, not yet open, closed: 403 with the reason.
    6. POST: present by QR, then back to this page (which now says she is checked in).
    """
    meeting = Meeting.objects.filter(checkin_token=token).select_related("organization").first()
    if meeting is None:
        return _not_found(request)
    member = Member.objects.filter(user=request.user).only("pk", "name").first()
    if member is None:
        return render(request, "meetings/checkin_not_member.html", status=403)
    attendance = Attendance.objects.filter(meeting=meeting, member=member).first()
    if attendance is None:
        return _not_found(request)

    now = timezone.now()
    context = {"meeting": meeting, "member": member, "attendance": attendance, "window": service.window(meeting)}
    if attendance.status != Attendance.Status.PRESENT:
        reason = service.refusal(meeting, now)
        if reason:
            return render(request, "meetings/checkin.html", {**context, "refusal": reason}, status=403)
    if request.method == "POST":
        try:
            attendance, done = service.check_in(attendance=attendance, by=request.user, now=now)
        except service.CheckinRefused as refused:  # the window closed between the page and the button
            return render(request, "meetings/checkin.html", {**context, "refusal": str(refused)}, status=403)
        if done:
            messages.success(request, _("Checked in. Welcome!"))
        return redirect("meetings:checkin", token=token)
    if attendance.status == Attendance.Status.PRESENT:
        context["checked_in_at"] = attendance.checked_in_at or attendance.recorded_at
    return render(request, "meetings/checkin.html", context)
