"""The Celery application, configured from Django settings (the CELERY_* names)."""

import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buildingparty.settings")

app = Celery("buildingparty")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def sweep_abandoned_runs_on_start(**kwargs):
    """A worker back after a crash runs again at once the jobs that died with it (issue 14: a killed worker)."""
    from .jobs import sweep_abandoned

    try:
        sweep_abandoned()
    except Exception:  # the database may not be up yet; the every-minute sweep follows
        logging.getLogger(__name__).exception("could not sweep abandoned job runs at worker start")
