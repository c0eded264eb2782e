"""Home-page panels (see buildingparty/dashboard.py): a member's volunteer service (her next activities, this
year's hours, how many are open); for the officers who organise, the activities that have taken place and still
wait to be recorded."""

from django.utils import timezone

from buildingparty import dashboard
from buildingparty.models import Role
from buildingparty.scope import organization_ids
from members.models import Member

from . import selectors
from .models import Activity

NEXT_ACTIVITIES = 3
TO_RECORD_SHOWN = 5


# Cached per member; an activity leaves "ahead" and "open" when it begins: kept a minute at most.
@dashboard.register(
    template="volunteering/_panel_member.html", roles={Role.MEMBER}, order=16, cached_by="user", timeout=60
)
def my_volunteer_service(request):
    member = Member.objects.filter(user=request.user).only("pk").first()
    if member is None:
        return None
    year = timezone.localdate().year
    return {
        "year": year,
        "served": selectors.served(member, year),
        "upcoming": list(selectors.upcoming_for(member)[:NEXT_ACTIVITIES]),
        "open_count": selectors.open_for_signup(Activity.objects.for_user(request.user)).count(),
    }


# An activity joins the list when it begins: kept a minute at most.
@dashboard.register(
    template="volunteering/_panel_officer.html",
    roles={Role.ADMIN, Role.SECRETARY},
    order=20,
    cached_by="scope",
    timeout=60,
)
def activities_to_record(request):
    """Published activities of hers (a secretary: her branch's; an admin: the building's) that have begun and wait
    for who came, the hours and a summary. Hidden when none does."""
    user = request.user
    activities = Activity.objects.filter(
        building_id=user.building_id, status=Activity.Status.PUBLISHED, starts_at__lte=timezone.now()
    )
    if user.role == Role.SECRETARY:
        activities = activities.filter(organizer_id__in=organization_ids(user))
    waiting = list(activities.order_by("starts_at", "pk")[: TO_RECORD_SHOWN + 1])
    if not waiting:
        return None
    return {"activities": waiting[:TO_RECORD_SHOWN], "more": len(waiting) > TO_RECORD_SHOWN}
