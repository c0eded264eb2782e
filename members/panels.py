"""Home-page panels from the member register."""

import datetime

from django.utils import timezone

from buildingparty import dashboard
from buildingparty.models import PartyOrganization, Role

from .models import ChangeProposal, Member, add_months
from .selectors import code_list_leftovers, member_counts


@dashboard.register(
    template="members/panels/overview.html", roles={Role.ADMIN, Role.STREET}, order=10, cached_by="scope"
)
def building_overview(request):
    members = Member.objects.for_user(request.user)
    organizations = PartyOrganization.objects.for_user(request.user)
    by_org = member_counts_by_organization(members)
    return {"counts": member_counts(members), "organization_count": organizations.count(), "by_org": by_org}


def member_counts_by_organization(members):
    from django.db.models import Count

    return list(members.in_party().values("organization__name").annotate(n=Count("pk")).order_by("organization__name"))


@dashboard.register(template="members/panels/branch.html", roles={Role.SECRETARY}, order=10, cached_by="scope")
def my_branch(request):
    members = Member.objects.for_user(request.user)
    return {
        "organization": request.user.organization,
        "counts": member_counts(members),
        "mobile": members.filter(is_mobile=True).order_by("name")[:5],
    }


# A member out of contact this many months is a candidate for 停止党籍 (DOMAIN.md §4); a person decides.
LOST_CONTACT_MONTHS = 6
# Conversions show this many days before the probationary year ends (and after, until converted).
CONVERSION_NOTICE_DAYS = 30


def lost_contact_candidates(members, today: datetime.date):
    """Members in normal standing out of contact for six months or more (the panel and the reminder job)."""
    return members.active().filter(lost_contact_since__lte=add_months(today, -LOST_CONTACT_MONTHS))


# 停止党籍 for this long with no contact since: the branch should consider 除名 (DOMAIN.md §5a).
SUSPENDED_REMOVAL_YEARS = 2


def removal_candidates(members, today: datetime.date):
    """Members whose standing was suspended two years ago or more and who are still out of contact."""
    return members.filter(
        status=Member.Status.SUSPENDED,
        whereabouts=Member.Whereabouts.HERE,
        lost_contact_since__isnull=False,
        status_changed_on__lte=add_months(today, -12 * SUSPENDED_REMOVAL_YEARS),
    )


def conversions_due(members, today: datetime.date):
    """Probationary members whose probation ends within 30 days or has ended (the panel and the reminder job)."""
    return members.active().filter(
        category=Member.Category.PROBATIONARY,
        expected_full_on__lte=today + datetime.timedelta(days=CONVERSION_NOTICE_DAYS),
    )


@dashboard.register(
    template="members/panels/attention.html", roles={Role.SECRETARY, Role.ADMIN}, order=15, cached_by="scope"
)
def needs_attention(request):
    """What a secretary should act on: lost-contact candidates, proposals waiting, conversions due."""
    today = timezone.localdate()
    members = Member.objects.for_user(request.user).active()
    lost = list(lost_contact_candidates(members, today).order_by("lost_contact_since")[:10])
    proposals = (
        ChangeProposal.objects.filter(member__in=members, status=ChangeProposal.Status.PENDING)
        .select_related("member")
        .order_by("proposed_at")[:10]
    )
    conversions = list(conversions_due(members, today).order_by("expected_full_on")[:10])
    proposals = list(proposals)
    if not (lost or proposals or conversions):
        return None
    return {"lost": lost, "proposals": proposals, "conversions": conversions, "today": today}


@dashboard.register(template="members/panels/code_leftovers.html", roles={Role.ADMIN}, order=16, cached_by="scope")
def code_leftovers(request):
    """Members whose old 民族, 学历 or 工作岗位 the code lists could not take; hidden when there are none."""
    members = code_list_leftovers(Member.objects.for_user(request.user))
    shown = list(members[: LEFTOVERS_SHOWN + 1])
    if not shown:
        return None
    return {"members": shown[:LEFTOVERS_SHOWN], "more": len(shown) > LEFTOVERS_SHOWN}


LEFTOVERS_SHOWN = 10


@dashboard.register(template="members/panels/own_record.html", roles={Role.MEMBER}, order=10, cached_by="user")
def own_record(request):
    member = Member.objects.filter(user=request.user).select_related("organization", "enterprise").first()
    return {"member": member}
