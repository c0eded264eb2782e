from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "members.dues"
    label = "dues"
    verbose_name = _("Party dues")

    def ready(self):
        # Each module registers itself with a registry below: jobs, home-page panels, the exportable register,
        # the member timeline and the points ledger's automatic sources.
        from . import jobs, panels, register, sources  # noqa: F401
