from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "vetbridge.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .inputs import install_model_validators

        install_model_validators()
