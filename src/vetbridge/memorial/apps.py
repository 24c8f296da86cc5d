from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MemorialConfig(AppConfig):
    name = "vetbridge.memorial"
    label = "memorial"
    verbose_name = _("Memorial")

    def ready(self) -> None:
        # A memorial record follows its person when two registry records are merged.
        from vetbridge.people.duplicates import MOVABLE

        from .models import MemorialRecord

        if (MemorialRecord, "person") not in MOVABLE:
            MOVABLE.append((MemorialRecord, "person"))
        # A person whose lifecycle leaves "fallen" or "missing" leaves the public memorial.
        from vetbridge.people.services import LIFECYCLE_HOOKS

        from .services import withdraw_if_not_commemorated

        if withdraw_if_not_commemorated not in LIFECYCLE_HOOKS:
            LIFECYCLE_HOOKS.append(withdraw_if_not_commemorated)
