from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "activities.meetings"
    label = "meetings"
    verbose_name = _("Organisational life")

    def ready(self):
        # each registers itself: the reminder jobs, the home-page panels, the points and timeline sources, the
        # 组织生活台账 register
        from . import jobs, panels, register, sources  # noqa: F401
