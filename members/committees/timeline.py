"""A member's posts on her timeline (members/timeline.py): elected to a post, and the post ended."""

from django.urls import reverse
from django.utils.translation import gettext as _

from members import timeline

from .models import CommitteeSeat


@timeline.source
def _posts(member):
    seats = CommitteeSeat.objects.filter(member=member).select_related("term__organization").order_by("since", "pk")
    for seat in seats:
        organization = seat.term.organization
        url = reverse("committees:detail", args=[organization.pk])
        post = seat.get_post_display()
        yield timeline.Event(
            seat.since, "person-badge", _("Took the post of %(post)s") % {"post": post}, str(organization), url
        )
        if seat.until:
            yield timeline.Event(
                seat.until, "person-dash", _("Left the post of %(post)s") % {"post": post}, seat.end_note, url
            )
