"""Every write of organisational life: atomic, keyword-only, each recording who did it."""

import datetime
from decimal import Decimal

from django.db import transaction

from buildingparty.models import PartyOrganization
from members.models import Member

from . import selectors
from .models import Attendance, Meeting


@transaction.atomic
def meeting_plan(
    *,
    organization: PartyOrganization,
    kind: str,
    topic: str,
    starts_at: datetime.datetime,
    by,
    ends_at: datetime.datetime | None = None,
    place: str = "",
    host: str = "",
    recorder: str = "",
    lecturer: str = "",
    lecturer_affiliation: str = "",
    study_hours: Decimal | None = None,
) -> Meeting:
    """Plan a meeting and fill its expected participants from the organisation's members: full members vote,
    probationary members attend without a vote, mobile members are marked."""
    if study_hours is None:
        study_hours = Decimal(Meeting.DEFAULT_STUDY_HOURS.get(kind, 0))
    meeting = Meeting.objects.create(
        organization=organization,
        kind=kind,
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        host=host,
        recorder=recorder,
        lecturer=lecturer,
        lecturer_affiliation=lecturer_affiliation,
        study_hours=study_hours if kind in Meeting.STUDY_KINDS else Decimal(0),
        created_by=by,
    )
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            member_id=member_id,
            is_voting=category == Member.Category.FULL,
            is_mobile=is_mobile,
        )
        for member_id, category, is_mobile in selectors.expected_members(organization).values_list(
            "pk", "category", "is_mobile"
        )
    )
    return meeting
