from django.db.models import Count, Q

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
