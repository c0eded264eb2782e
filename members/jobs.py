"""Scheduled reminders from the member register: transfer letters, conversions due, members out of contact.

Each job reads with the query behind the matching home panel (``transfer_panels``, ``panels``), tells the
secretaries who reach the thing — and the member, where it is theirs to act — and returns how many
notifications it wrote. A notification's ``dedupe_key`` names the thing and the occasion; the database keeps
one notification per user and key, so a second run, or two runs at once, add nothing.
"""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buildingparty import jobs
from buildingparty.notifications import Notice, notify_bulk
from buildingparty.officers import Officers
from members.transfers.panels import EXPIRING_DAYS, expires_between, receipt_overdue, validity_lengths

from .models import Member, Transfer, months_between
from .panels import conversions_due, lost_contact_candidates, removal_candidates

# --- transfer letters -----------------------------------------------------------------------------------------


@jobs.job(
    "members.transfer_reminders",
    schedule=jobs.crontab(minute="0", hour="8"),
    description=_(
        "Remind secretaries and members of transfer letters about to expire or past validity, and secretaries "
        "of receipts overdue."
    ),
    counts={
        "expiring": _("reminders of letters about to expire"),
        "expired": _("reminders of letters past validity"),
        "receipt_overdue": _("reminders of receipts overdue"),
    },
)
def transfer_reminders(*, today: str | None = None) -> dict:
    """Letters expiring within a week, letters past validity without reporting, receipts overdue.

    1. Expiring (valid until today … today + 7) and past validity: the secretaries who reach the member's branch
       or either end of the letter, and the member (it is the member who must report).
    2. Receipt overdue (reported, receipt due date passed): the secretaries only; the receipt is the branches'
       business.

    Dedupe keys ``transfer:<id>:expiring``, ``transfer:<id>:expired``, ``transfer:<id>:receipt_overdue``: once
    per letter and occasion, never repeated. The letter stays on the secretaries' home panel until somebody acts,
    and a re-issued letter is a new letter with its own reminders. Counts: notifications written per occasion.
    """
    day = jobs.job_day(today)
    transfers = Transfer.objects.select_related("member")
    lengths = validity_lengths(transfers)
    occasions = {
        "expiring": transfers.filter(
            expires_between(lengths, first=day, last=day + datetime.timedelta(days=EXPIRING_DAYS))
        ),
        "expired": transfers.filter(expires_between(lengths, last=day - datetime.timedelta(days=1))),
        "receipt_overdue": transfers.filter(receipt_overdue(day)),
    }
    mine = reverse("members:mine")
    counts = dict.fromkeys(occasions, 0)
    for occasion, due in occasions.items():
        for rows in jobs.in_batches(due):
            officers = Officers(
                pk for t in rows for pk in (t.member.organization_id, t.from_organization_id, t.to_organization_id)
            )
            to_officers, to_members = [], []
            for transfer in rows:
                key = f"transfer:{transfer.pk}:{occasion}"
                context = {"transfer": transfer, "member": transfer.member}
                url = transfer.get_absolute_url()
                staff = officers.of(
                    transfer.member.organization_id, transfer.from_organization_id, transfer.to_organization_id
                )
                to_officers += [Notice(u.pk, context, url=url, dedupe_key=key) for u in staff]
                if occasion != "receipt_overdue":
                    to_members.append(Notice(transfer.member.user_id, context, url=mine, dedupe_key=key))
            # The officers first: an officer who is also the member hears once, as an officer (the shared key).
            counts[occasion] += notify_bulk(to_officers, event=f"transfer_{occasion}")
            counts[occasion] += notify_bulk(to_members, event=f"transfer_{occasion}_member")
    return counts


# --- conversions and lost contact ---------------------------------------------------------------------------


@jobs.job(
    "members.conversion_reminders",
    schedule=jobs.crontab(minute="10", hour="8"),
    description=_(
        "Remind secretaries and probationary members of a probationary period ending within 30 days or ended."
    ),
    counts={"conversions": _("conversion reminders sent")},
)
def conversion_reminders(*, today: str | None = None) -> dict:
    """Probationary members whose probation ends within 30 days, or has ended without conversion: their
    branch's secretaries (prepare the branch meeting) and the member (hand in the application).

    Dedupe key ``conversion:<member id>:<expected date>``: once per member and expected conversion date. A
    probation extended to a new date reminds again for that date. Counts: notifications written.
    """
    day = jobs.job_day(today)
    mine = reverse("members:mine")
    counts = {"conversions": 0}
    for members in jobs.in_batches(conversions_due(Member.objects.all(), day)):
        officers = Officers(m.organization_id for m in members)
        to_officers, to_members = [], []
        for member in members:
            key = f"conversion:{member.pk}:{member.expected_full_on.isoformat()}"
            context = {"member": member, "past": member.expected_full_on < day}
            url = member.get_absolute_url()
            to_officers += [Notice(u.pk, context, url=url, dedupe_key=key) for u in officers.of(member.organization_id)]
            to_members.append(Notice(member.user_id, context, url=mine, dedupe_key=key))
        counts["conversions"] += notify_bulk(to_officers, event="conversion_due")
        counts["conversions"] += notify_bulk(to_members, event="conversion_due_member")
    return counts


@jobs.job(
    "members.lost_contact_reminders",
    schedule=jobs.crontab(minute="20", hour="8"),
    description=_(
        "Tell secretaries of members out of contact for six months, candidates for suspending their party standing."
    ),
    counts={"lost_contact": _("out-of-contact notices sent")},
)
def lost_contact_reminders(*, today: str | None = None) -> dict:
    """Members in normal standing out of contact for six months or more: their branch's secretaries, who
    decide (DOMAIN.md §4). The member is not told: they are out of contact.

    Dedupe key ``lost_contact:<member id>:<since>``: once per member and spell of lost contact; a member found
    and then lost again is a new spell. Counts: notifications written.
    """
    day = jobs.job_day(today)
    counts = {"lost_contact": 0}
    for members in jobs.in_batches(lost_contact_candidates(Member.objects.all(), day)):
        officers = Officers(m.organization_id for m in members)
        counts["lost_contact"] += notify_bulk(
            (
                Notice(
                    u.pk,
                    {"member": member, "months": months_between(member.lost_contact_since, day)},
                    url=member.get_absolute_url(),
                    dedupe_key=f"lost_contact:{member.pk}:{member.lost_contact_since.isoformat()}",
                )
                for member in members
                for u in officers.of(member.organization_id)
            ),
            event="lost_contact",
        )
    return counts


@jobs.job(
    "members.suspension_reminders",
    schedule=jobs.crontab(minute="25", hour="8"),
    description=_(
        "Tell secretaries of members whose party standing was suspended two years ago and who are still out of "
        "contact: the branch should consider removing them (除名)."
    ),
    counts={"suspended_two_years": _("notices of suspensions two years old")},
)
def suspension_reminders(*, today: str | None = None) -> dict:
    """Members suspended (停止党籍) two years or more ago and still out of contact: their branch's secretaries,
    who decide whether to remove them (DOMAIN.md §5a). The member is not told: they are out of contact.

    Dedupe key ``suspended_two_years:<member id>:<suspended on>``: once per member and suspension; a standing
    restored and suspended again is a new occasion. Counts: notifications written.
    """
    day = jobs.job_day(today)
    counts = {"suspended_two_years": 0}
    for members in jobs.in_batches(removal_candidates(Member.objects.all(), day)):
        officers = Officers(m.organization_id for m in members)
        counts["suspended_two_years"] += notify_bulk(
            (
                Notice(
                    u.pk,
                    {"member": member},
                    url=reverse("members:change_status", args=[member.pk]),
                    dedupe_key=f"suspended_two_years:{member.pk}:{member.status_changed_on.isoformat()}",
                )
                for member in members
                for u in officers.of(member.organization_id)
            ),
            event="suspended_two_years",
        )
    return counts
