from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "activities.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteering")

    def ready(self):
        # each registers itself: the reminder job, the home-page panels, the points and timeline sources
        from . import jobs, panels, sources  # noqa: F401
