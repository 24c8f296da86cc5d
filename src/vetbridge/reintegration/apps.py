from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vetbridge.people.ownership import PersonRows, Policy


class ReintegrationConfig(AppConfig):
    name = "vetbridge.reintegration"
    label = "reintegration"
    verbose_name = _("Reintegration")

    # Referrals follow their person through a merge (people.ownership).
    person_rows = (PersonRows("reintegration.Referral", "person", Policy.MOVE),)
