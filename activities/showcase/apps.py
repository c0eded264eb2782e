from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShowcaseConfig(AppConfig):
    name = "activities.showcase"
    label = "showcase"
    verbose_name = _("Members on show")

    def ready(self):
        # The home-page panel registers itself with the dashboard.
        from . import panels  # noqa: F401
