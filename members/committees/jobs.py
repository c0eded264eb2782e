"""Scheduled jobs (see buildingparty/jobs.py); imported by the AppConfig so they register.

Committees are elected for 3 to 5 years and the general branch is reminded before a term ends (DOMAIN.md §7).
Each day: a term ending within six months is announced once, and once more when it is past due without a new
election, to the building's admins (the general branch's officers) and to the secretaries who run the
organisation. The dedupe key is the term and the occasion, so a job run twice, or twice at once, tells each
person once.
"""

import datetime
from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buildingparty import jobs
from buildingparty.models import Role, User
from buildingparty.notifications import Notice, notify_bulk
from buildingparty.officers import Officers

from .models import DUE_SOON_DAYS, CommitteeTerm

EVENTS = {"due_soon": ("committee_term_due_soon", "due-soon"), "overdue": ("committee_term_overdue", "overdue")}


def dedupe_key(term_id: int, standing: str) -> str:
    return f"committees.term:{term_id}:{EVENTS[standing][1]}"


@jobs.job(
    "committees.remind_terms",
    schedule=jobs.crontab(minute="40", hour="8"),
    description=_(
        "Remind the general branch and the organisation's secretary of committee terms ending within six months "
        "(换届), and again of terms past due without a new election. Once per term and occasion."
    ),
    counts={
        "due_soon": _("terms ending within six months"),
        "overdue": _("terms past due"),
        "notified": _("reminders sent"),
    },
)
def remind_terms(*, today: str | None = None) -> dict:
    day = jobs.job_day(today)
    terms = list(
        CommitteeTerm.objects.current()
        .filter(ends_on__lte=day + datetime.timedelta(days=DUE_SOON_DAYS))
        .select_related("organization")
        .order_by("ends_on", "pk")
    )
    officers = Officers(t.organization_id for t in terms)
    admins = defaultdict(list)
    buildings = {t.organization.building_id for t in terms}
    for user in User.objects.filter(role=Role.ADMIN, is_active=True, building_id__in=buildings).order_by("pk"):
        admins[user.building_id].append(user)
    counts = {"due_soon": 0, "overdue": 0, "notified": 0}
    notices = {standing: [] for standing in EVENTS}
    for term in terms:
        standing = term.standing(day)
        counts[standing] += 1
        context = {
            "organization": term.organization.name,
            "elected_on": term.elected_on,
            "term_years": term.term_years,
            "ends_on": term.ends_on,
        }
        url, key = reverse("committees:detail", args=[term.organization_id]), dedupe_key(term.pk, standing)
        people = [*admins[term.organization.building_id], *officers.of(term.organization_id)]
        notices[standing] += [Notice(user.pk, context, url=url, dedupe_key=key) for user in people]
    for standing, batch in notices.items():
        counts["notified"] += notify_bulk(batch, event=EVENTS[standing][0])
    return counts
