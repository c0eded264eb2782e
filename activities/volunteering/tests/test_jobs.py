"""The daily reminder of tomorrow's activities to the volunteers signed up."""

import datetime

import pytest
from django.utils import timezone

from activities.volunteering import jobs, services
from buildingparty import jobs as registry
from buildingparty.models import Notification
from members.models import Member
from tests.factories import MemberFactory, UserFactory

from .factories import published, sign_up, soon

pytestmark = pytest.mark.django_db


def volunteer(organization, **values) -> Member:
    return MemberFactory(organization=organization, user=UserFactory(building=organization.building), **values)


def test_tomorrows_volunteers_are_reminded_once(building, branch_a):
    activity = published(building, title="大厦消防安全宣传", starts_at=soon(1, 14), place="大厦南广场", capacity=1)
    seated, waiting, withdrawn = volunteer(branch_a), volunteer(branch_a), volunteer(branch_a)
    sign_up(activity, withdrawn)
    sign_up(activity, seated)
    sign_up(activity, waiting)
    services.signup_withdraw(signup=activity.signups.get(member=withdrawn), by=None)
    Notification.objects.all().delete()
    later = published(building, title="后天的活动", starts_at=soon(2, 14))
    sign_up(later, volunteer(branch_a))

    first = jobs.remind_signups()
    second = jobs.remind_signups()

    assert first == {"activities": 1, "volunteers": 1, "reminded": 1}
    assert second == {"activities": 1, "volunteers": 1, "reminded": 0}
    (note,) = Notification.objects.filter(event="volunteering_reminder")
    assert note.user == seated.user and "明天 14:00" in note.title and "大厦消防安全宣传" in note.title
    assert "大厦南广场" in note.body and note.url == activity.get_absolute_url()


def test_a_volunteer_away_or_without_an_account_is_not_reminded(building, branch_a):
    activity = published(building, starts_at=soon(1, 9))
    sign_up(activity, MemberFactory(organization=branch_a))
    away = volunteer(branch_a)
    sign_up(activity, away)
    Member.objects.filter(pk=away.pk).update(whereabouts=Member.Whereabouts.TRANSFERRED_OUT)

    assert jobs.remind_signups()["reminded"] == 0


def test_the_job_runs_for_a_given_day_and_is_registered_daily(building, branch_a):
    activity = published(building, starts_at=soon(5, 9))
    sign_up(activity, volunteer(branch_a))
    day = (timezone.localdate() + datetime.timedelta(days=4)).isoformat()
    assert jobs.remind_signups(today=day)["reminded"] == 1
    spec = registry.get("volunteering.remind_signups")
    assert (spec.schedule.hour, spec.schedule.day_of_month) == ("9", "*")
