from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "members.committees"
    label = "committees"
    verbose_name = _("Committees and terms")

    def ready(self):
        from . import jobs, panels, timeline  # noqa: F401  (each registers itself: the 换届 job, panels, timeline)
