from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "members.points"
    label = "points"
    verbose_name = _("Points")

    def ready(self):
        from . import jobs, panels  # noqa: F401  (each registers itself: the nightly job, the home-page panels)
