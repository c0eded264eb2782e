from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyConfig(AppConfig):
    name = "activities.study"
    label = "study"
    verbose_name = _("Study")

    def ready(self):
        # Each module registers itself with a registry below: the home-page panels and the points ledger's
        # automatic source (study hours).
        from . import panels, sources  # noqa: F401
