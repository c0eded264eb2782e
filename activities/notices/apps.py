from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "activities.notices"
    label = "notices"
    verbose_name = _("Bulletin board")

    def ready(self):
        # registers itself with the home page: the pinned and unread notices
        from . import panels  # noqa: F401
