"""Reads of volunteering. Scope is ``Activity.objects.for_user``; these build on it."""

import datetime
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from members.models import Member

from .models import Activity, Signup

Status = Signup.Status


def matching_members(activity: Activity) -> QuerySet:
    """The building's members in normal standing, still here, whose skills name one of the skills the activity
    wants ("急救" finds "急救（红十字会救护员证）"). None when it wants no particular skill."""
    tags = activity.skill_tags()
    if not tags:
        return Member.objects.none()
    wanted = reduce(or_, (Q(skills__icontains=tag) for tag in tags))
    return (
        Member.objects.filter(organization__building_id=activity.building_id)
        .active()
        .filter(wanted)
        .order_by("name", "pk")
    )


def with_counts(activities: QuerySet) -> QuerySet:
    """Activities with ``seated`` (signed up, or recorded after the event) and ``waiting`` counted in SQL."""
    return activities.annotate(
        seated=Count("signups", filter=Q(signups__status__in=Signup.SEATED)),
        waiting=Count("signups", filter=Q(signups__status=Status.WAITING)),
    )


def with_own(activities: QuerySet, member: Member | None) -> QuerySet:
    """Activities with ``own_status`` and ``own_position``: the member's own place on each (None without one)."""
    if member is None:
        return activities
    own = Signup.objects.filter(activity=OuterRef("pk"), member=member)
    return activities.annotate(
        own_status=Subquery(own.values("status")[:1]), own_position=Subquery(own.values("position")[:1])
    )


def seats_taken(activity: Activity) -> int:
    return activity.signups.filter(status__in=Signup.SEATED).count()


def waiting_list(activity: Activity) -> list[Signup]:
    return list(activity.signups.filter(status=Status.WAITING).select_related("member").order_by("position", "pk"))


def signups(activity: Activity) -> list[Signup]:
    """Everyone who signed up and has not withdrawn, in the order of the page: seated first (by when they signed
    up), then the waiting list by position."""
    rows = list(
        activity.signups.exclude(status=Status.WITHDRAWN)
        .select_related("member", "member__organization")
        .order_by("signed_up_at", "pk")
    )
    seated = [s for s in rows if s.status != Status.WAITING]
    waiting = sorted((s for s in rows if s.status == Status.WAITING), key=lambda s: s.position)
    return seated + waiting


def seated_signups(activity: Activity) -> list[Signup]:
    """Who the organiser records after the event: those who held a seat, by name."""
    return list(
        activity.signups.filter(status__in=Signup.SEATED).select_related("member").order_by("member__name", "pk")
    )


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    return start, timezone.make_aware(datetime.datetime(year + 1, 1, 1))


def served(member: Member, year: int) -> dict:
    """The member's year: ``activities`` she took part in and the ``hours`` she served (cancelled ones aside)."""
    start, end = year_bounds(year)
    totals = (
        Signup.objects.filter(
            member=member,
            status=Status.ATTENDED,
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
        )
        .exclude(activity__status=Activity.Status.CANCELLED)
        .aggregate(activities=Count("pk"), hours=Sum("hours"))
    )
    return {"activities": totals["activities"], "hours": totals["hours"] or Decimal(0)}


def upcoming_for(member: Member) -> QuerySet:
    """Her places on activities still ahead (signed up or waiting), soonest first."""
    return (
        member.volunteer_signups.filter(
            status__in=(Status.SIGNED_UP, Status.WAITING),
            activity__status=Activity.Status.PUBLISHED,
            activity__starts_at__gt=timezone.now(),
        )
        .select_related("activity", "activity__organizer")
        .order_by("activity__starts_at", "pk")
    )


def past_for(member: Member) -> QuerySet:
    """Everything else she signed up for, newest first."""
    upcoming = upcoming_for(member).values("pk")
    return (
        member.volunteer_signups.exclude(pk__in=upcoming)
        .select_related("activity", "activity__organizer")
        .order_by("-activity__starts_at", "-pk")
    )


def open_for_signup(activities: QuerySet) -> QuerySet:
    """Published activities not begun yet."""
    return activities.filter(status=Activity.Status.PUBLISHED, starts_at__gt=timezone.now())
