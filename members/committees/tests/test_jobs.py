"""The daily reminder of terms falling due (committees.remind_terms): once per term and occasion."""

import datetime

import pytest
from django.utils import timezone

from buildingparty import jobs
from buildingparty.models import JobRun, Notification
from members.committees.jobs import remind_terms
from members.committees.tests.factories import CommitteeTermFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def term_ending(organization, days: int, **kwargs):
    return CommitteeTermFactory(
        organization=organization,
        elected_on=timezone.localdate() - datetime.timedelta(days=3 * 365),
        ends_on=timezone.localdate() + datetime.timedelta(days=days),
        **kwargs,
    )


def keys(user):
    return set(Notification.objects.filter(user=user).values_list("dedupe_key", flat=True))


def test_the_admins_and_the_branchs_secretary_are_told_once_of_a_term_ending_within_six_months(
    branch_a, branch_b, admin_user, secretary_a, secretary_b
):
    soon = term_ending(branch_a, 150)
    term_ending(branch_b, 200)  # not yet
    assert remind_terms() == {"due_soon": 1, "overdue": 0, "notified": 2}
    key = f"committees.term:{soon.pk}:due-soon"
    assert keys(admin_user) == {key} and keys(secretary_a) == {key} and keys(secretary_b) == set()
    note = Notification.objects.get(user=secretary_a)
    assert note.event == "committee_term_due_soon" and "第一党支部" in note.title
    assert note.url == f"/members/committees/{branch_a.pk}/"
    assert remind_terms() == {"due_soon": 1, "overdue": 0, "notified": 0}
    assert Notification.objects.count() == 2


def test_a_term_moving_from_due_soon_to_overdue_is_told_once_more(branch_a, admin_user, secretary_a):
    term = term_ending(branch_a, 10)
    remind_terms()
    later = (timezone.localdate() + datetime.timedelta(days=11)).isoformat()
    assert remind_terms(today=later) == {"due_soon": 0, "overdue": 1, "notified": 2}
    assert remind_terms(today=later)["notified"] == 0
    assert keys(secretary_a) == {f"committees.term:{term.pk}:due-soon", f"committees.term:{term.pk}:overdue"}
    overdue = Notification.objects.get(user=admin_user, event="committee_term_overdue")
    assert "已超期" in overdue.title


def test_the_general_branchs_term_goes_to_the_admins(general_branch, admin_user, secretary_a):
    term_ending(general_branch, -3)
    assert remind_terms()["notified"] == 1
    assert keys(admin_user) and not keys(secretary_a)


def test_a_replaced_term_and_another_buildings_admins_are_left_alone(branch_a, admin_user, outsider):
    other_admin = UserFactory(role="admin", building=outsider.member.organization.building)
    old = term_ending(branch_a, -400)
    old.ended_on = timezone.localdate() - datetime.timedelta(days=300)
    old.save(update_fields=["ended_on"])
    term_ending(branch_a, -5, note="current")  # the current one is past due
    counts = remind_terms()
    assert counts == {"due_soon": 0, "overdue": 1, "notified": 1}
    assert not keys(other_admin)


def test_the_job_is_registered_daily_and_its_run_recorded(branch_a, admin_user):
    spec = jobs.get("committees.remind_terms")
    assert spec.schedule.hour == "8" and spec.schedule.day_of_month == "*"
    term_ending(branch_a, 30)
    assert jobs.run_now("committees.remind_terms") == {"due_soon": 1, "overdue": 0, "notified": 1}
    assert JobRun.objects.get(job="committees.remind_terms").outcome == JobRun.Outcome.SUCCEEDED
