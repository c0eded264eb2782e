"""Reading the 党员亮相 board. Each function takes the same number of queries however many cards there are.

Who sees a board: every signed-in user of the building (it hangs in the lobby), and the street, which reads every
building (``buildings_for``). What is on it: ``models.on_board_q``.
"""

from collections import Counter

from django.db.models import Count, Q, QuerySet

from buildingparty.models import Building, PartyOrganization, Role
from members.models import Member, active_q

from .models import ShowcaseProfile

# A member's standing on the officers' list, from the board's point of view.
ON_BOARD = "on_board"
NOT_SHOWING = "not_showing"  # consent given, but the register does not mark her as showing her membership
NO_CONSENT = "no_consent"  # marked as showing her membership, no consent (never given, or withdrawn)
WITHDRAWN = "withdrawn"
STATUSES = (ON_BOARD, NOT_SHOWING, NO_CONSENT, WITHDRAWN)


def buildings_for(user) -> QuerySet:
    """The buildings whose board a user may see: her own building's; every building for the street."""
    if not user.is_authenticated or not user.is_active:
        return Building.objects.none()
    if user.role == Role.STREET:
        return Building.objects.all()
    return Building.objects.filter(pk=user.building_id) if user.building_id else Building.objects.none()


def branches_for(user) -> QuerySet:
    """The branches whose board a user may see: those of the buildings she may see."""
    return PartyOrganization.objects.branches().filter(building__in=buildings_for(user))


def cards(*, building_id: int, organization_ids: list[int] | None = None) -> QuerySet:
    """The cards on a building's board (or on its branches' given by their organisation ids, groups included),
    ordered by name. One query."""
    profiles = ShowcaseProfile.objects.on_board().in_building(building_id)
    if organization_ids is not None:
        profiles = profiles.filter(member__organization_id__in=organization_ids)
    return profiles.select_related(
        "member", "member__enterprise", "member__organization", "member__organization__parent"
    ).order_by("member__name_initials", "member__name", "member__pk")


def branch_counts(building_id: int) -> list[tuple[PartyOrganization, int]]:
    """Each branch of the building with the number of its cards on the board (its groups' included). Two
    queries."""
    return board_summary(building_id)[0]


def board_summary(building_id: int) -> tuple[list[tuple[PartyOrganization, int]], int]:
    """``branch_counts`` and the number of cards on the whole building's board (the same rows summed, so the
    building's board needs no count query of its own). Two queries."""
    rows = (
        ShowcaseProfile.objects.on_board()
        .in_building(building_id)
        .values("member__organization_id", "member__organization__parent_id", "member__organization__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = Counter()
    total = 0
    for row in rows:
        is_group = row["member__organization__kind"] == PartyOrganization.Kind.GROUP
        counts[row["member__organization__parent_id"] if is_group else row["member__organization_id"]] += row["n"]
        total += row["n"]
    branches = PartyOrganization.objects.filter(building_id=building_id).branches().order_by("name")
    return [(branch, counts[branch.pk]) for branch in branches], total


def board_counts(buildings: QuerySet) -> dict[int, int]:
    """Building id → cards on its board, for a page of buildings. One query."""
    rows = (
        ShowcaseProfile.objects.on_board()
        .filter(member__organization__building__in=buildings)
        .values("member__organization__building_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["member__organization__building_id"]: row["n"] for row in rows}


def _on_board_from_member() -> Q:
    """``on_board_q`` as a Q on ``Member`` through her profile (non-null only when she has one)."""
    return Q(
        active_q(),
        shows_membership=True,
        showcase_profile__consent_given_at__isnull=False,
        showcase_profile__consent_withdrawn_at__isnull=True,
    )


def members_with_status(members: QuerySet) -> QuerySet:
    """Members with their profile and organisation joined, for ``status_of`` (one of ``STATUSES``, or None when
    the board does not concern them: not showing their membership, no consent ever given).

    No annotation: the paginator's count stays on the members alone, and the enterprise is not joined (a hash
    join of the whole enterprise table before the page's LIMIT cost more than the rest of the query)."""
    return members.select_related("showcase_profile", "organization")


def status_of(member: Member) -> str | None:
    """Where a member stands with the board (``members_with_status`` loaded her profile)."""
    try:
        profile = member.showcase_profile
    except ShowcaseProfile.DoesNotExist:
        profile = None
    if profile is not None and profile.has_consent:
        # The rule of ``on_board_q``, read off the loaded member.
        on_board = (
            member.shows_membership
            and member.status == Member.Status.NORMAL
            and member.whereabouts == Member.Whereabouts.HERE
        )
        return ON_BOARD if on_board else NOT_SHOWING
    if profile is not None and profile.is_withdrawn:
        return WITHDRAWN
    if member.shows_membership:
        return NO_CONSENT
    return None


def filter_status(members: QuerySet, status: str) -> QuerySet:
    """Only the members of one status (``STATUSES``) of ``members_with_status``."""
    consent = Q(showcase_profile__consent_given_at__isnull=False, showcase_profile__consent_withdrawn_at__isnull=True)
    withdrawn = Q(showcase_profile__consent_withdrawn_at__isnull=False)
    if status == ON_BOARD:
        return members.filter(_on_board_from_member())
    if status == NOT_SHOWING:
        # Consent given, and the member side of ``on_board_q`` fails (those are the member's own columns).
        return members.filter(consent).exclude(Q(active_q(), shows_membership=True))
    if status == WITHDRAWN:
        return members.filter(withdrawn)
    if status == NO_CONSENT:
        return members.filter(~consent, ~withdrawn, shows_membership=True)
    return members
