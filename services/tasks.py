from celery import shared_task

from buildingparty import jobs


@shared_task(acks_late=True, ignore_result=True)
def sweep_request_due_times() -> dict:
    """The old name of the ``services.request_due_times`` job (see ``services.jobs``), kept so that a message
    or schedule still naming it runs the job, recorded like any other run."""
    return jobs.run_now("services.request_due_times")
