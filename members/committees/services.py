"""Writes of committees and terms (换届, DOMAIN.md §7): an election, and a post that changes mid-term.

Every write is atomic under the organisation's (or the term's) row lock, checks the rules again whatever the form
said, and records who did it (``created_by`` / ``ended_by``). The database keeps the last word: one current term
per organisation, one secretary per term, 3 to 5 years.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.models import PartyOrganization
from members.models import Member

from .models import MAX_TERM_YEARS, MIN_TERM_YEARS, CommitteeSeat, CommitteeTerm

Post = CommitteeSeat.Post
# Without a committee (fewer than seven full members) a branch elects a secretary and perhaps a deputy.
POSTS_WITHOUT_COMMITTEE = frozenset({Post.SECRETARY, Post.DEPUTY})


def term_years_message() -> str:
    return _("A term is %(min)d to %(max)d years (Party Constitution).") % {
        "min": MIN_TERM_YEARS,
        "max": MAX_TERM_YEARS,
    }


def eligibility_error(member: Member, organization: PartyOrganization, subtree: set[int]) -> str | None:
    """Why ``member`` cannot hold a post in ``organization``'s committee, or None.

    A post is held by a full member in normal standing of the organisation or a unit below it: a probationary
    member has no right to be elected (党章 art. 7), a suspended one none at all."""
    if member.organization_id not in subtree:
        return _("%(name)s is not a member of %(organization)s.") % {"name": member.name, "organization": organization}
    if not member.is_active_member:
        return _("%(name)s is not in normal standing here and cannot hold a post.") % {"name": member.name}
    if member.category != Member.Category.FULL:
        return _("%(name)s is a probationary member, who cannot be elected.") % {"name": member.name}
    return None


def _check_date(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


def _check_post(post: str, term_is_committee: bool) -> str | None:
    if post not in Post.values:
        return _("Choose a post.")
    if not term_is_committee and post not in POSTS_WITHOUT_COMMITTEE:
        return _("Without a committee only a secretary and a deputy secretary are elected.")
    return None


@transaction.atomic
def term_elect(
    *,
    organization: PartyOrganization,
    elected_on: datetime.date,
    term_years: int,
    is_committee: bool,
    seats: list[tuple[Member, str]],
    by,
    note: str = "",
) -> CommitteeTerm:
    """Record an election (换届) and its result.

    1. Lock the organisation, so two elections recorded at once cannot both find no current term.
    2. Check the term (3 to 5 years, not in the future, after the current term's election) and the seats:
       exactly one secretary, each person once, each a full member in normal standing of the organisation.
    3. End the current term on the election day, and every post still held in it.
    4. Create the new term (its end date from ``CommitteeTerm.end_of_term``) and its seats from that day.
    """
    organization = PartyOrganization.objects.select_for_update().get(pk=organization.pk)
    if organization.kind == PartyOrganization.Kind.GROUP:
        raise ValidationError(_("A party group does not elect a committee; its branch does."))
    errors: dict[str, list[str]] = {}
    if not MIN_TERM_YEARS <= int(term_years) <= MAX_TERM_YEARS:
        errors.setdefault("term_years", []).append(term_years_message())
    if elected_on > timezone.localdate():
        errors.setdefault("elected_on", []).append(_("This date is in the future."))
    current = CommitteeTerm.objects.select_for_update().filter(organization=organization, ended_on__isnull=True).first()
    if current is not None and elected_on <= current.elected_on:
        errors.setdefault("elected_on", []).append(
            _("The new election must come after the current term's, elected on %(date)s.")
            % {"date": current.elected_on.isoformat()}
        )
    elif current is not None and current.seats.filter(until__isnull=True, since__gt=elected_on).exists():
        errors.setdefault("elected_on", []).append(
            _("A post of the current term began after this day; check the election date.")
        )
    errors_of_seats = _seat_errors(organization, seats, is_committee)
    if errors_of_seats:
        errors["seats"] = errors_of_seats
    if errors:
        raise ValidationError(errors)

    if current is not None:
        current.seats.filter(until__isnull=True).update(until=elected_on, ended_by=by)
        current.ended_on = elected_on
        current.save(update_fields=["ended_on"])
    term = CommitteeTerm.objects.create(
        organization=organization,
        is_committee=is_committee,
        elected_on=elected_on,
        term_years=int(term_years),
        ends_on=CommitteeTerm.end_of_term(elected_on, int(term_years)),
        note=note,
        created_by=by,
    )
    CommitteeSeat.objects.bulk_create(
        CommitteeSeat(term=term, member=member, post=post, since=elected_on, created_by=by) for member, post in seats
    )
    return term


def _seat_errors(organization: PartyOrganization, seats: list[tuple[Member, str]], is_committee: bool) -> list[str]:
    errors = []
    secretaries = sum(1 for _member, post in seats if post == Post.SECRETARY)
    if secretaries != 1:
        errors.append(_("Exactly one secretary is elected."))
    seen = set()
    subtree = set(organization.subtree_ids())
    for member, post in seats:
        if member.pk in seen:
            errors.append(_("%(name)s is named twice; a person holds one post.") % {"name": member.name})
            continue
        seen.add(member.pk)
        problem = eligibility_error(member, organization, subtree) or _check_post(post, is_committee)
        if problem:
            errors.append(problem)
    return errors


@transaction.atomic
def seat_add(*, term: CommitteeTerm, member: Member, post: str, since: datetime.date, by) -> CommitteeSeat:
    """A post taken mid-term (a by-election, 补选, or a change of post after ``seat_end``).

    Under the term's row lock: the term is current, the day lies within it, the member may hold a post and holds
    none other in this term, and there is no second secretary."""
    term = CommitteeTerm.objects.select_for_update().select_related("organization").get(pk=term.pk)
    if term.ended_on is not None:
        raise ValidationError(_("This term has been replaced; posts change only in the current term."))
    _check_date(since, "since")
    if since < term.elected_on:
        raise ValidationError(
            {"since": _("The term began on %(date)s.") % {"date": term.elected_on.isoformat()}},
        )
    problem = eligibility_error(member, term.organization, set(term.organization.subtree_ids()))
    if problem:
        raise ValidationError({"member": problem})
    problem = _check_post(post, term.is_committee)
    if problem:
        raise ValidationError({"post": problem})
    held = term.seats.filter(until__isnull=True)
    if held.filter(member=member).exists():
        raise ValidationError(
            {"member": _("%(name)s already holds a post in this term; end it first.") % {"name": member.name}}
        )
    if post == Post.SECRETARY and held.filter(post=Post.SECRETARY).exists():
        raise ValidationError({"post": _("The term has a secretary; end that post first.")})
    return CommitteeSeat.objects.create(term=term, member=member, post=post, since=since, created_by=by)


@transaction.atomic
def seat_end(*, seat: CommitteeSeat, until: datetime.date, by, note: str = "") -> CommitteeSeat:
    """A post ends mid-term (the person moved away, resigned, or takes another post)."""
    seat = CommitteeSeat.objects.select_for_update().select_related("term", "member").get(pk=seat.pk)
    if seat.until is not None:
        raise ValidationError(_("This post has already ended."))
    _check_date(until, "until")
    if until < seat.since:
        raise ValidationError({"until": _("The post began on %(date)s.") % {"date": seat.since.isoformat()}})
    seat.until, seat.ended_by, seat.end_note = until, by, note
    seat.save(update_fields=["until", "ended_by", "end_note"])
    return seat
