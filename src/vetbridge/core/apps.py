from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "vetbridge.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .inputs import install_model_validators

        install_model_validators()

        from . import lookups  # noqa: F401  (registers `__in_array`)
        from .cache import create_cache_table

        # The shared database cache's table, created with the schema (idempotent).
        post_migrate.connect(
            create_cache_table, sender=self, dispatch_uid="vetbridge.core.cache_table"
        )
