"""The evening reminder: the people on tomorrow's shifts who have an account, once per shift and person."""

import datetime

import pytest
from django.utils import timezone

from activities.duty import jobs as duty_jobs
from activities.duty.models import Assignment
from buildingparty import jobs
from buildingparty.models import JobRun, Notification

from .factories import on_team, shift, volunteer

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def tomorrow() -> datetime.date:
    return today() + datetime.timedelta(days=1)


def reminders(user=None):
    notes = Notification.objects.filter(event="duty_reminder")
    return notes.filter(user=user) if user is not None else notes


def test_the_people_on_tomorrows_shift_are_reminded_once(patrol, mine_on_patrol, member_user):
    evening = shift(patrol, tomorrow())
    Assignment.objects.create(shift=evening, team_member=mine_on_patrol)

    first = duty_jobs.remind_shifts(today=today().isoformat())
    second = duty_jobs.remind_shifts(today=today().isoformat())

    note = reminders(member_user).get()
    assert note.title == "明天 19:00–21:00 巡逻队值班"
    assert "东区巡逻路线" in note.body and "换班" in note.body and "你" not in note.body
    assert note.url == evening.get_absolute_url()
    assert first == {"shifts": 1, "reminded": 1, "without_account": 0}
    assert second == {"shifts": 1, "reminded": 0, "without_account": 0}


def test_a_person_on_two_shifts_tomorrow_hears_of_each(patrol, mine_on_patrol, member_user):
    for start, end in ((8, 10), (19, 21)):
        Assignment.objects.create(shift=shift(patrol, tomorrow(), (start, 0), (end, 0)), team_member=mine_on_patrol)
    assert duty_jobs.remind_shifts(today=today().isoformat())["reminded"] == 2
    assert reminders(member_user).count() == 2


def test_volunteers_and_members_without_an_account_are_counted_not_told(patrol, mine_on_patrol):
    evening = shift(patrol, tomorrow(), needed=3)
    for person in (mine_on_patrol, volunteer(patrol), on_team(patrol)):
        Assignment.objects.create(shift=evening, team_member=person)
    counts = duty_jobs.remind_shifts(today=today().isoformat())
    assert counts == {"shifts": 1, "reminded": 1, "without_account": 2}


def test_shifts_today_and_the_day_after_are_not_reminded(patrol, mine_on_patrol):
    for day in (today(), tomorrow() + datetime.timedelta(days=1)):
        Assignment.objects.create(shift=shift(patrol, day), team_member=mine_on_patrol)
    assert duty_jobs.remind_shifts(today=today().isoformat()) == {"shifts": 0, "reminded": 0, "without_account": 0}


def test_the_job_is_registered_for_the_evening_and_recorded():
    spec = jobs.get("duty.remind_shifts")
    assert spec.schedule.hour == "18"
    jobs.run_now("duty.remind_shifts")
    assert JobRun.objects.get(job="duty.remind_shifts").outcome == JobRun.Outcome.SUCCEEDED
