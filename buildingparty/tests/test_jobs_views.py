"""The job page, a job's history and schedule form, "run now", the admin's home panel and /healthz: a failed
or stuck run is visible wherever an admin looks."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import PeriodicTask

from buildingparty import job_views, jobs
from buildingparty.models import JobRun, OutboxMessage
from tests.factories import UserFactory

from .jobs_factories import job_run, temporary_job

pytestmark = pytest.mark.django_db

Outcome = JobRun.Outcome
DUES = "buildingparty.prune_history"  # a crontab job that is always registered
HEARTBEAT = "buildingparty.heartbeat"  # an interval job


@pytest.fixture
def operator_client(client):
    """The platform operator: a superuser (who need not belong to a building)."""
    client.force_login(UserFactory(username="operator", role="member", building=None, is_superuser=True))
    return client


def crontab_form(**changes):
    data = {
        "enabled": "on",
        "minute": "15",
        "hour": "2",
        "day_of_month": "1",
        "month_of_year": "*",
        "day_of_week": "*",
    }
    return {k: v for k, v in {**data, **changes}.items() if v is not None}


# --- the list ------------------------------------------------------------------------------------------------


def test_admin_sees_every_registered_job_with_its_schedule_in_chinese(admin_client):
    response = admin_client.get(reverse("job_list"))
    assert response.status_code == 200
    body = response.content.decode()
    for job in jobs.registered():
        assert f'data-job="{job.name}"' in body
    assert "每 60 秒" in body  # the outbox flush
    assert "每天 03:40" in body  # the pruning
    assert "发件箱" in body and "所有任务都已交给消息队列" in body


def test_a_failed_run_stands_out_in_red_with_its_failure_count(admin_client):
    job_run(DUES, started_at=timezone.now() - datetime.timedelta(days=1), counts={"runs_deleted": 4})
    job_run(DUES, Outcome.FAILED)
    body = admin_client.get(reverse("job_list")).content.decode()
    row = body[body.index(f'data-job="{DUES}"') : body.index("</tr>", body.index(f'data-job="{DUES}"'))]
    assert 'class="table-danger"' in row
    assert 'data-outcome="failed"' in row and "失败" in row
    assert '<span class="badge text-bg-danger">1</span>' in row  # failures in 7 days
    assert "需要处理的任务：1 个" in body


def test_a_run_stuck_for_over_an_hour_stands_out_but_a_fresh_one_does_not(admin_client):
    job_run(DUES, Outcome.RUNNING, started_at=timezone.now() - datetime.timedelta(minutes=61))
    job_run(HEARTBEAT, Outcome.RUNNING)
    body = admin_client.get(reverse("job_list")).content.decode()
    assert body.count('data-outcome="stuck"') == 2  # the table row and the phone card
    assert "卡住：已运行超过 1 小时" in body
    heartbeat_row = body[body.index(f'data-job="{HEARTBEAT}"') :]
    assert heartbeat_row.index('data-outcome="running"') < heartbeat_row.index("</tr>")


def test_a_successful_last_run_shows_when_how_long_and_its_counts(admin_client):
    started = timezone.make_aware(datetime.datetime(2026, 3, 1, 1, 10))
    job_run(DUES, started_at=started, counts={"runs_deleted": 4})
    body = admin_client.get(reverse("job_list")).content.decode()
    assert "2026-03-01 01:10" in body and "2.0 秒" in body and "已删除的任务运行记录: 4" in body
    assert "runs_deleted" not in body


def test_a_runs_counts_show_with_their_chinese_labels_and_an_unknown_key_as_itself(admin_client):
    def make_bills() -> dict:
        return {"created": 51, "missing_standard": 2}

    counts = {"created": _("bills made"), "missing_standard": _("members without a confirmed standard")}
    with temporary_job(make_bills, counts=counts) as job:
        job_run(job.name, counts={"created": 51, "missing_standard": 2, "surprise": 7})
        for url in (reverse("job_list"), reverse("job_detail", args=[job.name])):
            body = admin_client.get(url).content.decode()
            assert "新生成应交党费记录: 51" in body and "无已确认标准的党员: 2" in body
            assert "surprise: 7" in body  # no label: the key itself
            assert "created:" not in body and "missing_standard" not in body


def test_the_list_shows_work_waiting_in_the_outbox(admin_client):
    OutboxMessage.objects.create(task="buildingparty.tasks.send_notification_emails", args=[[1]])
    body = admin_client.get(reverse("job_list")).content.decode()
    assert "有 1 个任务在等待消息队列" in body


def test_a_switched_off_job_says_so(admin_client):
    PeriodicTask.objects.filter(name=DUES).update(enabled=False)
    body = admin_client.get(reverse("job_list")).content.decode()
    row = body[body.index(f'data-job="{DUES}"') :]
    assert row.index("已停用") < row.index("</tr>")


@pytest.mark.parametrize("runs", [1, 3])
def test_the_list_costs_the_same_queries_however_many_runs(admin_client, django_assert_num_queries, runs):
    for job in jobs.registered():
        for n in range(runs):
            job_run(job.name, Outcome.FAILED if n % 2 else Outcome.SUCCEEDED)
    OutboxMessage.objects.create(task="x")
    # session read and touched (3), user, bell; periodic tasks, last runs, failures, outbox, emails not sent
    with django_assert_num_queries(11):
        assert admin_client.get(reverse("job_list")).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (reverse("job_list"), reverse("job_detail", args=[DUES])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.post(reverse("job_run_now", args=[DUES])).status_code == 302
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("persona", ["secretary_a", "member_user", "street_user"])
def test_only_admins_see_the_job_pages(login_as, persona, request):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(reverse("job_list")).status_code == 403
    assert client.get(reverse("job_detail", args=[DUES])).status_code == 403
    assert client.post(reverse("job_detail", args=[DUES]), crontab_form()).status_code == 403
    assert client.post(reverse("job_run_now", args=[DUES])).status_code == 403
    assert not OutboxMessage.objects.exists() and not JobRun.objects.exists()


# --- one job -------------------------------------------------------------------------------------------------


def test_a_jobs_page_shows_its_history_with_the_error_text(admin_client):
    job_run(DUES, started_at=timezone.now() - datetime.timedelta(days=1))
    job_run(DUES, Outcome.FAILED, attempt=3, arguments={"today": "2026-03-01"})
    response = admin_client.get(reverse("job_detail", args=[DUES]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "ValueError: 找不到党费标准" in body
    assert "第 3 次尝试" in body and "today=2026-03-01" in body
    assert "每天 03:40" in body and "默认计划：每天 03:40" in body
    assert list(response.context["page"])[0].outcome == Outcome.FAILED  # newest first


def test_the_history_is_paginated(admin_client):
    for n in range(job_views.PAGE_SIZE + 2):
        job_run(DUES, started_at=timezone.now() - datetime.timedelta(days=n))
    first = admin_client.get(reverse("job_detail", args=[DUES]))
    second = admin_client.get(reverse("job_detail", args=[DUES]), {"page": 2})
    assert len(first.context["page"]) == job_views.PAGE_SIZE and len(second.context["page"]) == 2


@pytest.mark.parametrize("runs", [1, 3])
def test_a_jobs_page_costs_the_same_queries_however_many_runs(admin_client, django_assert_num_queries, runs):
    for n in range(runs):
        job_run(DUES, Outcome.FAILED if n % 2 else Outcome.SUCCEEDED)
    # session read and touched (3), user, bell; periodic task, count and page of runs
    with django_assert_num_queries(9):
        assert admin_client.get(reverse("job_detail", args=[DUES])).status_code == 200


def test_an_unknown_job_is_not_found(admin_client):
    assert admin_client.get(reverse("job_detail", args=["members.no_such_job"])).status_code == 404


def test_the_operator_cannot_run_an_unknown_job(operator_client):
    assert operator_client.post(reverse("job_run_now", args=["members.no_such_job"])).status_code == 404


def test_the_operator_changes_a_crontab_schedule_and_switches_the_job_off(operator_client):
    response = operator_client.post(reverse("job_detail", args=[DUES]), crontab_form(enabled=None))
    assert response.status_code == 302
    task = PeriodicTask.objects.select_related("crontab").get(name=DUES)
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_month) == ("15", "2", "1")
    assert str(task.crontab.timezone) == "Asia/Shanghai" and task.enabled is False
    page = operator_client.get(response.url).content.decode()
    assert "运行计划已保存：每月1日 02:15，已停用。" in page


def test_a_wrong_crontab_field_is_explained_next_to_it_and_nothing_changes(operator_client):
    before = PeriodicTask.objects.get(name=DUES).crontab_id
    response = operator_client.post(reverse("job_detail", args=[DUES]), crontab_form(minute="75", hour="每天"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "请填写 0 到 59 之间的数字" in form.errors["minute"][0]
    assert "请填写 0 到 23 之间的数字" in form.errors["hour"][0]
    body = response.content.decode()
    assert body.index('id="id_minute"') < body.index("请填写 0 到 59 之间的数字")
    assert PeriodicTask.objects.get(name=DUES).crontab_id == before


def test_the_operator_changes_an_interval_schedule(operator_client):
    response = operator_client.post(reverse("job_detail", args=[HEARTBEAT]), {"enabled": "on", "every_seconds": "120"})
    assert response.status_code == 302
    task = PeriodicTask.objects.select_related("interval").get(name=HEARTBEAT)
    assert task.interval.every == 120 and task.interval.period == "seconds" and task.crontab is None
    assert "每 2 分钟" in operator_client.get(response.url).content.decode()


def test_a_job_whose_schedule_row_was_deleted_gets_one_again(operator_client):
    PeriodicTask.objects.filter(name=DUES).delete()
    response = operator_client.post(reverse("job_detail", args=[DUES]), crontab_form(minute="0", hour="5"))
    assert response.status_code == 302
    assert PeriodicTask.objects.get(name=DUES).crontab.hour == "5"


def test_run_now_queues_the_job_through_the_outbox(operator_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(reverse("job_run_now", args=[DUES]))
    assert response.status_code == 302 and response.url == reverse("job_detail", args=[DUES])
    message = OutboxMessage.objects.get(task=DUES)
    assert message.sent_at is not None  # handed over (eager in tests: run at once)
    assert JobRun.objects.filter(job=DUES, outcome=Outcome.SUCCEEDED).count() == 1
    assert "已排队" in operator_client.get(response.url).content.decode()


def test_run_now_is_post_only(operator_client):
    assert operator_client.get(reverse("job_run_now", args=[DUES])).status_code == 405
    assert not OutboxMessage.objects.exists()


def test_a_job_without_a_schedule_has_no_form_but_can_run_now(operator_client, django_capture_on_commit_callbacks):
    def by_hand_only() -> dict:
        return {"done": 1}

    with temporary_job(by_hand_only) as job:
        page = operator_client.get(reverse("job_detail", args=[job.name]))
        assert page.context["form"] is None and "不定时，手动运行" in page.content.decode()
        assert operator_client.post(reverse("job_detail", args=[job.name]), crontab_form()).status_code == 404
        with django_capture_on_commit_callbacks(execute=True):
            operator_client.post(reverse("job_run_now", args=[job.name]))
    assert JobRun.objects.get(job=job.name).counts == {"done": 1}


# --- the platform's jobs: building admins read, the operator acts ---------------------------------------------


def test_a_building_admin_sees_a_jobs_status_without_edit_or_run_buttons(admin_client):
    job_run(DUES, Outcome.FAILED)
    response = admin_client.get(reverse("job_detail", args=[DUES]))
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["form"] is None
    assert 'data-testid="run-now"' not in body and 'data-testid="schedule-form"' not in body
    assert "ValueError: 找不到党费标准" in body and 'data-testid="operator-only"' in body


def test_a_building_admin_gets_403_on_every_write_and_nothing_changes(admin_client):
    before = PeriodicTask.objects.values("enabled", "crontab_id").get(name=DUES)
    assert admin_client.post(reverse("job_detail", args=[DUES]), crontab_form(enabled=None)).status_code == 403
    assert admin_client.post(reverse("job_detail", args=[DUES]), crontab_form(minute="0")).status_code == 403
    assert admin_client.post(reverse("job_detail", args=[HEARTBEAT]), {"every_seconds": "5"}).status_code == 403
    assert admin_client.post(reverse("job_run_now", args=[DUES])).status_code == 403
    assert PeriodicTask.objects.values("enabled", "crontab_id").get(name=DUES) == before
    assert not OutboxMessage.objects.exists() and not JobRun.objects.exists()


def test_the_operator_sees_the_schedule_form_and_the_run_button(operator_client):
    body = operator_client.get(reverse("job_detail", args=[DUES])).content.decode()
    assert 'data-testid="run-now"' in body and 'data-testid="schedule-form"' in body
    assert operator_client.get(reverse("job_list")).status_code == 200


# --- the home panel and /healthz -----------------------------------------------------------------------------


def test_the_admin_home_shows_failed_and_stuck_runs(admin_client):
    job_run(DUES, Outcome.FAILED)
    job_run(HEARTBEAT, Outcome.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=2))
    job_run(HEARTBEAT, Outcome.FAILED, started_at=timezone.now() - datetime.timedelta(days=8))  # too old
    body = admin_client.get(reverse("home")).content.decode()
    assert 'data-testid="job-problems-panel"' in body
    assert "最近 7 天失败或卡住的任务运行：2 次" in body
    assert reverse("job_detail", args=[DUES]) in body and 'data-outcome="stuck"' in body


def test_the_admin_home_shows_work_waiting_in_the_outbox(admin_client):
    OutboxMessage.objects.create(task="buildingparty.tasks.send_notification_emails", args=[[1]])
    body = admin_client.get(reverse("home")).content.decode()
    assert "发件箱中有 1 个任务在等待消息队列" in body


def test_the_admin_home_shows_no_problem_panel_when_all_is_well(admin_client):
    job_run(DUES)
    job_run(DUES, Outcome.RETRYING)  # not a failure yet
    OutboxMessage.objects.create(task="x", sent_at=timezone.now())
    body = admin_client.get(reverse("home")).content.decode()
    assert 'data-testid="job-problems-panel"' not in body


def test_a_secretary_home_has_no_job_panel(secretary_a_client):
    job_run(DUES, Outcome.FAILED)
    assert 'data-testid="job-problems-panel"' not in secretary_a_client.get(reverse("home")).content.decode()


def test_healthz_reports_failed_jobs_and_the_outbox(client):
    job_run(DUES, Outcome.FAILED)
    job_run(DUES, Outcome.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=2))
    waiting = OutboxMessage.objects.create(task="x")
    OutboxMessage.objects.create(task="x", sent_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["jobs"] == {"failed_24h": 1, "stuck": 1}
    assert body["outbox"]["unsent"] == 1
    assert body["outbox"]["oldest"] == timezone.localtime(waiting.created_at).isoformat()


def test_healthz_reports_no_problems_on_a_quiet_day(client):
    body = client.get("/healthz").json()
    assert body["jobs"] == {"failed_24h": 0, "stuck": 0}
    assert body["outbox"] == {"unsent": 0, "oldest": None}
