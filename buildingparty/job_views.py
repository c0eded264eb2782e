"""The job page: every scheduled job, its schedule, its last run and failures, and the outbox.

The jobs are the platform's, not a building's: building admins see their status (read-only); only the platform
operator (a superuser) changes a schedule (django-celery-beat's PeriodicTask, which beat reloads by itself),
switches a job on or off, or starts it now (through the outbox, so a broker outage keeps the request).
"""

import logging
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import data_cache, jobs, outbox, schedules
from .job_forms import ScheduleForm
from .models import JobRun, Notification, Role

logger = logging.getLogger(__name__)

PAGE_SIZE = 25


def _viewers_only(view):
    """Building admins and the platform operator see the job pages; everybody else gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_superuser or request.user.role == Role.ADMIN):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _operator_only(request) -> None:
    """Changing a schedule or starting a job is for the platform operator (a superuser) only."""
    if not request.user.is_superuser:
        raise PermissionDenied


def _job_or_404(name: str) -> jobs.Job:
    try:
        return jobs.get(name)
    except KeyError:
        raise Http404 from None


# How long the job page is kept at most: a run, an email or a schedule written drops it at once (their tables have
# versions of their own, data_cache.IGNORED_MODELS), but whether the worker is late moves with the clock.
JOB_LIST_SECONDS = 60


@_viewers_only
def job_list(request):
    # Kept whole, as HTML (data_cache.page), under the account (the operator sees every failed email, a building
    # admin those of the building's users), until a run, an email or a schedule is written, for a minute at most.
    body = data_cache.page(
        request,
        "job_list",
        "buildingparty/jobs/_job_list_body.html",
        lambda: _job_list(request),
        by="user",
        timeout=JOB_LIST_SECONDS,
    )
    return render(request, "buildingparty/jobs/job_list.html", {"body": body})


def _job_list(request) -> dict:
    specs = jobs.registered()
    names = [spec.name for spec in specs]
    tasks = schedules.periodic_tasks(names)
    state = jobs.overview(names)
    rows = []
    for spec in specs:
        task = tasks.get(spec.name)
        last = state[spec.name]["last"]
        if last is not None:
            last.labelled_counts = spec.labelled_counts(last.counts)
        rows.append(
            {
                "job": spec,
                "schedule": schedules.describe(task if task is not None else spec.schedule),
                "enabled": task.enabled if task is not None else None,
                **state[spec.name],
            }
        )
    return {
        "rows": rows,
        "outbox": outbox.pending(),
        "problems": sum(1 for r in rows if _in_trouble(r)),
        "email_problems": _email_problems(request.user),
        "email_problems_limit": EMAIL_PROBLEMS_SHOWN,
    }


EMAIL_PROBLEMS_SHOWN = 50


def _email_problems(user) -> list[Notification]:
    """The emails not sent after a failure (given up, or waiting for a retry), newest first, in one query: the
    platform operator sees all, a building admin those to the building's users."""
    notes = Notification.objects.filter(emailed_at__isnull=True, email_attempts__gt=0).select_related("user")
    if not user.is_superuser:
        notes = notes.filter(user__building_id=user.building_id)
    return list(notes.order_by("-created_at", "-pk")[:EMAIL_PROBLEMS_SHOWN])


def _in_trouble(row: dict) -> bool:
    last = row["last"]
    return row["failures_7d"] > 0 or (last is not None and (last.outcome == JobRun.Outcome.FAILED or last.stuck))


@_viewers_only
def job_detail(request, name):
    """The run history; for the platform operator also the schedule form (POST saves it) and "run now"."""
    spec = _job_or_404(name)
    if request.method == "POST":
        _operator_only(request)
    task = schedules.periodic_tasks([spec.name]).get(spec.name)
    form = None
    if request.user.is_superuser and (spec.schedule is not None or task is not None):
        form = ScheduleForm.for_task(request.POST or None, job=spec, task=task)
        if request.method == "POST" and form.is_valid():
            task = schedules.update_schedule(job=spec, enabled=form.cleaned_data["enabled"], schedule=form.schedule())
            logger.info("%s changed the schedule of %s to %s", request.user.username, spec.name, form.cleaned_data)
            messages.success(
                request,
                _("The schedule is saved: %(schedule)s, %(state)s.")
                % {
                    "schedule": schedules.describe(task),
                    "state": _("enabled") if task.enabled else _("switched off"),
                },
            )
            return redirect("job_detail", name=spec.name)
    elif request.method == "POST":
        raise Http404  # nothing to edit: the job has no schedule
    runs = JobRun.objects.filter(job=spec.name).order_by("-started_at", "-pk")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    cutoff = jobs.stuck_before()
    for run in page:
        run.stuck = run.outcome == JobRun.Outcome.RUNNING and run.started_at < cutoff
        run.labelled_counts = spec.labelled_counts(run.counts)
    return render(
        request,
        "buildingparty/jobs/job_detail.html",
        {
            "job": spec,
            "task": task,
            "schedule": schedules.describe(task if task is not None else spec.schedule),
            "default_schedule": schedules.describe(spec.schedule),
            "form": form,
            "can_operate": request.user.is_superuser,
            "page": page,
        },
    )


@_viewers_only
@require_POST
def job_run_now(request, name):
    """Queue one run of the job now, with its default arguments (the platform operator only)."""
    _operator_only(request)
    spec = _job_or_404(name)
    outbox.enqueue(spec.name)
    logger.info("%s started %s by hand", request.user.username, spec.name)
    messages.success(
        request, _("“%(job)s” is queued. Its run shows below once a worker has taken it.") % {"job": spec.label}
    )
    return redirect("job_detail", name=spec.name)
