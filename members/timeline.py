"""A member's life in the party, as dated events, newest first.

Other apps add their own events (dues, points, meetings, activities) by registering a source:
``@timeline.source`` on a function ``(member) -> iterable of Event``. Routine events that recur every month
(dues payments, points) name their ``routine``; the page folds them into one line per kind and year, so the
milestones (joining, becoming a full member, transfers) stay in view.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Member, Transfer

_sources = []


@dataclass(frozen=True)
class Event:
    date: datetime.date
    kind: str  # a Bootstrap Icons name without the prefix
    title: str
    detail: str = ""
    url: str = ""
    routine: str = ""  # e.g. "党费交纳": events of one routine fold into one line per year


@dataclass(frozen=True)
class Fold:
    """One line for a routine's events of one year, newest first; the page opens it on click."""

    year: int
    routine: str
    events: tuple[Event, ...]

    @property
    def date(self) -> datetime.date:
        return self.events[0].date

    @property
    def kind(self) -> str:
        return self.events[0].kind

    @property
    def title(self) -> str:
        return _("%(routine)s in %(year)s (%(count)s)") % {
            "routine": self.routine,
            "year": self.year,
            "count": len(self.events),
        }


def source(fn):
    _sources.append(fn)
    return fn


def events_for(member: Member) -> list[Event]:
    events = [event for fn in _sources for event in fn(member)]
    return sorted(events, key=lambda e: e.date, reverse=True)


def folded(events: list[Event]) -> list[Event | Fold]:
    """The timeline as shown: each milestone on its own line; a routine's events of one year on one line, placed
    where its newest event falls. ``events`` are newest first, as ``events_for`` gives them."""
    lines: list[Event | tuple[str, int]] = []
    groups: dict[tuple[str, int], list[Event]] = {}
    for event in events:
        if not event.routine:
            lines.append(event)
            continue
        key = (event.routine, event.date.year)
        if key not in groups:
            groups[key] = []
            lines.append(key)
        groups[key].append(event)
    return [
        Fold(year=line[1], routine=line[0], events=tuple(groups[line])) if isinstance(line, tuple) else line
        for line in lines
    ]


@source
def _party_life(member):
    yield Event(member.joined_on, "flag", _("Joined the party"), str(member.organization))
    if member.full_member_on:
        yield Event(member.full_member_on, "patch-check", _("Became a full member"))
    elif member.expected_full_on:
        yield Event(member.expected_full_on, "hourglass-split", _("Due to become a full member"), _("expected"))
    if member.status != Member.Status.NORMAL and member.status_changed_on:
        yield Event(member.status_changed_on, "exclamation-octagon", member.get_status_display(), member.status_note)
    if member.lost_contact_since:
        yield Event(member.lost_contact_since, "telephone-x", _("Lost contact"))


@source
def _transfers(member):
    for t in member.transfers.all():
        url = t.get_absolute_url()
        route = f"{t.from_name} → {t.to_name}"
        yield Event(
            t.issued_on,
            "envelope-paper",
            _("Transfer letter %(number)s issued") % {"number": t.letter_number},
            route,
            url,
        )
        if t.reported_on:
            yield Event(t.reported_on, "person-check", _("Reported to %(org)s") % {"org": t.to_name}, "", url)
        if t.receipt_returned_on:
            yield Event(t.receipt_returned_on, "envelope-check", _("Receipt returned"), route, url)
        if t.closed_on:
            yield Event(t.closed_on, "archive", _("Transfer closed"), t.letter_number, url)
        if t.status == Transfer.Status.CANCELLED and t.cancelled_on:
            yield Event(t.cancelled_on, "x-circle", _("Transfer cancelled"), t.cancel_reason, url)
        if t.status == Transfer.Status.EXPIRED:
            yield Event(t.expires_on, "calendar-x", _("Transfer letter expired"), t.letter_number, url)


@source
def _mobile_periods(member):
    for p in member.mobile_periods.all():
        yield Event(p.since, "geo-alt", _("Left as a mobile member"), p.destination)
        if p.until:
            yield Event(p.until, "house-check", _("Back from %(place)s") % {"place": p.destination})
