"""The services' reminder jobs: loans overdue, and service requests nearing or past their due time."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone

from buildingparty import jobs
from buildingparty.models import JobRun, Notification
from services import jobs as service_jobs
from services import services
from services.models import Loan, Material, ServiceCategory, ServiceRequest
from tests.concurrency import at_the_same_moment
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 6, 15)
TODAY = DAY.isoformat()


def told(event: str | None = None) -> dict:
    """{username: [title, …]} of the notifications written, for one event or all."""
    rows = Notification.objects.select_related("user").order_by("pk")
    if event:
        rows = rows.filter(event=event)
    result = {}
    for row in rows:
        result.setdefault(row.user.username, []).append(row.title)
    return result


# --- loans overdue ---------------------------------------------------------------------------------------------


@pytest.fixture
def material(building):
    return Material.objects.create(building=building, title="中国共产党章程", copies=3, location="A-1")


def lent(material, member, *, lent_on=datetime.date(2026, 5, 1), due_on=datetime.date(2026, 5, 31), **kwargs):
    fields = {"status": Loan.Status.LENT, "lent_on": lent_on, "due_on": due_on, **kwargs}
    return Loan.objects.create(material=material, member=member, **fields)


def test_an_overdue_loan_reminds_the_borrower_and_their_secretary(
    material, member_user, secretary_a, secretary_b, admin_user
):
    loan = lent(material, member_user.member)

    assert service_jobs.loan_reminders(today=TODAY) == {"overdue": 2}

    name = member_user.member.name
    assert told() == {"sec_a": [f"借阅逾期：《中国共产党章程》（{name}）"], "member_a": ["请归还《中国共产党章程》"]}
    to_secretary = Notification.objects.get(user=secretary_a)
    assert to_secretary.body == "2026-05-01 借出，应于 2026-05-31 前归还，已逾期 15 天。"
    assert to_secretary.url == "/services/library/loans/?status=overdue"
    to_borrower = Notification.objects.get(user=member_user)
    assert to_borrower.body == "该资料应于 2026-05-31 前归还，请尽快送还，以便其他党员借阅。"
    assert set(Notification.objects.values_list("dedupe_key", flat=True)) == {f"loan:{loan.pk}:overdue:0"}


def test_loans_due_today_returned_or_only_requested_remind_nobody(material, member_user, secretary_a, branch_a):
    lent(material, member_user.member, due_on=DAY)
    lent(material, MemberFactory(organization=branch_a), status=Loan.Status.RETURNED, returned_on=DAY)
    Loan.objects.create(material=material, member=MemberFactory(organization=branch_a))

    assert service_jobs.loan_reminders(today=TODAY) == {"overdue": 0}
    assert not Notification.objects.exists()


def test_a_borrower_without_an_account_leaves_the_reminder_to_the_secretary(material, group_a, secretary_a):
    lent(material, MemberFactory(organization=group_a))

    assert service_jobs.loan_reminders(today=TODAY) == {"overdue": 1}
    assert set(told()) == {"sec_a"}


def test_an_overdue_loan_is_reminded_again_once_a_month_while_it_is_out(material, member_user, secretary_a):
    loan = lent(material, member_user.member)
    assert service_jobs.loan_reminders(today=TODAY) == {"overdue": 2}
    assert service_jobs.loan_reminders(today="2026-06-29") == {"overdue": 0}

    assert service_jobs.loan_reminders(today="2026-07-01") == {"overdue": 2}

    keys = Notification.objects.filter(user=member_user).order_by("pk").values_list("dedupe_key", flat=True)
    assert list(keys) == [f"loan:{loan.pk}:overdue:0", f"loan:{loan.pk}:overdue:1"]


def test_loan_reminders_run_twice_and_through_celery_notify_once(material, member_user, secretary_a):
    lent(material, member_user.member)

    service_jobs.loan_reminders.job.task.delay(today=TODAY)
    service_jobs.loan_reminders.job.task.delay(today=TODAY)
    assert jobs.run_now("services.loan_reminders", today=TODAY) == {"overdue": 0}

    assert Notification.objects.count() == 2
    runs = JobRun.objects.filter(job="services.loan_reminders").order_by("pk")
    assert [(r.outcome, r.counts) for r in runs] == [
        ("succeeded", {"overdue": 2}),
        ("succeeded", {"overdue": 0}),
        ("succeeded", {"overdue": 0}),
    ]
    assert runs[0].task_id and runs[2].task_id == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
def test_two_loan_reminder_runs_at_the_same_moment_notify_once(material, member_user, secretary_a):
    lent(material, member_user.member)

    def run():
        return jobs.run_now("services.loan_reminders", today=TODAY)

    outcomes = at_the_same_moment(run, run)

    assert [o.error for o in outcomes] == [None, None]
    assert Notification.objects.count() == 2


# --- service requests nearing or past their due time --------------------------------------------------------


@pytest.fixture
def request_of_member_a(building, member_user, secretary_a, admin_user):
    """Submitted on Monday 15 June 2026 at 09:00, handled by the member's branch secretary, due in 2 working
    days (Wednesday 17 June, 09:00)."""
    category = ServiceCategory.objects.create(
        building=building,
        code="advice",
        name="政策咨询",
        audience=ServiceCategory.Audience.MEMBERS,
        handler_kind=ServiceCategory.Handler.SECRETARY,
        limit_days=2,
    )
    request = services.request_submit(
        category=category,
        requester=member_user,
        member=member_user.member,
        title="咨询住房公积金提取",
        description="想了解租房提取的条件。",
        now=datetime.datetime(2026, 6, 15, 9, 0, tzinfo=SHANGHAI),
    )
    Notification.objects.all().delete()  # the submission's own notice is not what these tests are about
    return request


def test_a_request_due_within_a_day_reminds_its_handler(request_of_member_a, secretary_a, secretary_b, admin_user):
    assert request_of_member_a.due_at == datetime.datetime(2026, 6, 17, 9, 0, tzinfo=SHANGHAI)

    counts = service_jobs.request_due_times(now="2026-06-16T20:00:00+08:00")

    assert counts == {"due_soon": 1, "overdue": 0}
    assert told() == {"sec_a": ["即将到期：咨询住房公积金提取"]}
    assert Notification.objects.get().body == "该申请须于 2026-06-17 09:00 前办结。"


def test_a_request_past_due_reminds_its_handler_and_the_admins(request_of_member_a, secretary_a, secretary_b, outsider):
    counts = service_jobs.request_due_times(now="2026-06-17T10:00:00+08:00")

    assert counts == {"due_soon": 0, "overdue": 2}
    assert told() == {"sec_a": ["已超时：咨询住房公积金提取"], "admin": ["已超时：咨询住房公积金提取"]}


def test_a_request_due_in_two_days_or_already_resolved_reminds_nobody(request_of_member_a, secretary_a):
    assert service_jobs.request_due_times(now="2026-06-15T10:00:00+08:00") == {"due_soon": 0, "overdue": 0}
    for step in ("accept", "resolve"):
        services.request_step(request=request_of_member_a, step=step, by=secretary_a)
    Notification.objects.all().delete()

    assert service_jobs.request_due_times(now="2026-06-18T10:00:00+08:00") == {"due_soon": 0, "overdue": 0}
    assert not Notification.objects.exists()


def test_a_time_without_a_zone_is_the_buildings_local_time(request_of_member_a, secretary_a):
    assert service_jobs.request_due_times(now="2026-06-17T08:30:00") == {"due_soon": 1, "overdue": 0}


def test_request_due_times_through_celery_and_run_now_notify_once_and_are_recorded(request_of_member_a):
    now = "2026-06-17T10:00:00+08:00"

    service_jobs.request_due_times.job.task.delay(now=now)
    assert jobs.run_now("services.request_due_times", now=now) == {"due_soon": 0, "overdue": 0}

    assert Notification.objects.count() == 2
    runs = JobRun.objects.filter(job="services.request_due_times").order_by("pk")
    assert [r.counts for r in runs] == [{"due_soon": 0, "overdue": 2}, {"due_soon": 0, "overdue": 0}]


def test_the_old_sweep_task_runs_the_job_and_is_recorded(request_of_member_a, secretary_a):
    from services.tasks import sweep_request_due_times

    ServiceRequest.objects.filter(pk=request_of_member_a.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))

    sweep_request_due_times.delay()

    run = JobRun.objects.get()
    assert run.job == "services.request_due_times" and run.outcome == JobRun.Outcome.SUCCEEDED
    assert run.counts == {"due_soon": 0, "overdue": 2}
    assert set(told("request_overdue")) == {"sec_a", "admin"}
