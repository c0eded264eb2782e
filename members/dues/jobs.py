"""Scheduled jobs (see buildingparty/jobs.py); imported by the AppConfig so they register.

Party dues (DOMAIN.md §6): the month's bills on the 1st, a reminder on the 20th to members who have not paid
the month, and a daily look at arrears (3 months: remind the member and the secretary; 6 consecutive months
without a valid reason: flag the member to the secretary as a 按自行脱党处理 candidate). Each notification has a
dedupe key per member and month or arrears run, so a job run twice, or twice at once, tells each person once.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty import jobs
from buildingparty.notifications import Notice, notify_bulk
from buildingparty.officers import Officers
from members.dues.models import DuesBill, first_of_month, month_label
from members.dues.selectors import OPEN, arrears_map
from members.models import Member, active_q

from . import services

# Members (or bills) read and told per batch: memory and queries stay flat however many members there are.
BATCH = 1000


@jobs.job(
    "members.generate_dues",
    schedule=jobs.crontab(minute="10", hour="1", day_of_month="1"),
    description=_(
        "Make the month's party dues bills for every paying member (month as YYYY-MM, default the current "
        "month). Members without a confirmed dues standard are counted, not billed."
    ),
    counts={
        "month": _("month"),
        "paying": _("paying members"),
        "created": _("bills made"),
        "existing": _("bills already made"),
        "exempt": _("bills of zero (exempt)"),
        "missing_standard": _("members without a confirmed standard"),
        "notified": _("members notified"),
    },
)
def generate_dues(*, month: str | None = None, building_id: int | None = None) -> dict:
    day = services.parse_month(month) if month else timezone.localdate()
    return services.generate_bills(month=day, building_id=building_id)


@jobs.job(
    "members.dues_reminders",
    schedule=jobs.crontab(minute="0", hour="9", day_of_month="20"),
    description=_("Remind members who have not yet paid this month's party dues. Once per member and month."),
    counts={"unpaid": _("members not yet paid"), "reminded": _("reminders sent")},
)
def dues_reminders(*, today: str | None = None) -> dict:
    """The month's open bills of members with an account, read in chunks and told in batches (``notify_bulk``):
    the same few queries however many members."""
    month = first_of_month(jobs.job_day(today))
    bills = DuesBill.objects.filter(
        OPEN,
        active_q("member__"),
        month=month,
        member__user__isnull=False,
        amount__gt=0,
    ).select_related("member")
    url = reverse("dues:mine")
    label = month_label(month)
    counts = {"unpaid": 0, "reminded": 0}

    def notices():
        for bill in (b for rows in jobs.in_batches(bills, BATCH) for b in rows):
            counts["unpaid"] += 1
            yield Notice(
                bill.member.user_id,
                {"month": label, "amount": bill.outstanding},
                url=url,
                dedupe_key=f"dues:reminder:{bill.member_id}:{month:%Y-%m}",
            )

    counts["reminded"] = notify_bulk(notices(), event="dues_reminder", batch_size=BATCH)
    return counts


@jobs.job(
    "members.arrears_flags",
    schedule=jobs.crontab(minute="30", hour="8"),
    description=_(
        "Look at party dues arrears: three unpaid months remind the member and their secretary; six consecutive "
        "months without a valid reason flag the member to the secretary as a candidate to be treated as having "
        "left the party (a person decides). Once per member and arrears run."
    ),
    counts={
        "in_arrears": _("members in arrears"),
        "member_reminders": _("reminders to members"),
        "secretary_reminders": _("reminders to secretaries"),
        "candidates": _("candidate notices to secretaries"),
    },
)
def arrears_flags(*, today: str | None = None) -> dict:
    """Members with open bills before this month, in keyset batches of ``BATCH``: per batch the members, their
    arrears (``arrears_map``), their officers (``Officers``) and three ``notify_bulk`` calls (members first, as
    the member and the secretary share a key), a fixed number of queries however many members are behind."""
    day = jobs.job_day(today)
    current = first_of_month(day)
    behind = (
        Member.objects.active()
        .filter(pk__in=DuesBill.objects.filter(OPEN, month__lt=current).values("member_id"))
        .select_related("organization")
    )
    counts = {"in_arrears": 0, "member_reminders": 0, "secretary_reminders": 0, "candidates": 0}
    mine, arrears_url = reverse("dues:mine"), reverse("dues:arrears") + "?candidates=on"
    for rows in jobs.in_batches(behind, BATCH):
        members = {m.pk: m for m in rows}
        arrears = arrears_map(members, today=day)
        counts["in_arrears"] += len(arrears)
        officers = Officers(m.organization_id for m in members.values())
        to_members, to_secretaries, candidates = [], [], []
        for member_id, debt in sorted(arrears.items()):
            if not debt.needs_reminder:
                continue
            member = members[member_id]
            context = {
                "name": member.name,
                "branch": member.organization.name,
                "count": debt.count,
                "oldest": month_label(debt.oldest),
                "owed": debt.owed,
            }
            key = f"dues:arrears:{member_id}:{debt.oldest:%Y-%m}"
            staff = officers.of(member.organization_id)
            to_members.append(Notice(member.user_id, context, url=mine, dedupe_key=key))
            secretary_url = reverse("dues:member", args=[member_id])
            to_secretaries += [Notice(u.pk, context, url=secretary_url, dedupe_key=key) for u in staff]
            if debt.is_candidate:
                candidate = {**context, "run": debt.longest_run, "since": month_label(debt.longest_run_start)}
                candidate_key = f"dues:candidate:{member_id}:{debt.longest_run_start:%Y-%m}"
                candidates += [Notice(u.pk, candidate, url=arrears_url, dedupe_key=candidate_key) for u in staff]
        counts["member_reminders"] += notify_bulk(to_members, event="dues_arrears")
        counts["secretary_reminders"] += notify_bulk(to_secretaries, event="dues_arrears_secretary")
        counts["candidates"] += notify_bulk(candidates, event="dues_candidate")
    return counts


@jobs.job(
    "members.dues_declaration_round",
    schedule=jobs.crontab(minute="0", hour="9", day_of_month="1", month_of_year="12"),
    description=_(
        "On 1 December, ask every paying member with an account to declare their dues base for the coming year, "
        "so their secretary can confirm it before January's bills. Once per member and year."
    ),
    counts={
        "paying": _("paying members"),
        "already": _("members with a standard already"),
        "without_account": _("members without an account"),
        "notified": _("members notified"),
    },
)
def dues_declaration_round(*, year: int | None = None, today: str | None = None) -> dict:
    from members.dues.services import ask_to_declare

    year = int(year) if year else jobs.job_day(today).year + 1
    return ask_to_declare(members=Member.objects.all(), year=year)
