from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vetbridge.people.ownership import PersonRows, Policy


class ReparationConfig(AppConfig):
    name = "vetbridge.reparation"
    label = "reparation"
    verbose_name = _("Reparation claims")

    # Claims (with their infirmities, documents and decisions) follow their claimant through
    # a merge (people.ownership).
    person_rows = (PersonRows("reparation.Claim", "person", Policy.MOVE),)
