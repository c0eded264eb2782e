"""Home-page panels from the member register."""

import datetime

from django.utils import timezone

from buildingparty import dashboard
from buildingparty.models import PartyOrganization, Role

from .models import ChangeProposal, Member, add_months
from .selectors import member_counts


@dashboard.register(template="members/panels/overview.html", roles={Role.ADMIN, Role.STREET}, order=10)
def building_overview(request):
    members = Member.objects.for_user(request.user)
    organizations = PartyOrganization.objects.for_user(request.user)
    by_org = member_counts_by_organization(members)
    return {"counts": member_counts(members), "organization_count": organizations.count(), "by_org": by_org}


def member_counts_by_organization(members):
    from django.db.models import Count

    return list(members.values("organization__name").annotate(n=Count("pk")).order_by("organization__name"))


@dashboard.register(template="members/panels/branch.html", roles={Role.SECRETARY}, order=10)
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
    return members.filter(status=Member.Status.NORMAL, lost_contact_since__lte=add_months(today, -LOST_CONTACT_MONTHS))


def conversions_due(members, today: datetime.date):
    """Probationary members whose probation ends within 30 days or has ended (the panel and the reminder job)."""
    return members.filter(
        status=Member.Status.NORMAL,
        category=Member.Category.PROBATIONARY,
        expected_full_on__lte=today + datetime.timedelta(days=CONVERSION_NOTICE_DAYS),
    )


@dashboard.register(template="members/panels/attention.html", roles={Role.SECRETARY, Role.ADMIN}, order=15)
def needs_attention(request):
    """What a secretary should act on: lost-contact candidates, proposals waiting, conversions due."""
    today = timezone.localdate()
    members = Member.objects.for_user(request.user).filter(status=Member.Status.NORMAL)
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


@dashboard.register(template="members/panels/own_record.html", roles={Role.MEMBER}, order=10)
def own_record(request):
    member = Member.objects.filter(user=request.user).select_related("organization", "enterprise").first()
    return {"member": member}
