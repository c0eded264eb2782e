from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Party members")

    def ready(self):
        # Each module registers itself: the register's jobs and home-page panels, the member register for
        # exports and imports, the transfers' panels. Dues and points are apps of their own (members.dues,
        # members.points) and register theirs in their own AppConfig.
        from buildingparty.selectors import count_members_with

        from . import jobs, panels, register  # noqa: F401
        from .models import in_party_q

        count_members_with(in_party_q)
        from .transfers import panels as transfer_panels  # noqa: F401
