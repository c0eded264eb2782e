"""Reading the 党员亮相 board. Each function takes the same number of queries however many cards there are.

Who sees a board: every signed-in user of the building (it hangs in the lobby), and the street, which reads every
building (``buildings_for``). What is on it: ``models.on_board_q``.
"""

from collections import Counter

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from buildingparty.models import Building, PartyOrganization, Role
from members.models import Member

from .models import ShowcaseProfile, on_board_q

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
    rows = (
        ShowcaseProfile.objects.on_board()
        .in_building(building_id)
        .values("member__organization_id", "member__organization__parent_id", "member__organization__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = Counter()
    for row in rows:
        is_group = row["member__organization__kind"] == PartyOrganization.Kind.GROUP
        counts[row["member__organization__parent_id"] if is_group else row["member__organization_id"]] += row["n"]
    branches = PartyOrganization.objects.filter(building_id=building_id).branches().order_by("name")
    return [(branch, counts[branch.pk]) for branch in branches]


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


def members_with_status(members: QuerySet) -> QuerySet:
    """Members annotated with ``showcase_status`` (one of ``STATUSES``, or None when the board does not concern
    them: not showing their membership, no consent ever given), their profile joined."""
    profiles = ShowcaseProfile.objects.filter(member=OuterRef("pk"))
    return members.select_related("showcase_profile", "organization", "enterprise").annotate(
        on_board=Exists(profiles.filter(on_board_q())),
    )


def status_of(member: Member) -> str | None:
    """Where a member stands with the board (``members_with_status`` loaded her profile and ``on_board``)."""
    try:
        profile = member.showcase_profile
    except ShowcaseProfile.DoesNotExist:
        profile = None
    if member.on_board:
        return ON_BOARD
    if profile is not None and profile.has_consent:
        return NOT_SHOWING
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
        return members.filter(on_board=True)
    if status == NOT_SHOWING:
        return members.filter(consent, on_board=False)
    if status == WITHDRAWN:
        return members.filter(withdrawn)
    if status == NO_CONSENT:
        return members.filter(~consent, ~withdrawn, shows_membership=True)
    return members
