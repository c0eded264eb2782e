"""Runs whose worker died (issue 14): a run with no sign of life is marked abandoned and its job sent again, once
per dead worker and at most three times; a redelivered message of a finished task is not run again; the job
pages show the abandoned state. The real killed worker is tests/test_killed_worker.py."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from buildingparty import jobs
from buildingparty.models import JobRun

from .jobs_factories import job_run, temporary_job

Outcome = JobRun.Outcome
calls = []


def remember(*, n: int = 0) -> dict:
    calls.append(n)
    return {"n": n}


@pytest.fixture(autouse=True)
def _no_calls():
    calls.clear()


def silent_for(seconds: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


@pytest.mark.django_db
def test_a_run_silent_for_two_minutes_is_marked_abandoned_and_its_job_runs_again():
    with temporary_job(remember) as job:
        dead = job_run(job.name, Outcome.RUNNING, task_id="t-1", arguments={"n": 7}, alive_at=silent_for(180))

        assert jobs.sweep_abandoned() == {"abandoned": 1, "resent": 1, "given_up": 0}

        dead.refresh_from_db()
        assert dead.outcome == Outcome.ABANDONED and dead.finished_at and "stopped" in dead.error
        assert calls == [7]  # run again with its own arguments
        again = JobRun.objects.get(task_id="t-1", outcome=Outcome.SUCCEEDED)
        assert again.pk != dead.pk
        assert jobs.sweep_abandoned() == {"abandoned": 0, "resent": 0, "given_up": 0}  # once, not every minute


@pytest.mark.django_db
def test_a_run_with_a_recent_sign_of_life_is_left_running():
    with temporary_job(remember) as job:
        working = job_run(job.name, Outcome.RUNNING, task_id="t-2", alive_at=silent_for(30))
        old_but_alive = job_run(job.name, Outcome.RUNNING, started_at=silent_for(3000), alive_at=silent_for(5))

        assert jobs.sweep_abandoned()["abandoned"] == 0

    assert set(JobRun.objects.filter(pk__in=[working.pk, old_but_alive.pk]).values_list("outcome", flat=True)) == {
        Outcome.RUNNING
    }
    assert calls == []


@pytest.mark.django_db
def test_a_task_abandoned_three_times_is_not_run_again():
    with temporary_job(remember) as job:
        for _ in range(2):
            job_run(job.name, Outcome.ABANDONED, task_id="t-3")
        job_run(job.name, Outcome.RUNNING, task_id="t-3", alive_at=silent_for(600))

        assert jobs.sweep_abandoned() == {"abandoned": 1, "resent": 0, "given_up": 1}

    assert calls == []
    assert JobRun.objects.filter(task_id="t-3", outcome=Outcome.ABANDONED).count() == 3


@pytest.mark.django_db
def test_a_redelivered_message_of_a_finished_task_is_not_run_again_and_a_dead_run_is_taken_over():
    job_run("buildingparty.heartbeat", Outcome.SUCCEEDED, task_id="done")
    assert jobs._earlier_runs("done") is None

    dead = job_run("buildingparty.heartbeat", Outcome.RUNNING, task_id="redelivered")
    assert jobs._earlier_runs("redelivered") == 1  # the next attempt is numbered after it
    dead.refresh_from_db()
    assert dead.outcome == Outcome.ABANDONED

    assert jobs._earlier_runs("fresh") == 0


@pytest.mark.django_db(transaction=True)
def test_a_running_job_writes_a_sign_of_life(settings):
    settings.JOB_ALIVE_SECONDS = 0.2

    def slow() -> dict:
        time.sleep(0.7)
        return {}

    with temporary_job(slow) as job:
        jobs.run_now(job.name)
    run = JobRun.objects.get(job=job.name)
    assert run.outcome == Outcome.SUCCEEDED and run.alive_at > run.started_at


@pytest.mark.django_db
def test_the_job_pages_show_an_abandoned_run(admin_client):
    job_run("buildingparty.heartbeat", Outcome.ABANDONED, finished_at=timezone.now())

    detail = admin_client.get(reverse("job_detail", args=["buildingparty.heartbeat"])).content.decode()
    listing = admin_client.get(reverse("job_list")).content.decode()

    for body in (detail, listing):
        assert 'data-outcome="abandoned"' in body and "已中断：执行进程已停止" in body


def test_the_sweep_is_a_scheduled_job_every_minute():
    spec = jobs.get("buildingparty.sweep_abandoned_runs")
    assert spec.schedule == jobs.every(60)
