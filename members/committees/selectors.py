"""Reads of committees and terms. Scope is ``CommitteeTerm.objects.for_user``."""

import datetime

from django.db.models import Q

from .models import CommitteeSeat, CommitteeTerm


def committee_member_ids(member_ids, year: int) -> set[int]:
    """Of these members, those who held a seat (secretary, deputy or committee member) at any time in ``year``:
    they owe 56 study hours that year instead of 32. One query, however many members."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return set(
        CommitteeSeat.objects.filter(member_id__in=member_ids, since__lte=end)
        .filter(Q(until__isnull=True) | Q(until__gte=start))
        .filter(Q(term__ended_on__isnull=True) | Q(term__ended_on__gte=start))
        .values_list("member_id", flat=True)
    )


def organizations_with_committee(organization_ids) -> set[int]:
    """Of these organisations, those whose current term elected a committee (支委会 are required of them)."""
    return set(
        CommitteeTerm.objects.current()
        .filter(organization_id__in=organization_ids, is_committee=True)
        .values_list("organization_id", flat=True)
    )
