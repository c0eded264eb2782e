"""The ground floor's own home-page panels: is the machinery alive, and did any background work fail."""

from . import dashboard, jobs, outbox
from .models import JobRun, Role
from .selectors import last_heartbeat

PROBLEMS_SHOWN = 10


@dashboard.register(template="buildingparty/jobs/_panel.html", roles={Role.ADMIN}, order=1)
def job_problems(request):
    """Failed and stuck job runs of the last 7 days and work waiting in the outbox; hidden when all is well."""
    runs = list(jobs.problem_runs().order_by("-started_at", "-pk")[: PROBLEMS_SHOWN + 1])
    waiting = outbox.pending()
    if not runs and not waiting["unsent"]:
        return None
    count = len(runs) if len(runs) <= PROBLEMS_SHOWN else jobs.problem_runs().count()
    runs = runs[:PROBLEMS_SHOWN]
    for run in runs:
        run.stuck = run.outcome == JobRun.Outcome.RUNNING
        spec = jobs.find(run.job)
        run.label = spec.label if spec is not None else run.job
    return {"runs": runs, "count": count, "outbox": waiting}


@dashboard.register(template="buildingparty/panels/system.html", roles={Role.ADMIN}, order=90)
def system_status(request):
    return {"heartbeat": last_heartbeat()}
