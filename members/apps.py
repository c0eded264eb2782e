from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Party members")

    def ready(self):
        from . import (
            panels,  # noqa: F401  (registers the home-page panels)
            register,  # noqa: F401  (registers the member register for exports and imports)
            transfer_panels,  # noqa: F401
        )
