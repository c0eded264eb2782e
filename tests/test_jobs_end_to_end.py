"""The monthly dues job and two reminder jobs, end to end: sent to a real worker through the configured broker
(Redis in CI), each run recorded, each reminder delivered exactly once — in the app and by email — however
often the jobs run."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from buildingparty import jobs
from buildingparty.celery import app
from buildingparty.models import JobRun, Notification
from members.dues.models import DuesBill
from members.dues.tests.factories import StandardFactory
from members.models import add_months
from tests.factories import BuildingFactory, MemberFactory, OrganizationFactory, UserFactory
from tests.test_celery_worker import wait_for

MONTH = datetime.date(2026, 11, 1)


@pytest.fixture
def real_worker(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the worker thread shares it
    mail.outbox = []
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = eager


def send_and_wait(name: str, **kwargs) -> JobRun:
    """Send the job's task to the worker and wait for its run to finish."""
    before = JobRun.objects.filter(job=name).count()
    jobs.get(name).task.delay(**kwargs)
    assert wait_for(
        lambda: JobRun.objects.filter(job=name).exclude(outcome=JobRun.Outcome.RUNNING).count() > before, timeout=30
    ), f"{name} did not finish on the worker"
    return JobRun.objects.filter(job=name).order_by("-pk").first()


def notes(event: str):
    return list(Notification.objects.filter(event=event))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_monthly_job_and_two_reminders_deliver_exactly_one_notification_each(real_worker):
    building = BuildingFactory(name="端到端大厦")
    branch = OrganizationFactory(building=building, name="端到端支部")
    secretary = UserFactory(username="e2e_secretary", role="secretary", building=building, organization=branch)
    member_user = UserFactory(username="e2e_member", role="member", building=building)
    member = MemberFactory(organization=branch, user=member_user, joined_on=datetime.date(2015, 7, 1))
    StandardFactory(member=member, year=MONTH.year)
    MemberFactory(organization=branch, lost_contact_since=add_months(MONTH, -8))

    for _ in range(2):  # each job twice: the second run finds everything done
        bills = send_and_wait("members.generate_dues", month="2026-11")
        reminders = send_and_wait("members.dues_reminders", today="2026-11-20")
        lost = send_and_wait("members.lost_contact_reminders", today="2026-11-20")

    assert [bills.outcome, reminders.outcome, lost.outcome] == [JobRun.Outcome.SUCCEEDED] * 3
    assert DuesBill.objects.filter(member=member, month=MONTH).count() == 1
    assert [n.user for n in notes("dues_bill")] == [member_user]
    assert [n.user for n in notes("dues_reminder")] == [member_user]
    assert [n.user for n in notes("lost_contact")] == [secretary]
    # Each notification's email goes out through the outbox and the same worker, once.
    assert wait_for(lambda: len(mail.outbox) == 3)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member_user.email, member_user.email, secretary.email])
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
