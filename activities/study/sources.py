"""What study gives the points ledger: each study hour recorded (the rule ``study_hours``, by default 1 point an
hour, at most 32 a year). Registered with ``members.points`` when the study app is ready.

Two kinds of record earn hours, each credited once per member: a present attendance at a held meeting with
study hours (key ``meetings.attendance:<pk>:study``, apart from the ``meeting_attendance`` rule's
``meetings.attendance:<pk>`` for having come at all) and a participation in a study session
(``study.studyparticipation:<pk>``). Each carries its hours as the quantity: worth the rule's points times
the hours.
"""

import datetime

from django.utils.translation import gettext_lazy

from buildingparty.services import stored
from members.points import services as points

from . import selectors


@points.source("study_hours")
def study_hours(building_id: int, since: datetime.date, until: datetime.date):
    """Meetings held and sessions held from ``since`` to ``until``, of the building's organisations."""
    start, end = selectors.day_start(since), selectors.day_start(until + datetime.timedelta(days=1))
    attendances = (
        selectors.study_meetings_between(start, end)
        .filter(meeting__organization__building_id=building_id)
        .order_by("pk")
        .values_list("pk", "member_id", "meeting__starts_at", "meeting__topic", "meeting__study_hours")
    )
    for pk, member_id, starts_at, topic, hours in attendances.iterator():
        note = stored(gettext_lazy("Study hours: %(topic)s"), {"topic": topic})
        yield member_id, f"meetings.attendance:{pk}:study", selectors.local_date(starts_at), note, hours
    participations = (
        selectors.participations_between(since, until)
        .filter(session__organization__building_id=building_id)
        .order_by("pk")
        .values_list("pk", "member_id", "session__held_on", "session__topic", "session__hours")
    )
    for pk, member_id, held_on, topic, hours in participations.iterator():
        note = stored(gettext_lazy("Study hours: %(topic)s"), {"topic": topic})
        yield member_id, f"study.studyparticipation:{pk}", held_on, note, hours
