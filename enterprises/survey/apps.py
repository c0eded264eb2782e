from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyConfig(AppConfig):
    name = "enterprises.survey"
    label = "survey"
    verbose_name = _("Building survey")

    def ready(self):
        # Each module registers itself with a registry below: the follow-up reminder job, the home-page panels,
        # and the visits and "record a visit" button on an enterprise's page. The demo step is found by
        # buildingparty.demo in this app's demo module.
        from . import jobs, panels, sections  # noqa: F401
