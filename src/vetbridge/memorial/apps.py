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
