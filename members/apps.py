from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Party members")

    def ready(self):
        from . import (  # noqa: F401  (each module registers panels, registers or jobs)
            dues_jobs,
            dues_panels,
            dues_register,
            jobs,
            panels,  # noqa: F401  (registers the home-page panels)
            points_jobs,
            points_panels,
            register,  # noqa: F401  (registers the member register for exports and imports)
            transfer_panels,
        )
