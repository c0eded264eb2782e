from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def heartbeat(name: str = "worker") -> None:
    """Idempotent: running it twice only moves the timestamp."""
    services.record_heartbeat(name=name)
