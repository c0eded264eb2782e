"""Reading home visits and the hardship register. Scope is ``for_user`` on each model; these build on it.

Every function here takes the same number of queries however many rows there are.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.models import PartyOrganization
from buildingparty.scope import by_organization
from enterprises.models import Enterprise
from members.models import Member, in_party_q

from .models import Assistance, HardshipRecord, HomeVisit

PICK_LIMIT = 20  # a search offers at most this many names: never a list of the whole building
HISTORY_SHOWN = 3  # help lines per member on the register page


def money(value) -> Decimal:
    """A sum from the database as yuan to the fen (SQLite sums decimals as floats)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


# --- picking whom to visit ----------------------------------------------------------------------------------


def member_matches(user, q: str) -> QuerySet:
    """Members in the user's reach (a secretary: her branch and its groups) still in the party and here, whose
    name, pinyin initials or phone match ``q``. Without ``q``: those in hardship and the mobile members, whom a
    branch visits most. Callers slice to ``PICK_LIMIT``."""
    members = Member.objects.for_user(user).filter(in_party_q()).select_related("organization")
    q = q.strip()
    if not q:
        return members.filter(Q(is_hardship=True) | Q(is_mobile=True)).order_by("-is_hardship", "name", "pk")
    condition = Q(name__icontains=q)
    if q.isascii() and q.isalpha():
        condition |= Q(name_initials__startswith=q.lower())
    if q.isdigit():
        condition |= Q(phone__contains=q)
    return members.filter(condition).order_by("name", "pk")


def enterprise_matches(user, q: str) -> QuerySet:
    """Enterprises of the user's building still in it, by name, room or credit code; without ``q`` none."""
    q = q.strip()
    if not q:
        return Enterprise.objects.none()
    return (
        Enterprise.objects.for_user(user)
        .filter(status=Enterprise.Status.ACTIVE)
        .filter(Q(name__icontains=q) | Q(room__icontains=q) | Q(credit_code__icontains=q.upper()))
        .order_by("name", "pk")
    )


# --- follow-ups ---------------------------------------------------------------------------------------------


def follow_ups(visits: QuerySet, today: datetime.date | None = None) -> dict:
    """For a secretary's home panel: how many follow-ups are overdue and due within a week, and the first few
    of them, oldest date first. Three queries."""
    today = today or timezone.localdate()
    overdue = visits.follow_up_overdue(today)
    due = visits.follow_up_due(today)
    shown = list(
        visits.follow_up_open()
        .filter(follow_up_on__lte=today + datetime.timedelta(days=7))
        .select_related("member", "enterprise")
        .order_by("follow_up_on", "pk")[:5]
    )
    return {"overdue": overdue.count(), "due": due.count(), "visits": shown, "today": today}


# --- help history -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitLink:
    """The visit a help line comes from: its pk and its page, without loading the visit."""

    pk: int

    def get_absolute_url(self) -> str:
        return reverse("visits:detail", args=[self.pk])


@dataclass(frozen=True)
class Help:
    """One line of a member's help history: a visit with help given, or assistance outside a visit."""

    date: datetime.date
    what: str
    amount: Decimal | None
    source: str
    visit: VisitLink | None = None


def help_history(member_ids) -> dict[int, list[Help]]:
    """member_id → her help, newest first: the visits to her (or her family) with help given, and the assistance
    recorded. Two queries, however many members; the lines are built from plain rows (a register page reads a
    couple of hundred, and model instances cost more than the rest of the page)."""
    found: dict[int, list[Help]] = defaultdict(list)
    visits = (
        HomeVisit.objects.filter(member_id__in=member_ids)
        .filter(~Q(help_given="") | Q(help_amount__isnull=False))
        # A help line reads these (and the visit's pk for its link); not the visit's notes.
        .order_by("-visited_on", "-pk")
        .values_list(
            "pk",
            "member_id",
            "kind",
            "visited_on",
            "help_given",
            "help_amount",
            "organization_id",
            "organization__name",
        )
    )
    # Labels translated once per call, not once per line (``get_…_display`` and gettext cost per row).
    kinds = {value: str(label) for value, label in HomeVisit.Kind.choices}
    sources = {value: str(label) for value, label in Assistance.Source.choices}
    visit_by: dict[int, str] = {}
    for pk, member_id, kind, visited_on, help_given, help_amount, organization_id, organization_name in visits:
        if organization_id not in visit_by:
            visit_by[organization_id] = _("Visit by %(organization)s") % {"organization": organization_name}
        found[member_id].append(
            Help(
                date=visited_on,
                what=help_given or kinds.get(kind, kind),
                amount=help_amount,
                source=visit_by[organization_id],
                visit=VisitLink(pk),
            )
        )
    assistance = (
        Assistance.objects.filter(member_id__in=member_ids)
        .order_by("-given_on", "-pk")
        .values_list("member_id", "given_on", "what", "amount", "source", "source_name")
    )
    for member_id, given_on, what, amount, source, source_name in assistance:
        source = sources.get(source, source)
        found[member_id].append(
            Help(
                date=given_on,
                what=what,
                amount=amount,
                source=f"{source}（{source_name}）" if source_name else source,
            )
        )
    for lines in found.values():
        lines.sort(key=lambda line: line.date, reverse=True)
    return dict(found)


def help_total(lines: list[Help], year: int | None = None) -> Decimal:
    return money(sum((line.amount or 0) for line in lines if year is None or line.date.year == year))


@dataclass
class RegisterRow:
    record: HardshipRecord
    history: list[Help]
    year_total: Decimal

    @property
    def latest(self) -> list[Help]:
        return self.history[:HISTORY_SHOWN]


def register_rows(records, year: int) -> list[RegisterRow]:
    """The hardship register's page of records, each with the member's help history and this year's amount.
    Two queries besides the records'."""
    records = list(records)
    history = help_history([r.member_id for r in records])
    rows = []
    for record in records:
        lines = history.get(record.member_id, [])
        rows.append(RegisterRow(record, lines, help_total(lines, year)))
    return rows


def unrecorded_hardship(user) -> QuerySet:
    """Members the member register shows in hardship without a current record in the hardship register (marked
    on the member's form): the register page asks the secretary to open one."""
    current = HardshipRecord.objects.filter(member=OuterRef("pk"), status=HardshipRecord.Status.CURRENT)
    return (
        Member.objects.for_user(user)
        .filter(in_party_q(), is_hardship=True)
        .filter(~Exists(current))
        .select_related("organization")
        .order_by("name", "pk")
    )


# --- counts (the street, and every officer) -----------------------------------------------------------------


@dataclass
class SummaryRow:
    organization: PartyOrganization
    visits: int = 0
    help: int = 0
    mentor: int = 0
    enquire: int = 0
    overdue: int = 0
    hardship: int = 0
    amount: Decimal = Decimal("0.00")


def summary(user, year: int, today: datetime.date | None = None) -> list[SummaryRow]:
    """Per organisation in reach, the year's visits by kind, follow-ups overdue now, members on the hardship
    register now and the help given in the year in yuan (visits and assistance): counts only, no names, so the
    street sees how the work goes without anybody's personal data. Six queries."""
    today = today or timezone.localdate()
    found = PartyOrganization.objects.for_user(user).exclude(kind=PartyOrganization.Kind.GROUP)
    general = PartyOrganization.Kind.GENERAL_BRANCH
    organizations = {
        o.pk: o
        for o in sorted(found.select_related("building"), key=lambda o: (o.building.name, o.kind != general, o.name))
    }
    rows = {pk: SummaryRow(o) for pk, o in organizations.items()}
    branch_of = _branch_of(organizations)

    def row_for(organization_id):
        return rows.get(branch_of.get(organization_id))

    visits = by_organization(user, HomeVisit.objects.all(), "organization")
    per_kind = (
        visits.filter(visited_on__year=year)
        .values("organization_id", "kind")
        .annotate(n=Count("pk"), amount=Sum("help_amount"))
        .order_by()
    )
    for line in per_kind:
        row = row_for(line["organization_id"])
        if row is None:
            continue
        setattr(row, line["kind"], line["n"])
        row.visits += line["n"]
        row.amount += money(line["amount"])
    overdue = visits.follow_up_overdue(today).values("organization_id").annotate(n=Count("pk")).order_by()
    for line in overdue:
        if row := row_for(line["organization_id"]):
            row.overdue = line["n"]
    current = (
        by_organization(user, HardshipRecord.objects.current(), "member__organization")
        .values("member__organization_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for line in current:
        if row := row_for(line["member__organization_id"]):
            row.hardship += line["n"]
    given = (
        by_organization(user, Assistance.objects.filter(given_on__year=year), "member__organization")
        .values("member__organization_id")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for line in given:
        if row := row_for(line["member__organization_id"]):
            row.amount += money(line["amount"])
    return list(rows.values())


def _branch_of(organizations: dict) -> dict[int, int]:
    """organisation id → the id of the row it counts under: itself, or for a party group its branch (one query)."""
    mapping = {pk: pk for pk in organizations}
    groups = PartyOrganization.objects.filter(kind=PartyOrganization.Kind.GROUP, parent_id__in=list(organizations))
    for pk, parent_id in groups.values_list("pk", "parent_id"):
        mapping[pk] = parent_id
    return mapping


def years_offered(today: datetime.date | None = None) -> list[int]:
    """This year and the four before it."""
    year = (today or timezone.localdate()).year
    return list(range(year, year - 5, -1))
