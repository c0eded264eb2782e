from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoomsConfig(AppConfig):
    name = "activities.rooms"
    label = "rooms"
    verbose_name = _("Activity rooms")

    def ready(self):
        # registers itself: the home-page panel
        from . import panels  # noqa: F401
