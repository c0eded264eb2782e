from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def sweep_request_due_times() -> dict:
    """Notify handlers of requests due soon or overdue. Idempotent: one notification per request and occasion."""
    return services.sweep_due()
