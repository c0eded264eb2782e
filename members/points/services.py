"""Points (积分, DOMAIN.md §8): the default rules, the registry of automatic sources, and every write.

Rules are data (``PointRule`` per building); the code only knows the codes of the automatic rules. Another app
adds a source of automatic points in a few lines, registered when its module is imported (its AppConfig)::

    from members.points import services as points

    @points.source("meeting_attendance")
    def attended_meetings(building_id, since, until):
        for a in Attendance.objects.filter(...):
            yield a.member_id, f"activities.attendance:{a.pk}", a.meeting.held_on, a.meeting.title

``credit_automatic`` (the nightly job ``members.credit_points``) runs every source and credits each
(member, rule, source) once; ``credit`` credits one record at once, for a service that wants no delay.

Every write of a rule's entries first locks the rule's row: the yearly cap is a sum over the member's entries,
and two writers adding to the same sum at the same moment could otherwise both see room under the cap. The
unique constraint on (member, rule, source) is the second guard: a source can never be credited twice.
"""

import datetime
import os
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buildingparty.models import Building
from buildingparty.notifications import notify
from buildingparty.officers import officers_of
from buildingparty.services import stored
from members.models import Member
from members.points.models import PointEntry, PointRule, PointYear

Kind = PointRule.Kind
Status = PointEntry.Status

# --- default rules ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefaultRule:
    code: str
    name: object  # a lazy translation, stored in the site's language
    points: int
    kind: str
    yearly_cap: int | None
    description: object = ""


# Local practice (DOMAIN.md §8): a base score of 60, about 40 more for a year of ordinary participation, a few
# for what a member reports, and deductions for what a member failed to do. Admins change all of it.
DEFAULT_RULES = [
    DefaultRule(
        "dues_on_time",
        gettext_lazy("Dues paid on time"),
        2,
        Kind.AUTOMATIC,
        24,
        gettext_lazy("Each month's dues paid in full by the end of the month."),
    ),
    DefaultRule(
        "meeting_attendance",
        gettext_lazy("Attended organisational life"),
        2,
        Kind.AUTOMATIC,
        40,
        gettext_lazy("Each branch meeting, group meeting, party lesson or theme party day attended."),
    ),
    DefaultRule(
        "volunteering",
        gettext_lazy("Volunteer service"),
        3,
        Kind.AUTOMATIC,
        30,
        gettext_lazy("Each volunteer activity of the building the member took part in."),
    ),
    DefaultRule(
        "study_hours",
        gettext_lazy("Study hours"),
        1,
        Kind.AUTOMATIC,
        32,
        gettext_lazy("Each study hour recorded; 32 hours are required in a year."),
    ),
    DefaultRule(
        "volunteer_claimed",
        gettext_lazy("Volunteer service elsewhere (claimed)"),
        3,
        Kind.CLAIMED,
        15,
        gettext_lazy("Volunteer work outside the building's activities, with a certificate or photo."),
    ),
    DefaultRule(
        "study_claimed",
        gettext_lazy("Study or training elsewhere (claimed)"),
        2,
        Kind.CLAIMED,
        10,
        gettext_lazy("A course, lecture or online study outside the branch, with a certificate or screenshot."),
    ),
    DefaultRule(
        "honour",
        gettext_lazy("Honour or award received (claimed)"),
        5,
        Kind.CLAIMED,
        20,
        gettext_lazy("An honour from the party, the employer or the community, with the certificate."),
    ),
    DefaultRule(
        "suggestion_adopted",
        gettext_lazy("Suggestion adopted (claimed)"),
        2,
        Kind.CLAIMED,
        10,
        gettext_lazy("A suggestion to the branch or the building that was taken up."),
    ),
    DefaultRule(
        "meeting_absent",
        gettext_lazy("Missed a meeting without leave"),
        -2,
        Kind.DEDUCTION,
        20,
        gettext_lazy("Absent from organisational life without asking for leave."),
    ),
    DefaultRule(
        "activity_no_show",
        gettext_lazy("Signed up but did not come"),
        -1,
        Kind.DEDUCTION,
        10,
        gettext_lazy("Signed up for an activity and stayed away without notice."),
    ),
    DefaultRule(
        "conduct",
        gettext_lazy("Breach of the members' code of conduct"),
        -5,
        Kind.DEDUCTION,
        None,
        gettext_lazy("As decided by the branch committee; the reason is recorded."),
    ),
]


def ensure_default_rules(building: Building) -> int:
    """Add the default rules the building does not have (by code). Rules it has, edited or not, stay as they
    are. Safe to run twice and at the same moment. Returns how many rules were added."""
    existing = set(PointRule.objects.filter(building=building).values_list("code", flat=True))
    missing = [
        PointRule(
            building=building,
            code=rule.code,
            name=stored(rule.name),
            points=rule.points,
            kind=rule.kind,
            yearly_cap=rule.yearly_cap,
            description=stored(rule.description),
        )
        for rule in DEFAULT_RULES
        if rule.code not in existing
    ]
    PointRule.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


# --- base score ---------------------------------------------------------------------------------------------


def base_score(building_id: int, year: int) -> int:
    """The score every member of the building starts ``year`` with."""
    score = PointYear.objects.filter(building_id=building_id, year=year).values_list("base_score", flat=True).first()
    return settings.POINTS_BASE_SCORE if score is None else score


@transaction.atomic
def point_year_set(*, building: Building, year: int, base_score: int) -> PointYear:
    point_year, _created = PointYear.objects.update_or_create(
        building=building, year=year, defaults={"base_score": base_score}
    )
    return point_year


# --- rules --------------------------------------------------------------------------------------------------


@transaction.atomic
def rule_save(*, rule: PointRule) -> PointRule:
    """Save a new or edited rule. A rule with entries keeps its code and kind: its entries were credited by
    them (and automatic sources find their rule by its code)."""
    if rule.pk:
        old = PointRule.objects.select_for_update().get(pk=rule.pk)
        if (old.code != rule.code or old.kind != rule.kind) and old.entries.exists():
            raise ValidationError(_("This rule has entries: its code and kind cannot change."), code="in_use")
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def rule_retire(*, rule: PointRule) -> bool:
    """Delete a rule nobody has points from; a rule in use is only taken out of use. Returns True if deleted."""
    rule = PointRule.objects.select_for_update().get(pk=rule.pk)
    if rule.entries.exists():
        if rule.is_active:
            rule.is_active = False
            rule.save(update_fields=["is_active"])
        return False
    rule.delete()
    return True


# --- the cap ------------------------------------------------------------------------------------------------


def _lock_rule(rule: PointRule) -> PointRule:
    """Lock the rule's row for the rest of the transaction: every writer of its entries takes this lock."""
    return PointRule.objects.select_for_update().get(pk=rule.pk)


def _counted_sums(rule: PointRule, *, years: Iterable[int], member_ids: Iterable[int] | None = None) -> dict:
    """(member_id, year) → the points the member already has from the rule (approved entries)."""
    entries = PointEntry.objects.filter(rule=rule, year__in=set(years), status=Status.APPROVED)
    if member_ids is not None:
        entries = entries.filter(member_id__in=set(member_ids))
    rows = entries.values("member_id", "year").annotate(total=Sum("points")).order_by()
    return {(row["member_id"], row["year"]): row["total"] or 0 for row in rows}


def capped_points(rule: PointRule, already: int, points: int | None = None) -> int:
    """What one more entry of ``rule`` (worth ``points``, by default the rule's) is worth to a member who
    already has ``already`` from it this year: less whatever would pass the yearly cap, 0 at the cap.
    Deductions count the same way, by their size."""
    points = rule.points if points is None else points
    if rule.yearly_cap is None:
        return points
    room = max(rule.yearly_cap - abs(already), 0)
    size = min(abs(points), room)
    return size if points > 0 else -size


# --- automatic sources --------------------------------------------------------------------------------------

# code → {function name: function}; keyed by name so a module imported twice registers its source once.
_sources: dict[str, dict[str, Callable]] = defaultdict(dict)


def source(rule_code: str):
    """Register a source of automatic entries for the rule with this code.

    The function takes ``(building_id, since, until)`` and yields ``(member_id, source_key, occurred_on, note)``
    for the records of that building from ``since`` to ``until`` (both dates included). ``source_key`` names
    the record, as "app_label.model:pk"; each member, rule and key is credited once, however often it is
    yielded. A record worth more than one unit of the rule (a study session of 3 hours under "each study hour")
    adds its ``quantity`` as a fifth element: it is credited the rule's points times the quantity (``worth``)."""

    def decorator(fn):
        _sources[rule_code][f"{fn.__module__}.{fn.__qualname__}"] = fn
        return fn

    return decorator


def registered_sources() -> dict[str, list[Callable]]:
    return {code: list(functions.values()) for code, functions in _sources.items() if functions}


@dataclass(frozen=True)
class Item:
    member_id: int
    source: str
    occurred_on: datetime.date
    note: str = ""
    quantity: Decimal | int = 1


def worth(rule: PointRule, quantity: Decimal | int = 1) -> int:
    """What a record of ``quantity`` units is worth under ``rule`` before the cap: the rule's points times the
    quantity, to whole points (half up: 1.5 hours at 1 point an hour are 2 points)."""
    if quantity == 1:
        return rule.points
    return int((Decimal(rule.points) * Decimal(str(quantity))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def default_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """From the start of last year to today: records entered late still count for the year they belong to."""
    today = today or timezone.localdate()
    return datetime.date(today.year - 1, 1, 1), today


def credit_automatic(
    *, building_id: int | None = None, since: datetime.date | None = None, until: datetime.date | None = None
) -> dict:
    """Run every registered source for each building (or one) and credit what is new.

    1. For each building and each registered code, the building's rule in use with that code (none: skipped,
       counted as ``no_rule``).
    2. The source's records from ``since`` to ``until`` (default: ``default_window``).
    3. ``_credit_items``: under the rule's lock, the new records, each worth what the yearly cap leaves.

    Returns counts: ``credited`` new entries, ``capped`` of them worth less than the rule (0 at the cap),
    ``points`` credited in all, ``existing`` records credited before, ``no_rule`` (building, code) pairs
    without a rule in use.
    """
    default_since, default_until = default_window()
    since, until = since or default_since, until or default_until
    buildings = [building_id] if building_id else list(Building.objects.order_by("pk").values_list("pk", flat=True))
    sources = registered_sources()
    counts = Counter({"credited": 0, "capped": 0, "points": 0, "existing": 0, "no_rule": 0})
    for bid in buildings:
        rules = {
            rule.code: rule
            for rule in PointRule.objects.filter(
                building_id=bid, kind=Kind.AUTOMATIC, is_active=True, code__in=list(sources)
            )
        }
        for code in sorted(sources):
            rule = rules.get(code)
            if rule is None:
                counts["no_rule"] += 1
                continue
            items = [Item(*row) for fn in sources[code] for row in fn(bid, since, until)]
            counts.update(_credit_items(rule, items))
    return dict(counts)


@transaction.atomic
def _credit_items(rule: PointRule, items: list[Item]) -> Counter:
    counts = Counter()
    if not items:
        return counts
    rule = _lock_rule(rule)
    if not rule.is_active or rule.kind != Kind.AUTOMATIC:  # changed since it was read
        return counts
    # The same record may be yielded twice (two sources, one record); it is credited once.
    unique = {(item.member_id, item.source): item for item in items}
    done = set()
    keys = sorted({key for _member, key in unique})
    for start in range(0, len(keys), 500):
        done.update(
            PointEntry.objects.filter(rule=rule, source__in=keys[start : start + 500]).values_list(
                "member_id", "source"
            )
        )
    new = sorted(
        (item for key, item in unique.items() if key not in done), key=lambda i: (i.member_id, i.occurred_on, i.source)
    )
    counts["existing"] += len(unique) - len(new)
    sums = _counted_sums(rule, years={i.occurred_on.year for i in new}, member_ids={i.member_id for i in new})
    entries = []
    for item in new:
        key = (item.member_id, item.occurred_on.year)
        full = worth(rule, item.quantity)
        points = capped_points(rule, sums.get(key, 0), full)
        sums[key] = sums.get(key, 0) + points
        counts["capped"] += points != full
        counts["points"] += points
        entries.append(
            PointEntry(
                member_id=item.member_id,
                rule=rule,
                year=item.occurred_on.year,
                occurred_on=item.occurred_on,
                points=points,
                source=item.source,
                note=item.note[:200],
                status=Status.APPROVED,
            )
        )
    # The unique (member, rule, source) is the guard: a row written meanwhile is skipped, not counted (the rule's
    # rows counted before and after, under its lock: two queries, however many entries).
    before = PointEntry.objects.filter(rule=rule).count()
    PointEntry.objects.bulk_create(entries, batch_size=500, ignore_conflicts=True)
    counts["credited"] += PointEntry.objects.filter(rule=rule).count() - before
    return counts


@transaction.atomic
def credit(
    *,
    rule_code: str,
    member: Member,
    source: str,
    occurred_on: datetime.date,
    note: str = "",
    quantity: Decimal | int = 1,
) -> PointEntry | None:
    """Credit one record now (a service that wants no delay; the nightly job would find it too). Returns the
    entry, the one credited before for the same source, or None when the building has no such rule in use.
    ``quantity``: as a source's fifth element (``worth``)."""
    if not source:
        raise ValueError("an automatic entry needs its source")
    building_id = member.organization.building_id
    rule = PointRule.objects.filter(building_id=building_id, code=rule_code, kind=Kind.AUTOMATIC).first()
    if rule is None:
        return None
    rule = _lock_rule(rule)
    if not rule.is_active:
        return None
    existing = PointEntry.objects.filter(member=member, rule=rule, source=source).first()
    if existing is not None:
        return existing
    already = _counted_sums(rule, years=[occurred_on.year], member_ids=[member.pk]).get(
        (member.pk, occurred_on.year), 0
    )
    return PointEntry.objects.create(
        member=member,
        rule=rule,
        year=occurred_on.year,
        occurred_on=occurred_on,
        points=capped_points(rule, already, worth(rule, quantity)),
        source=source,
        note=note[:200],
        status=Status.APPROVED,
    )


# --- claims and deductions ----------------------------------------------------------------------------------

# The type a file is served with comes from its extension; its first bytes must agree.
EVIDENCE_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
MAX_EVIDENCE_SIZE = 10 * 1024 * 1024


def evidence_content_type(name: str) -> str:
    return EVIDENCE_TYPES[os.path.splitext(name)[1].lower()][0]


def _notify_branch(member: Member, *, event: str, context: dict, url: str, dedupe_key: str):
    """The secretaries who reach the member's branch; the building's admins when none does."""
    notify(users=officers_of(member.organization_id), event=event, context=context, url=url, dedupe_key=dedupe_key)


def _check_date(occurred_on: datetime.date, field: str = "occurred_on"):
    today = timezone.localdate()
    if occurred_on > today:
        raise ValidationError({field: _("This date is in the future.")})
    if occurred_on.year < today.year - 1:
        raise ValidationError({field: _("Points can be recorded for this year and last year only.")})


def _check_rule(rule: PointRule, member: Member, kind: str):
    if rule.kind != kind or not rule.is_active or rule.building_id != member.organization.building_id:
        raise ValidationError({"rule": _("Choose one of the rules in use.")})


@transaction.atomic
def claim_submit(*, member: Member, rule: PointRule, occurred_on: datetime.date, note: str, evidence, by) -> PointEntry:
    """A member claims points under a claimed rule, with evidence; the claim waits for their secretary."""
    _check_rule(rule, member, Kind.CLAIMED)
    _check_date(occurred_on)
    if not note.strip():
        raise ValidationError({"note": _("Say what the points are for.")})
    if evidence is None:
        raise ValidationError({"evidence": _("Attach the evidence: a photo or a PDF.")})
    if not isinstance(evidence, FieldFile):  # an upload; a file already in storage is referred to as it is
        # Stored under a random name: nobody can guess another member's file.
        evidence.name = f"{uuid.uuid4().hex}{os.path.splitext(evidence.name)[1].lower()}"
    entry = PointEntry.objects.create(
        member=member,
        rule=rule,
        year=occurred_on.year,
        occurred_on=occurred_on,
        points=rule.points,
        note=note.strip()[:200],
        evidence=evidence,
        status=Status.PENDING,
        created_by=by,
    )
    _notify_branch(
        member,
        event="points_claim_submitted",
        context={"entry": entry, "member": member, "rule": rule},
        url=reverse("points:claims"),
        dedupe_key=f"points-claim-submitted:{entry.pk}",
    )
    return entry


@transaction.atomic
def claim_decide(*, entry: PointEntry, approve: bool, decided_by, note: str = "") -> PointEntry:
    """The secretary approves a claim (worth what the yearly cap leaves) or rejects it with a reason; the
    member is told."""
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"decision_note": _("Please give the member a reason for rejecting.")})
    entry = PointEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != Status.PENDING:
        raise ValidationError(_("This claim has already been decided."), code="decided")
    rule = _lock_rule(entry.rule)
    if approve:
        already = _counted_sums(rule, years=[entry.year], member_ids=[entry.member_id]).get(
            (entry.member_id, entry.year), 0
        )
        # Worth what was claimed (the rule's points on the day), less what the cap takes off.
        entry.points = capped_points(rule, already, entry.points)
        entry.status = Status.APPROVED
    else:
        entry.status = Status.REJECTED
    entry.decided_by, entry.decided_at, entry.decision_note = decided_by, timezone.now(), note[:200]
    entry.save(update_fields=["points", "status", "decided_by", "decided_at", "decision_note"])
    member = Member.objects.select_related("user").get(pk=entry.member_id)
    if member.user_id:
        notify(
            users=[member.user],
            event="points_claim_approved" if approve else "points_claim_rejected",
            context={"entry": entry, "rule": rule, "note": note},
            url=reverse("points:mine") + f"?year={entry.year}",
            dedupe_key=f"points-claim-decided:{entry.pk}",
        )
    return entry


@transaction.atomic
def deduction_record(*, member: Member, rule: PointRule, occurred_on: datetime.date, note: str, by) -> PointEntry:
    """The secretary takes points off a member under a deduction rule, with the reason; the member is told."""
    _check_rule(rule, member, Kind.DEDUCTION)
    _check_date(occurred_on)
    if not note.strip():
        raise ValidationError({"note": _("Record the reason for the deduction.")})
    rule = _lock_rule(rule)
    already = _counted_sums(rule, years=[occurred_on.year], member_ids=[member.pk]).get(
        (member.pk, occurred_on.year), 0
    )
    entry = PointEntry.objects.create(
        member=member,
        rule=rule,
        year=occurred_on.year,
        occurred_on=occurred_on,
        points=capped_points(rule, already),
        note=note.strip()[:200],
        status=Status.APPROVED,
        created_by=by,
        decided_by=by,
        decided_at=timezone.now(),
    )
    if member.user_id:
        notify(
            users=[member.user],
            event="points_deducted",
            context={"entry": entry, "rule": rule},
            url=reverse("points:mine") + f"?year={entry.year}",
            dedupe_key=f"points-deducted:{entry.pk}",
        )
    return entry
