from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "activities.duty"
    label = "duty"
    verbose_name = _("Duty rosters")

    def ready(self):
        # each registers itself: the reminder job, the home-page panels, the duty register
        from . import jobs, panels, register  # noqa: F401
