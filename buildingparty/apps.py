from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BuildingPartyConfig(AppConfig):
    name = "buildingparty"
    verbose_name = _("Building and organisation")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import builtin_jobs, panels  # noqa: F401  (registers the home-page panels and the built-in jobs)
        from .schedules import ensure_periodic_tasks

        post_migrate.connect(ensure_periodic_tasks, sender=self)
