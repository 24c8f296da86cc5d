from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vetbridge.people.ownership import PersonRows, Policy


class MemorialConfig(AppConfig):
    name = "vetbridge.memorial"
    label = "memorial"
    verbose_name = _("Memorial")

    # A memorial record follows its person through a merge (people.ownership).
    person_rows = (PersonRows("memorial.MemorialRecord", "person", Policy.MOVE),)
    # A person whose lifecycle leaves "fallen" or "missing" leaves the public memorial
    # (called by people.services.person_update, in the same transaction).
    lifecycle_hooks = ("vetbridge.memorial.services.withdraw_if_not_commemorated",)
    # The web import of a list of the fallen runs as this task (people.import_jobs, which
    # runs the registry's imports and finds the others' tasks here, never by importing them).
    import_tasks = {"memorial": "vetbridge.memorial.tasks.memorial_import_task"}

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from . import selectors

        # The memorial's cache generation is read once per request (selectors.generation).
        request_started.connect(selectors.request_started, dispatch_uid="memorial-generation")
        request_finished.connect(selectors.request_finished, dispatch_uid="memorial-generation")
