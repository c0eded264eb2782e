"""The demo's volunteering (activities/volunteering/demo.py): what admin, the secretaries and member1 find after
`seed_demo`, and that a second run adds nothing."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.rooms.models import RoomBooking
from activities.volunteering import jobs
from activities.volunteering.models import Activity, Signup
from buildingparty.models import Notification
from members.models import Member
from members.points.models import PointEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]

Status = Activity.Status


@pytest.fixture
def seeded(demo_seeded):
    return demo_seeded.output


def snapshot():
    return (
        list(Activity.objects.order_by("pk").values_list("pk", "title", "status", "starts_at", "room_booking")),
        list(Signup.objects.order_by("pk").values_list("pk", "status", "position", "hours")),
        PointEntry.objects.filter(rule__code="volunteering").count(),
        RoomBooking.objects.filter(source__startswith="volunteering.").count(),
    )


def test_the_demo_has_activities_done_ahead_and_a_draft(seeded):
    now = timezone.now()
    done = Activity.objects.filter(status=Status.DONE)
    assert done.count() == 6 and not done.filter(starts_at__gt=now).exists() and not done.filter(summary="").exists()
    assert set(done.values_list("kind", flat=True)) == set(Activity.Kind.values) - {Activity.Kind.OTHER}
    assert not Signup.objects.filter(activity__status=Status.DONE, status=Signup.Status.SIGNED_UP).exists()
    attended = Signup.objects.filter(activity__status=Status.DONE, status=Signup.Status.ATTENDED)
    assert attended.exists() and not attended.filter(hours__isnull=True).exists()
    ahead = Activity.objects.filter(status=Status.PUBLISHED)
    assert ahead.count() == 3 and not ahead.filter(starts_at__lte=now).exists()
    assert Activity.objects.filter(status=Status.DRAFT).count() == 1
    in_room = Activity.objects.get(room_booking__isnull=False)
    assert in_room.room_booking.room.name == "党支部活动室" and in_room.room_booking.source == in_room.source_key


def test_member1_took_part_is_signed_up_and_waits_and_earned_points(seeded):
    member1 = Member.objects.get(user__username="member1")
    mine = Signup.objects.filter(member=member1)
    assert mine.filter(status=Signup.Status.ATTENDED, activity__status=Status.DONE).count() == 3
    assert mine.filter(status=Signup.Status.SIGNED_UP).count() == 2
    waiting = mine.get(status=Signup.Status.WAITING)
    assert waiting.position == 1
    full = waiting.activity
    assert full.signups.filter(status=Signup.Status.SIGNED_UP).count() == full.capacity
    assert full.signups.filter(status=Signup.Status.WAITING).count() >= 2
    assert PointEntry.objects.filter(member=member1, rule__code="volunteering").count() == 3
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert any(timezone.localtime(s.activity.starts_at).date() == tomorrow for s in mine.filter(status="signed_up"))
    assert jobs.remind_signups()["reminded"] >= 1
    assert Notification.objects.filter(user=member1.user, event="volunteering_reminder").exists()


def test_seeding_again_adds_and_changes_nothing(seeded):
    before = snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert snapshot() == before
    assert "志愿服务：已有，未改动" in out.getvalue()
