from django.db.models import Count, Q

from .models import Member


def member_counts(members) -> dict:
    """Totals for a scoped queryset of members, in one query."""
    return members.aggregate(
        total=Count("pk"),
        full=Count("pk", filter=Q(category=Member.Category.FULL)),
        probationary=Count("pk", filter=Q(category=Member.Category.PROBATIONARY)),
        mobile=Count("pk", filter=Q(is_mobile=True)),
        lost=Count("pk", filter=Q(lost_contact_since__isnull=False)),
    )
