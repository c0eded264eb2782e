import datetime

import factory
from django.utils import timezone

from activities.meetings.models import Attendance, Meeting
from tests.factories import MemberFactory, OrganizationFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    """A meeting without participants; ``services.meeting_plan`` fills them from the organisation."""

    class Meta:
        model = Meeting

    organization = factory.SubFactory(OrganizationFactory)
    kind = Meeting.Kind.GENERAL_MEETING
    topic = factory.Sequence(lambda n: f"会议议题{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    place = "党支部活动室"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    member = factory.SubFactory(MemberFactory, organization=factory.SelfAttribute("..meeting.organization"))
    is_voting = True
