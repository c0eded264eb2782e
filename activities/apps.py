from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    """The shell of the nested apps (see the package docstring): no models, only the migrations that made them."""

    name = "activities"
    verbose_name = _("Activities")
