from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicylabConfig(AppConfig):
    name = "vetbridge.policylab"
    label = "policylab"
    verbose_name = _("Policy lab")
