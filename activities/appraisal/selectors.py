"""Reads of the democratic appraisal. Scope is ``AppraisalRound.objects.for_user``; these build on it.

Every count is an annotation or one aggregate, so a page costs the same queries for a branch of 5 or of 50.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.meetings import rules
from buildingparty.scope import by_organization
from members import timeline
from members.models import Member

from .models import Appraisal, AppraisalRound, Grade, PeerAssessment


def current_year() -> int:
    return timezone.localdate().year


def rounds_for(user) -> QuerySet:
    """The rounds a user sees, with what the list shows: how many take part, are graded, wrote their
    self-assessment."""
    return (
        AppraisalRound.objects.for_user(user)
        .select_related("organization", "life_meeting")
        .annotate(
            taking_part=Count("appraisals", distinct=True),
            to_grade=Count("appraisals", filter=Q(appraisals__takes_grade=True), distinct=True),
            graded=Count(
                "appraisals", filter=Q(appraisals__takes_grade=True, appraisals__grade__in=Grade.values), distinct=True
            ),
            self_submitted=Count("appraisals", filter=Q(appraisals__self_submitted_at__isnull=False), distinct=True),
        )
        .order_by("-year", "organization__name", "pk")
    )


def round_list(user) -> QuerySet:
    """The rounds of the list page, in its order, without the counts (``with_counts`` adds them to a page):
    counting every round's appraisals before the page is cut, and again for the paginator's count, joined the
    whole district's appraisals."""
    return (
        AppraisalRound.objects.for_user(user)
        .select_related("organization", "life_meeting")
        .order_by("-year", "organization__name", "pk")
    )


def with_counts(rounds) -> list[AppraisalRound]:
    """A page of rounds with ``rounds_for``'s counts (taking part, to grade, graded, self-assessments): one grouped
    query over these rounds' appraisals."""
    rounds = list(rounds)
    counts = (
        {
            row["round_id"]: row
            for row in Appraisal.objects.filter(round_id__in=[r.pk for r in rounds])
            .order_by()
            .values("round_id")
            .annotate(
                taking_part=Count("pk"),
                to_grade=Count("pk", filter=Q(takes_grade=True)),
                graded=Count("pk", filter=Q(takes_grade=True, grade__in=Grade.values)),
                self_submitted=Count("pk", filter=Q(self_submitted_at__isnull=False)),
            )
        }
        if rounds
        else {}
    )
    for round in rounds:
        row = counts.get(round.pk, {})
        for name in ("taking_part", "to_grade", "graded", "self_submitted"):
            setattr(round, name, row.get(name, 0))
    return rounds


def years_of(rounds: QuerySet) -> list[int]:
    """The years that have rounds, newest first, and this year."""
    years = set(rounds.order_by().values_list("year", flat=True).distinct())
    return sorted(years | {current_year()}, reverse=True)


@dataclass(frozen=True)
class Cap:
    """优秀 at most a third of those graded: ``graded`` members take a grade, ``excellent`` are graded 优秀 so far,
    ``cap`` is the most there may be; ``ungraded`` full members still wait for their grade."""

    graded: int
    excellent: int
    cap: int
    ungraded: int = 0

    @property
    def done(self) -> int:
        return self.graded - self.ungraded

    @property
    def reached(self) -> bool:
        return self.excellent >= self.cap


def cap_of(round: AppraisalRound) -> Cap:
    """The round's cap on 优秀, from ``rules.max_excellent`` (one query)."""
    counts = round.appraisals.aggregate(
        graded=Count("pk", filter=Q(takes_grade=True)),
        excellent=Count("pk", filter=Q(takes_grade=True, grade=Grade.EXCELLENT)),
        ungraded=Count("pk", filter=Q(takes_grade=True, grade="")),
    )
    return Cap(cap=rules.max_excellent(counts["graded"]), **counts)


def _peer_counts() -> dict:
    """Annotations on ``Appraisal``: how many peers suggested each grade, and how many assessed at all."""
    counts = {
        f"peer_{grade}": Count("peer_assessments", filter=Q(peer_assessments__grade=grade)) for grade in Grade.values
    }
    counts["peer_total"] = Count("peer_assessments")
    return counts


def round_rows(round: AppraisalRound) -> QuerySet:
    """Each member of the round with the counts of the grades her peers suggested (not who suggested what)."""
    return (
        round.appraisals.select_related("member", "member__organization", "graded_by")
        .annotate(**_peer_counts())
        .order_by("-takes_grade", "member__name", "pk")
    )


def peer_summary(appraisal: Appraisal) -> list[tuple[str, int]]:
    """``[(grade label, count), ...]`` from a row of ``round_rows``, the grades nobody suggested left out."""
    return [(label, getattr(appraisal, f"peer_{value}", 0)) for value, label in Grade.choices]


def appraisals_for_export(user) -> QuerySet:
    """Every appraisal (the command line without --user), or those of the rounds a user may export."""
    appraisals = Appraisal.objects.all()
    if user is not None:
        appraisals = by_organization(user, appraisals, "round__organization")
    return (
        appraisals.select_related("round", "round__organization", "member", "member__organization")
        .annotate(**_peer_counts())
        .order_by("-round__year", "round__organization__name", "-takes_grade", "member__name", "pk")
    )


# --- the member's own ---------------------------------------------------------------------------------------


def own_member(user) -> Member | None:
    return Member.objects.filter(user=user).select_related("organization").first() if user.is_authenticated else None


def open_appraisal(member: Member) -> Appraisal | None:
    """The member's appraisal in a round still open, the latest year first."""
    return (
        Appraisal.objects.filter(member=member, round__status=AppraisalRound.Status.OPEN)
        .select_related("round", "round__organization")
        .order_by("-round__year", "-pk")
        .first()
    )


def peers_of(appraisal: Appraisal) -> list[Appraisal]:
    """The other members of her round (one branch: a bounded list), each with ``mine``: her assessment of them,
    or None. Names and categories only: another member's self-assessment is not shown."""
    peers = list(
        appraisal.round.appraisals.exclude(pk=appraisal.pk)
        .select_related("member", "member__organization")
        .order_by("member__organization__name", "member__name", "pk")
    )
    given = {
        p.appraisal_id: p
        for p in PeerAssessment.objects.filter(appraisal__round_id=appraisal.round_id, assessor_id=appraisal.member_id)
    }
    for peer in peers:
        peer.mine = given.get(peer.pk)
    return peers


def peer_queryset(appraisal: Appraisal) -> QuerySet:
    """The other members of her round in ``peers_of``'s order, for paginating in SQL."""
    return (
        appraisal.round.appraisals.exclude(pk=appraisal.pk)
        .select_related("member", "member__organization")
        .order_by("member__organization__name", "member__name", "pk")
    )


def mark_mine(appraisal: Appraisal, peers) -> list[Appraisal]:
    """Set ``mine`` (her assessment of them, or None) on a page of her peers: one query, for that page only."""
    peers = list(peers)
    given = {
        p.appraisal_id: p
        for p in PeerAssessment.objects.filter(
            appraisal_id__in=[peer.pk for peer in peers], assessor_id=appraisal.member_id
        )
    }
    for peer in peers:
        peer.mine = given.get(peer.pk)
    return peers


def peers_assessed(appraisal: Appraisal) -> int:
    """How many of her peers she has assessed (one query)."""
    return (
        PeerAssessment.objects.filter(appraisal__round_id=appraisal.round_id, assessor_id=appraisal.member_id)
        .exclude(appraisal_id=appraisal.pk)
        .values("appraisal_id")
        .distinct()
        .count()
    )


def pending_for_member(member: Member) -> dict | None:
    """What the member still has to do in her open round: her self-assessment, and the peers she has not
    assessed. None when nothing is open or nothing is left (two queries)."""
    appraisal = open_appraisal(member)
    if appraisal is None:
        return None
    counts = appraisal.round.appraisals.exclude(pk=appraisal.pk).aggregate(
        peers=Count("pk"),
        assessed=Count(
            "pk",
            filter=Q(Exists(PeerAssessment.objects.filter(appraisal=OuterRef("pk"), assessor_id=member.pk))),
        ),
    )
    pending_peers = counts["peers"] - counts["assessed"]
    if appraisal.self_submitted and pending_peers == 0:
        return None
    return {
        "appraisal": appraisal,
        "peers": counts["peers"],
        "assessed": counts["assessed"],
        "pending_peers": pending_peers,
    }


def open_rounds_to_grade(user) -> QuerySet:
    """Rounds in the user's reach still open with full members not graded yet."""
    return (
        rounds_for(user)
        .filter(status=AppraisalRound.Status.OPEN)
        .annotate(
            ungraded=Count("appraisals", filter=Q(appraisals__takes_grade=True, appraisals__grade=""), distinct=True)
        )
        .filter(ungraded__gt=0)
    )


# --- the member's timeline ----------------------------------------------------------------------------------


@timeline.source
def _appraisal_grades(member):
    """The grade of each closed round: the branch's decision, as the member's record keeps it."""
    appraisals = (
        Appraisal.objects.filter(member=member, round__status=AppraisalRound.Status.CLOSED)
        .select_related("round")
        .order_by("-round__year")
    )
    for appraisal in appraisals:
        if appraisal.grade:
            title = _("Democratic appraisal %(year)s: %(grade)s") % {
                "year": appraisal.round.year,
                "grade": appraisal.get_grade_display(),
            }
        else:
            title = _("Democratic appraisal %(year)s: took part without a grade") % {"year": appraisal.round.year}
        yield timeline.Event(
            timezone.localdate(appraisal.round.closed_at),
            "clipboard2-check",
            title,
            appraisal.follow_up if appraisal.grade in (Grade.BASIC, Grade.UNQUALIFIED) else "",
        )
