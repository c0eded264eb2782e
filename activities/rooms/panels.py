"""Home-page panel (see buildingparty/dashboard.py): for admins and secretaries, today's and tomorrow's bookings of
the building's rooms, so whoever opens the room knows who comes."""

import datetime

from django.utils import timezone

from buildingparty import dashboard
from buildingparty.models import Role

from . import selectors
from .models import Room


@dashboard.register(template="rooms/_panel.html", roles={Role.ADMIN, Role.SECRETARY}, order=16, cached_by="scope")
def rooms_today(request):
    """Hidden where the building has no rooms; otherwise the two days, each with its bookings (or none)."""
    user = request.user
    if not Room.objects.for_user(user).exists():
        return None
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    bookings = selectors.panel_bookings(user, today)
    days = []
    for day in (today, tomorrow):
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        end = start + datetime.timedelta(days=1)
        days.append({"date": day, "bookings": [b for b in bookings if b.starts_at < end and b.ends_at > start]})
    return {"days": days}
