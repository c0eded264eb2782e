from django.db.models import Count, Q

from buildingparty.models import Role, User

from .models import Member


def member_counts(members) -> dict:
    """Totals of 党员 (``in_party``: normal or 停止党籍, not transferred out) in a scoped queryset, in one query."""
    return members.in_party().aggregate(
        total=Count("pk"),
        full=Count("pk", filter=Q(category=Member.Category.FULL)),
        probationary=Count("pk", filter=Q(category=Member.Category.PROBATIONARY)),
        mobile=Count("pk", filter=Q(is_mobile=True)),
        lost=Count("pk", filter=Q(lost_contact_since__isnull=False)),
    )


def code_list_leftovers(members):
    """Members with old values the code lists could not take (``Member.code_leftovers``, written by the
    migration that brought the lists in), for the admin to sort out: the home panel and
    ``manage.py code_list_leftovers``."""
    return members.exclude(code_leftovers="").select_related("organization").order_by("organization__name", "name")


def linkable_accounts(user, *, keep_id: int | None = None):
    """Accounts a member's record may be linked to: this building's active member-role accounts not yet linked
    to a member, plus the one linked now (``keep_id``). Another building's or an officer's account never is."""
    linkable = Q(building_id=user.building_id, role=Role.MEMBER, is_active=True, member__isnull=True)
    if keep_id:
        linkable |= Q(pk=keep_id)
    return User.objects.filter(linkable)
