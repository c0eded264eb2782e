from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "members.committees"
    label = "committees"
    verbose_name = _("Committees and terms")

    def ready(self):
        import importlib

        for name in ("jobs", "panels"):
            try:
                importlib.import_module(f"{self.name}.{name}")
            except ModuleNotFoundError as error:
                if error.name != f"{self.name}.{name}":
                    raise
