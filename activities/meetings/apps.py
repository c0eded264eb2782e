from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "activities.meetings"
    label = "meetings"
    verbose_name = _("Organisational life")

    def ready(self):
        # Each module registers itself where it is imported: jobs, home-page panels, point and timeline sources,
        # the register export. A module listed here that does not exist yet is simply not imported.
        import importlib

        for name in ("jobs", "panels", "sources", "register"):
            try:
                importlib.import_module(f"{self.name}.{name}")
            except ModuleNotFoundError as error:
                if error.name != f"{self.name}.{name}":
                    raise
