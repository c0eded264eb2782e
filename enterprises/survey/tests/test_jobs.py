"""The survey's reminder job: follow-ups of visits coming due and past due reach whoever answers for them."""

import datetime

import pytest

from buildingparty import jobs
from buildingparty.models import JobRun, Notification
from enterprises.survey import jobs as survey_jobs
from tests.factories import EnterpriseFactory, UserFactory

from .factories import CampaignFactory, FollowUpFactory, VisitFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 15)
TODAY = DAY.isoformat()


def told() -> dict:
    """{username: [title, …]} of the notifications written."""
    result = {}
    for row in Notification.objects.select_related("user").order_by("pk"):
        result.setdefault(row.user.username, []).append(row.title)
    return result


@pytest.fixture
def visit(building, enterprise, liaison_user):
    campaign = CampaignFactory(building=building, name="2026 年度调查摸底")
    return VisitFactory(campaign=campaign, enterprise=enterprise, visited_on=datetime.date(2026, 6, 1))


def follow_up(visit, due_on, **kwargs):
    return FollowUpFactory(visit=visit, action="送《致党员的一封信》", due_on=due_on, **kwargs)


def test_a_follow_up_due_soon_reminds_the_enterprises_liaison(visit, liaison_user, admin_user, secretary_a):
    item = follow_up(visit, DAY + datetime.timedelta(days=2))

    assert survey_jobs.follow_up_reminders(today=TODAY) == {"due_soon": 1, "overdue": 0}

    assert told() == {"liaison": ["跟进事项即将到期：送《致党员的一封信》"]}
    note = Notification.objects.get()
    assert note.body == (
        f"来自 2026-06-01 对{visit.enterprise.name}的走访，须在 2026-06-17 前完成。完成后请在走访记录页面标记完成。"
    )
    assert note.url == visit.get_absolute_url() and note.dedupe_key == f"follow_up:{item.pk}:due_soon"


def test_an_overdue_follow_up_reminds_the_person_it_is_assigned_to(visit, liaison_user, secretary_a, secretary_b):
    follow_up(visit, DAY - datetime.timedelta(days=1), assigned_to=secretary_a)

    assert survey_jobs.follow_up_reminders(today=TODAY) == {"due_soon": 0, "overdue": 1}

    assert told() == {"sec_a": ["跟进事项已逾期：送《致党员的一封信》"]}
    assert "应于 2026-06-14 前完成，至今尚未标记完成" in Notification.objects.get().body


def test_a_follow_up_nobody_answers_for_goes_to_the_buildings_admins(building, admin_user, secretary_a, outsider):
    visit = VisitFactory(campaign=CampaignFactory(building=building), enterprise=EnterpriseFactory(building=building))
    follow_up(visit, DAY)

    assert survey_jobs.follow_up_reminders(today=TODAY) == {"due_soon": 1, "overdue": 0}
    assert set(told()) == {"admin"}


def test_a_follow_up_given_to_a_departed_user_falls_back_to_the_liaison(visit, liaison_user, building):
    gone = UserFactory(username="gone", role="liaison", building=building, is_active=False)
    follow_up(visit, DAY - datetime.timedelta(days=3), assigned_to=gone)

    survey_jobs.follow_up_reminders(today=TODAY)

    assert set(told()) == {"liaison"}


def test_follow_ups_done_or_due_later_remind_nobody(visit, liaison_user, admin_user):
    follow_up(visit, DAY - datetime.timedelta(days=5), done_on=DAY - datetime.timedelta(days=6), outcome="已送达")
    follow_up(visit, DAY + datetime.timedelta(days=4))

    assert survey_jobs.follow_up_reminders(today=TODAY) == {"due_soon": 0, "overdue": 0}
    assert not Notification.objects.exists()


def test_a_follow_up_is_reminded_once_when_due_and_once_when_overdue(visit, liaison_user):
    follow_up(visit, DAY)
    assert survey_jobs.follow_up_reminders(today="2026-06-13") == {"due_soon": 1, "overdue": 0}
    assert survey_jobs.follow_up_reminders(today="2026-06-14") == {"due_soon": 0, "overdue": 0}

    assert survey_jobs.follow_up_reminders(today="2026-06-16") == {"due_soon": 0, "overdue": 1}
    assert survey_jobs.follow_up_reminders(today="2026-06-30") == {"due_soon": 0, "overdue": 0}
    assert told() == {"liaison": ["跟进事项即将到期：送《致党员的一封信》", "跟进事项已逾期：送《致党员的一封信》"]}


def test_follow_up_reminders_through_celery_and_run_now_notify_once_and_are_recorded(visit, liaison_user):
    follow_up(visit, DAY - datetime.timedelta(days=1))

    survey_jobs.follow_up_reminders.job.task.delay(today=TODAY)
    assert jobs.run_now("enterprises.follow_up_reminders", today=TODAY) == {"due_soon": 0, "overdue": 0}

    assert Notification.objects.count() == 1
    runs = JobRun.objects.filter(job="enterprises.follow_up_reminders").order_by("pk")
    assert [(r.outcome, r.counts) for r in runs] == [
        ("succeeded", {"due_soon": 0, "overdue": 1}),
        ("succeeded", {"due_soon": 0, "overdue": 0}),
    ]
