from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vetbridge.people.ownership import PersonRows, Policy


class CareConfig(AppConfig):
    name = "vetbridge.care"
    label = "care"
    verbose_name = _("Care and rehabilitation")

    # The care file follows its person through a merge (people.ownership).
    person_rows = tuple(
        PersonRows(f"care.{model}", "person", Policy.MOVE)
        for model in (
            "Injury",
            "CareEpisode",
            "Goal",
            "FunctionalAssessment",
            "Appointment",
            "FollowUp",
            "Note",
        )
    )
