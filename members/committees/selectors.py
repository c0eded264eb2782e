"""Reads of committees and terms. Scope is ``CommitteeTerm.objects.for_user`` and, for the organisations whose
committee a user may look up, ``organizations``."""

import datetime

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from buildingparty.models import PartyOrganization, Role
from buildingparty.scope import organizations_for
from members.models import Member

from .models import DUE_SOON_DAYS, CommitteeSeat, CommitteeTerm, own_organizations_q


def committee_member_ids(member_ids, year: int) -> set[int]:
    """Of these members, those who held a seat (secretary, deputy or committee member) at any time in ``year``:
    they owe 56 study hours that year instead of 32. One query, however many members."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return set(
        CommitteeSeat.objects.filter(member_id__in=member_ids, since__lte=end)
        .filter(Q(until__isnull=True) | Q(until__gte=start))
        .filter(Q(term__ended_on__isnull=True) | Q(term__ended_on__gte=start))
        .values_list("member_id", flat=True)
    )


def organizations_with_committee(organization_ids) -> set[int]:
    """Of these organisations, those whose current term elected a committee (支委会 are required of them)."""
    return set(
        CommitteeTerm.objects.current()
        .filter(organization_id__in=organization_ids, is_committee=True)
        .values_list("organization_id", flat=True)
    )


def organizations(user) -> QuerySet:
    """The organisations whose committee ``user`` may look up: the officers' reach (admins their building,
    secretaries their branch, street viewers all); a member her own branch. Party groups elect no committee."""
    queryset = PartyOrganization.objects.exclude(kind=PartyOrganization.Kind.GROUP)
    if user.is_authenticated and user.is_active and user.role == Role.MEMBER:
        return queryset.filter(own_organizations_q(user, "pk"))
    return organizations_for(user, queryset)


def post_rank() -> Case:
    """The posts in the order the party lists them (书记, 副书记, then the 委员), for ``order_by``."""
    return Case(
        *(When(post=post, then=Value(rank)) for rank, post in enumerate(CommitteeSeat.Post.values)),
        output_field=IntegerField(),
    )


def held_seats() -> QuerySet:
    """Posts still held, secretary first, with their members."""
    return (
        CommitteeSeat.objects.filter(until__isnull=True).select_related("member").order_by(post_rank(), "member__name")
    )


def with_current_term(queryset: QuerySet) -> QuerySet:
    """Organisations with ``current_terms`` (a list of at most one) and each term's ``held`` posts: two queries
    for any number of organisations. Ordered as the tree reads: each building's general branch first."""
    return (
        queryset.select_related("building")
        .prefetch_related(
            Prefetch("committee_terms", queryset=CommitteeTerm.objects.current(), to_attr="current_terms"),
            Prefetch("current_terms__seats", queryset=held_seats(), to_attr="held"),
        )
        .order_by("building__name", F("parent_id").asc(nulls_first=True), "name")
    )


def organization_terms(organization: PartyOrganization, *, history: bool = True) -> list:
    """An organisation's terms, newest first (only the current one without ``history``), each with ``posts``:
    every seat of the term, those still held first (secretary first), then those ended. Two queries."""
    terms = CommitteeTerm.objects.filter(organization=organization).select_related("created_by")
    if not history:
        terms = terms.current()
    seats = CommitteeSeat.objects.select_related("member", "created_by", "ended_by").order_by(
        F("until").desc(nulls_first=True), post_rank(), "member__name"
    )
    return list(terms.order_by("-elected_on").prefetch_related(Prefetch("seats", queryset=seats, to_attr="posts")))


def due_terms(user, today: datetime.date | None = None) -> QuerySet:
    """Current terms in reach that end within six months or are past due, the soonest (most overdue) first,
    each with its ``secretaries`` (the secretary's post, if held)."""
    today = today or timezone.localdate()
    return (
        CommitteeTerm.objects.for_user(user)
        .current()
        .filter(ends_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
        .select_related("organization", "organization__building")
        .prefetch_related(
            Prefetch(
                "seats",
                queryset=held_seats().filter(post=CommitteeSeat.Post.SECRETARY),
                to_attr="secretaries",
            )
        )
        .order_by("ends_on", "organization__name")
    )


def eligible_members(organization: PartyOrganization) -> QuerySet:
    """Who may be elected to ``organization``'s committee: its full members in normal standing, and those of the
    units below it, by name."""
    return (
        Member.objects.active()
        .filter(organization_id__in=organization.subtree_ids(), category=Member.Category.FULL)
        .order_by("name", "pk")
    )
