from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReparationConfig(AppConfig):
    name = "vetbridge.reparation"
    label = "reparation"
    verbose_name = _("Reparation claims")
