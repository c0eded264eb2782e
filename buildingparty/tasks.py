"""Celery tasks of the ground floor that are not scheduled jobs (those are in builtin_jobs.py)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(ids: list[int]) -> int:
    """Email the notifications not yet emailed. Safe to run twice: each is marked when sent."""
    return services.email_notifications(ids=ids)
