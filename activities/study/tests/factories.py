"""Factories and helpers for study tests."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from activities.meetings.models import Attendance, Meeting
from activities.meetings.tests.factories import AttendanceFactory, MeetingFactory
from activities.study.models import StudyParticipation, StudySession
from tests.factories import OrganizationFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type /Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def this_year() -> int:
    return timezone.localdate().year


def in_year(year: int, month: int = 3, day: int = 15) -> datetime.date:
    return datetime.date(year, month, day)


class StudySessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudySession

    organization = factory.SubFactory(OrganizationFactory)
    kind = StudySession.Kind.CONCENTRATED
    topic = factory.Sequence(lambda n: f"学习专题{n}")
    held_on = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=10))
    hours = Decimal("2.0")
    led_by = "支部书记"


def session_with(members, **kwargs) -> StudySession:
    """A session of the first member's organisation (unless given), with these members taking part."""
    kwargs.setdefault("organization", members[0].organization)
    session = StudySessionFactory(**kwargs)
    StudyParticipation.objects.bulk_create([StudyParticipation(session=session, member=m) for m in members])
    return session


def study_meeting(
    organization,
    members_status: dict,
    *,
    hours="2.0",
    status=Meeting.Status.HELD,
    day: datetime.date | None = None,
    kind=Meeting.Kind.LESSON,
) -> Meeting:
    """A party lesson (by default held, 2 study hours) of ``organization``; ``members_status``: member →
    attendance status."""
    day = day or timezone.localdate().replace(month=1, day=5)
    starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 0)))
    meeting = MeetingFactory(
        organization=organization,
        kind=kind,
        status=status,
        study_hours=Decimal(hours),
        starts_at=starts_at,
        cancel_reason="改期" if status == Meeting.Status.CANCELLED else "",
    )
    for member, attendance in members_status.items():
        extra = {"leave": Attendance.Leave.APPROVED, "leave_reason": "出差"} if attendance == "leave" else {}
        AttendanceFactory(meeting=meeting, member=member, status=attendance, **extra)
    return meeting
