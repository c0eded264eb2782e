"""Reads for service requests: the statistics page (per category and per handler over a period).

The numbers are worked out in Python from one query of the scoped rows of the period (a building has a few
hundred requests a year): three queries however many requests, categories or handlers there are.
"""

import datetime
import statistics as stats
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import BooleanField, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.models import User

from .models import ServiceCategory, ServiceRequest

Status = ServiceRequest.Status
OPEN_STATUSES = frozenset(str(status) for status in ServiceRequest.OPEN_STATUSES)  # plain strings, hashed as such


def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The moments a period of whole local days begins and ends (``end`` included)."""
    begins = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    ends = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    return begins, ends


def in_period(requests, start: datetime.date, end: datetime.date):
    """The requests submitted from ``start`` to ``end`` (both days included)."""
    begins, ends = period_bounds(start, end)
    return requests.filter(submitted_at__gte=begins, submitted_at__lt=ends)


@dataclass
class Line:
    """One row of a statistics table: a category, a handler or the total."""

    key: str
    label: str
    volume: int = 0
    open: int = 0
    overdue: int = 0
    resolved: int = 0
    rejected: int = 0
    withdrawn: int = 0
    hours: list = field(default_factory=list, repr=False)  # submitted → resolved, of each resolved request
    ratings: list = field(default_factory=list, repr=False)

    def add(self, status: str, past_due: bool, hours: float | None, rating: int | None) -> None:
        """Count one request: its status, whether its time limit has passed, the hours it took to resolve
        (None: not resolved) and its rating."""
        self.volume += 1
        if status in OPEN_STATUSES:
            self.open += 1
            if past_due:
                self.overdue += 1
        elif status == Status.REJECTED:
            self.rejected += 1
        elif status == Status.WITHDRAWN:
            self.withdrawn += 1
        if hours is not None:
            self.resolved += 1
            self.hours.append(hours)
        if rating is not None:
            self.ratings.append(rating)

    @property
    def median_hours(self) -> float | None:
        return stats.median(self.hours) if self.hours else None

    @property
    def median_display(self) -> str:
        """The median time to resolve, in hours under two days, else in days."""
        hours = self.median_hours
        if hours is None:
            return "—"
        if hours < 48:
            return _("%(n)s h") % {"n": _number(hours)}
        return _("%(n)s days") % {"n": _number(hours / 24)}

    @property
    def rating_count(self) -> int:
        return len(self.ratings)

    @property
    def average_rating(self) -> float | None:
        return round(sum(self.ratings) / len(self.ratings), 1) if self.ratings else None


def _number(value: float) -> str:
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


@dataclass
class Statistics:
    start: datetime.date
    end: datetime.date
    total: Line
    by_category: list[Line]
    by_handler: list[Line]

    def chart(self) -> dict:
        """Volume by category, for the bar chart (the table beside it has the same numbers)."""
        return {
            "labels": [line.label for line in self.by_category],
            "volume": [line.volume for line in self.by_category],
            "label": _("Requests"),
        }


def statistics(
    requests, *, start: datetime.date, end: datetime.date, categories=None, now: datetime.datetime | None = None
) -> Statistics:
    """Per category and per handler, of ``requests`` (already scoped) submitted from ``start`` to ``end``.

    ``categories`` (a queryset) are listed even when nobody asked for them in the period (active ones only);
    a category with requests is listed whatever its state. Three queries: the categories, the rows, the
    handlers' names.
    """
    now = now or timezone.now()
    # Whether the time limit has passed and how long resolving took are worked out by the database: a row is then
    # one interval to read rather than three moments (a district's year is thousands of rows).
    rows = list(
        in_period(requests, start, end)
        .order_by()
        .annotate(
            past_due=ExpressionWrapper(Q(due_at__lt=now), output_field=BooleanField()),
            took=ExpressionWrapper(F("resolved_at") - F("submitted_at"), output_field=DurationField()),
        )
        .values_list("category_id", "assigned_to_id", "status", "past_due", "took", "rating")
    )
    used = {row[0] for row in rows}
    category_rows = (
        ServiceCategory.objects.filter(Q(pk__in=used) | Q(pk__in=categories.filter(active=True).values("pk")))
        if categories is not None
        else ServiceCategory.objects.filter(pk__in=used)
    )
    category_rows = category_rows.select_related("building").order_by(
        "building__name", "-audience", "order", "name"
    )  # members first
    category_rows = list(category_rows)
    several = len({c.building_id for c in category_rows}) > 1  # a street viewer's buildings
    names = Counter((c.building_id, c.name) for c in category_rows)
    by_category: dict[int, Line] = {}
    for category in category_rows:
        label = category.name
        if names[category.building_id, category.name] > 1:  # 其他 for members and for enterprises
            label = f"{label}（{category.get_audience_display()}）"
        if several:
            label = f"{label}（{category.building.name}）"
        by_category[category.pk] = Line(key=str(category.pk), label=label)

    handler_ids = {row[1] for row in rows if row[1] is not None}
    handler_names = {u.pk: u.display_name for u in User.objects.filter(pk__in=handler_ids)} if handler_ids else {}
    by_handler: dict[int | None, Line] = {}
    total = Line(key="total", label=_("Total"))
    for category, handler, status, past_due, took, rating in rows:
        hours = None if took is None else took.total_seconds() / 3600
        total.add(status, past_due, hours, rating)
        by_category[category].add(status, past_due, hours, rating)
        if handler not in by_handler:
            label = handler_names.get(handler, "") if handler is not None else _("Not yet assigned")
            by_handler[handler] = Line(key=str(handler or ""), label=label)
        by_handler[handler].add(status, past_due, hours, rating)
    handlers = sorted(by_handler.values(), key=lambda line: (line.key == "", -line.volume, line.label))
    return Statistics(start=start, end=end, total=total, by_category=list(by_category.values()), by_handler=handlers)


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """This year so far."""
    today = today or timezone.localdate()
    return datetime.date(today.year, 1, 1), today
