"""What volunteering gives the points ledger and the member's timeline."""

from decimal import Decimal

import pytest
from django.utils import timezone

from activities.volunteering import services
from activities.volunteering.models import Activity, Signup
from members import timeline
from members.points import services as points
from members.points.models import PointEntry

from .factories import begun, members, published, sign_up, soon

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(building):
    points.ensure_default_rules(building)


def done_activity(building, volunteers, *, came, title="大厦周边环境卫生整治", hours=Decimal("2")):
    """An activity that took place yesterday, recorded: ``came`` took part, the other volunteers did not."""
    activity = published(building, title=title, starts_at=soon(2), kind=Activity.Kind.ENVIRONMENT)
    signups = [sign_up(activity, member) for member in volunteers]
    begun(activity, hours_ago=24)
    rows = {s.pk: ("attended" if s.member in came else "no_show", hours) for s in signups}
    services.activity_record(activity=activity, by=None, rows=rows, summary="清理垃圾8袋")
    return activity


def entries(member):
    return PointEntry.objects.filter(member=member, rule__code="volunteering")


def test_each_volunteer_who_took_part_earns_the_volunteering_points_once_per_activity(rules, building, branch_a):
    came, stayed_away = members(branch_a, 2)
    activity = done_activity(building, [came, stayed_away], came=[came])

    first = points.credit_automatic(building_id=building.pk)
    second = points.credit_automatic(building_id=building.pk)

    (entry,) = entries(came)
    signup = Signup.objects.get(member=came)
    assert entry.points == 3 and entry.source == f"volunteering.signup:{signup.pk}"
    assert entry.occurred_on == timezone.localdate(activity.starts_at)
    assert entry.note == "环境整治：大厦周边环境卫生整治"
    assert not entries(stayed_away).exists()
    assert not PointEntry.objects.filter(member=stayed_away).exists()  # no deduction from here: the secretary's
    assert first["credited"] == 1 and second["credited"] == 0


def test_an_activity_not_recorded_as_done_earns_nothing_yet(rules, building, branch_a):
    (member,) = members(branch_a, 1)
    activity = published(building, starts_at=soon(2))
    signup = sign_up(activity, member)
    begun(activity)
    Signup.objects.filter(pk=signup.pk).update(status=Signup.Status.ATTENDED, method=Signup.Method.QR)

    points.credit_automatic(building_id=building.pk)

    assert not entries(member).exists()


def test_correcting_the_record_credits_nobody_twice(rules, building, branch_a):
    (member,) = members(branch_a, 1)
    activity = done_activity(building, [member], came=[member])
    points.credit_automatic(building_id=building.pk)
    signup = Signup.objects.get(member=member)

    services.activity_record(activity=activity, by=None, rows={signup.pk: ("attended", Decimal("3"))}, summary="更正")
    points.credit_automatic(building_id=building.pk)

    assert entries(member).count() == 1


def test_the_timeline_shows_each_activity_she_took_part_in_with_her_hours(building, branch_a):
    came, stayed_away = members(branch_a, 2)
    activity = done_activity(building, [came, stayed_away], came=[came], hours=Decimal("2.5"))

    events = [e for e in timeline.events_for(came) if e.kind == "heart"]

    assert len(events) == 1
    event = events[0]
    assert event.title == "参加志愿服务：大厦周边环境卫生整治" and event.detail == "环境整治 · 2.5 小时"
    assert event.date == timezone.localdate(activity.starts_at) and event.url == activity.get_absolute_url()
    assert event.routine == "志愿服务"
    assert not [e for e in timeline.events_for(stayed_away) if e.kind == "heart"]


def test_the_members_page_folds_her_volunteer_service_per_year(admin_client, building, branch_a):
    (member,) = members(branch_a, 1)
    done_activity(building, [member], came=[member], title="第一次")
    done_activity(building, [member], came=[member], title="第二次")
    folded = timeline.folded(timeline.events_for(member))
    assert any(getattr(line, "routine", "") == "志愿服务" and len(line.events) == 2 for line in folded)
    assert admin_client.get(member.get_absolute_url()).status_code == 200
