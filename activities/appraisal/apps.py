from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "activities.appraisal"
    label = "appraisal"
    verbose_name = _("Democratic appraisal")

    def ready(self):
        # Each module registers itself below: the home-page panels, the exportable register, the member timeline.
        from . import panels, register, selectors  # noqa: F401
