from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "activities.visits"
    label = "visits"
    verbose_name = _("Home visits")

    def ready(self):
        # Each registers itself: the follow-up reminder job and the secretary's home-page panel.
        from . import jobs, panels  # noqa: F401
