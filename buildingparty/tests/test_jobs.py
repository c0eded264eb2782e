"""The job machinery: every run recorded, transient errors retried with back-off, the rest failing at once,
schedules written once after migrate, and old history pruned."""

import datetime

import pytest
from django.db import OperationalError
from django.utils import timezone
from django.utils.translation import override
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from buildingparty import jobs, outbox
from buildingparty.builtin_jobs import prune_history
from buildingparty.models import JobRun, OutboxMessage
from buildingparty.schedules import describe, ensure_periodic_tasks

from .jobs_factories import job_run, temporary_job

pytestmark = pytest.mark.django_db

Outcome = JobRun.Outcome


def count_bills(*, month: str | None = None) -> dict:
    return {"created": 3, "month": month or "2026-03"}


def lose_the_database() -> dict:
    raise OperationalError("server closed the connection unexpectedly")


def break_on_bad_data() -> dict:
    raise ValueError("找不到党费标准")


# --- recording runs ------------------------------------------------------------------------------------------


def test_a_run_is_recorded_with_its_counts_and_duration():
    with temporary_job(count_bills) as job:
        assert jobs.run_now(job.name, month="2026-04") == {"created": 3, "month": "2026-04"}
    run = JobRun.objects.get(job=job.name)
    assert run.outcome == Outcome.SUCCEEDED and run.counts == {"created": 3, "month": "2026-04"}
    assert run.arguments == {"month": "2026-04"} and run.task_id == ""
    assert run.finished_at >= run.started_at and run.duration_seconds >= 0


def test_running_a_job_twice_records_two_runs():
    with temporary_job(count_bills) as job:
        job.task.delay()
        job.task.delay()
    runs = JobRun.objects.filter(job=job.name)
    assert runs.count() == 2 and {r.outcome for r in runs} == {Outcome.SUCCEEDED}
    assert all(r.task_id for r in runs)  # each delivery has its own task id


def test_a_lost_database_connection_is_retried_and_recorded_as_will_retry_then_failed():
    with temporary_job(lose_the_database) as job, pytest.raises(OperationalError):
        job.task.delay()  # eager: Celery runs each retry at once, ignoring the countdown
    runs = list(JobRun.objects.filter(job=job.name).order_by("attempt"))
    assert [r.attempt for r in runs] == list(range(1, jobs.MAX_RETRIES + 2))
    assert [r.outcome for r in runs] == [Outcome.RETRYING] * jobs.MAX_RETRIES + [Outcome.FAILED]
    assert all("server closed the connection" in r.error for r in runs)


def test_the_wait_between_attempts_doubles_up_to_a_cap():
    assert [jobs.backoff(n) for n in range(5)] == [30, 60, 120, 240, 480]
    assert jobs.backoff(10) == jobs.BACKOFF_MAX_SECONDS


def test_a_value_error_fails_at_once_without_retrying():
    with temporary_job(break_on_bad_data) as job, pytest.raises(ValueError):
        job.task.delay()
    run = JobRun.objects.get(job=job.name)
    assert run.outcome == Outcome.FAILED and run.attempt == 1
    assert "ValueError: 找不到党费标准" in run.error and run.finished_at is not None


def test_a_command_run_does_not_retry_a_transient_error():
    with temporary_job(lose_the_database) as job, pytest.raises(OperationalError):
        jobs.run_now(job.name)
    assert list(JobRun.objects.filter(job=job.name).values_list("outcome", flat=True)) == [Outcome.FAILED]


def test_counts_that_are_not_json_are_stored_as_text():
    def odd_counts() -> dict:
        return {"day": datetime.date(2026, 3, 1), "n": 2}

    with temporary_job(odd_counts) as job:
        jobs.run_now(job.name)
    assert JobRun.objects.get(job=job.name).counts == {"day": "2026-03-01", "n": 2}


# --- schedules -----------------------------------------------------------------------------------------------


def test_migrate_gives_every_scheduled_job_its_periodic_task():
    tasks = {t.name: t for t in PeriodicTask.objects.select_related("crontab", "interval")}
    for job in jobs.registered():
        if job.schedule is None:
            assert job.name not in tasks
            continue
        task = tasks[job.name]
        assert task.task == job.name and task.enabled
        if isinstance(job.schedule, jobs.Every):
            assert task.interval.every == job.schedule.seconds and task.crontab is None
        else:
            assert task.crontab.minute == job.schedule.minute and task.interval is None
            assert str(task.crontab.timezone) == "Asia/Shanghai"


def test_a_new_crontab_job_is_scheduled_in_the_building_time_zone():
    def monthly() -> dict:
        return {}

    with temporary_job(monthly, schedule=jobs.crontab(minute=10, hour=1, day_of_month=1)) as job:
        ensure_periodic_tasks()
        task = PeriodicTask.objects.select_related("crontab").get(name=job.name)
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_month) == ("10", "1", "1")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    assert task.description == "测试任务。检查运行记录。"


def test_an_admins_change_to_a_job_schedule_survives_the_next_migrate():
    name = "buildingparty.prune_history"
    changed = CrontabSchedule.objects.create(minute="5", hour="4", timezone="Asia/Shanghai")
    PeriodicTask.objects.filter(name=name).update(crontab=changed, enabled=False)
    ensure_periodic_tasks()
    task = PeriodicTask.objects.get(name=name)
    assert task.crontab_id == changed.pk and task.enabled is False
    assert PeriodicTask.objects.filter(name=name).count() == 1


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (jobs.every(60), "每 60 秒"),
        (jobs.every(300), "每 5 分钟"),
        (jobs.every(7200), "每 2 小时"),
        (jobs.crontab(minute=10, hour=1, day_of_month=1), "每月1日 01:10"),
        (jobs.crontab(minute=30, hour=8), "每天 08:30"),
        (jobs.crontab(minute=0, hour="8,14"), "每天 08:00、14:00"),
        (jobs.crontab(minute=0, hour=9, day_of_week=1), "每周一 09:00"),
        (jobs.crontab(minute=30, hour=8, day_of_week="1-5"), "每周一至周五 08:30"),
        (jobs.crontab(minute=0, hour=9, day_of_month=1, month_of_year=1), "每年1月1日 09:00"),
        (jobs.crontab(minute="*/15"), "每 15 分钟"),
        (jobs.crontab(minute=5), "每小时第 5 分"),
        (jobs.crontab(minute=0, hour="*/6"), "每 6 小时（第 0 分）"),
        (None, "不定时，手动运行"),
    ],
)
def test_a_schedule_reads_as_plain_chinese(schedule, words):
    assert describe(schedule) == words


def test_an_unusual_crontab_is_shown_as_it_is():
    assert "1-10/3 8 * * *" in describe(jobs.crontab(minute="1-10/3", hour=8))


def test_schedules_read_in_english_too():
    with override("en"):
        assert describe(jobs.crontab(minute=10, hour=1, day_of_month=1)) == "Monthly on day 1 at 01:10"
        assert describe(jobs.every(60)) == "Every 60 seconds"


def test_a_periodic_task_is_described_by_its_current_schedule():
    task = PeriodicTask.objects.get(name="buildingparty.prune_history")
    assert describe(task) == "每天 03:40"


# --- pruning -------------------------------------------------------------------------------------------------


def test_pruning_deletes_old_sent_outbox_rows_and_old_runs_and_keeps_the_rest():
    now = timezone.now()
    days = datetime.timedelta(days=1)
    old_sent = OutboxMessage.objects.create(task="t", created_at=now - 9 * days, sent_at=now - 8 * days)
    recent_sent = OutboxMessage.objects.create(task="t", created_at=now - 2 * days, sent_at=now - 2 * days)
    old_unsent = OutboxMessage.objects.create(task="t", created_at=now - 30 * days)
    ancient = job_run("members.generate_dues", started_at=now - 181 * days)
    kept = job_run("members.generate_dues", started_at=now - 170 * days)
    old_beat = job_run("buildingparty.heartbeat", started_at=now - 3 * days)
    old_beat_failure = job_run("buildingparty.heartbeat", Outcome.FAILED, started_at=now - 3 * days)
    fresh_beat = job_run("buildingparty.heartbeat", started_at=now - datetime.timedelta(hours=2))

    counts = prune_history()

    assert counts == {"outbox_deleted": 1, "runs_deleted": 2, "tokens_deleted": 0, "uploads_deleted": 0}
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent_sent.pk, old_unsent.pk}
    left = set(JobRun.objects.exclude(job="buildingparty.prune_history").values_list("pk", flat=True))
    assert left == {kept.pk, old_beat_failure.pk, fresh_beat.pk}
    assert not OutboxMessage.objects.filter(pk=old_sent.pk).exists()
    assert not JobRun.objects.filter(pk__in=[ancient.pk, old_beat.pk]).exists()


def test_pruning_twice_deletes_nothing_more():
    job_run("members.generate_dues", started_at=timezone.now() - datetime.timedelta(days=200))
    assert prune_history()["runs_deleted"] == 1
    assert prune_history() == {"outbox_deleted": 0, "runs_deleted": 0, "tokens_deleted": 0, "uploads_deleted": 0}


# --- reading the record --------------------------------------------------------------------------------------


def test_health_counts_failures_of_the_last_day_and_stuck_runs():
    now = timezone.now()
    job_run("a", Outcome.FAILED, started_at=now - datetime.timedelta(hours=3))
    job_run("a", Outcome.FAILED, started_at=now - datetime.timedelta(hours=30))  # not in the last 24 h
    job_run("b", Outcome.RUNNING, started_at=now - datetime.timedelta(hours=2))  # stuck
    job_run("c", Outcome.RUNNING, started_at=now - datetime.timedelta(minutes=5))  # just running
    job_run("d", Outcome.RETRYING, started_at=now)
    assert jobs.health() == {"failed_24h": 1, "stuck": 1}


def test_the_overview_has_each_jobs_last_run_last_success_and_failures():
    now = timezone.now()
    success = job_run("a", started_at=now - datetime.timedelta(days=2))
    failure = job_run("a", Outcome.FAILED, started_at=now - datetime.timedelta(days=1))
    stuck = job_run("b", Outcome.RUNNING, started_at=now - datetime.timedelta(hours=2))
    state = jobs.overview(["a", "b", "c"])
    assert state["a"]["last"] == failure and state["a"]["last_success"] == success
    assert state["a"]["failures_7d"] == 1
    assert state["b"]["last"] == stuck and state["b"]["last"].stuck and state["b"]["last_success"] is None
    assert state["c"] == {"last": None, "last_success": None, "failures_7d": 0}


def test_the_built_in_jobs_are_registered_with_their_schedules():
    assert jobs.get("buildingparty.flush_outbox").schedule == jobs.every(60)
    assert jobs.get("buildingparty.prune_history").schedule == jobs.crontab(minute="40", hour="3")
    assert isinstance(jobs.get("buildingparty.heartbeat").schedule, jobs.Every)
    assert outbox.BREAKER_SECONDS <= 60


# --- count labels --------------------------------------------------------------------------------------------


def test_a_runs_counts_are_labelled_in_order_and_an_unknown_key_stays_as_it_is():
    with temporary_job(count_bills, counts={"created": "新生成账单"}) as job:
        assert job.labelled_counts({"created": 3, "month": "2026-03"}) == [("新生成账单", 3), ("month", "2026-03")]
        assert job.labelled_counts({}) == [] and job.labelled_counts(None) == []


def english_and_chinese(text) -> tuple[str, str]:
    with override("en"):
        english = str(text)
    with override("zh-hans"):
        return english, str(text)


def test_every_registered_job_has_its_description_and_count_labels_in_chinese():
    for job in jobs.registered():
        assert job.counts, f"{job.name} labels none of its counts"
        for text in [job.description, *job.counts.values()]:
            english, chinese = english_and_chinese(text)
            assert chinese != english, f"{job.name}: “{english}” has no Chinese translation"


def test_every_key_a_registered_job_returns_on_an_empty_database_has_a_label():
    for job in jobs.registered():
        counts = jobs.run_now(job.name)
        assert set(counts) <= set(job.counts), f"{job.name} returns unlabelled {set(counts) - set(job.counts)}"
