from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BuildingPartyConfig(AppConfig):
    name = "buildingparty"
    verbose_name = _("Building and organisation")

    def ready(self):
        from django.db.models.signals import post_migrate

        # Registers the home-page panels, the built-in jobs and the deploy check that two-factor sign-in is on.
        from . import builtin_jobs, panels, two_factor  # noqa: F401
        from .forms import bound_form_dates
        from .schedules import ensure_periodic_tasks

        post_migrate.connect(ensure_periodic_tasks, sender=self)
        bound_form_dates()  # guards: no form accepts a date its arithmetic cannot handle
