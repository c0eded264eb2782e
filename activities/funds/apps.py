from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "activities.funds"
    label = "funds"
    verbose_name = _("Funding ledger")

    def ready(self):
        from . import register  # noqa: F401  (registers the funding register for exports)
