from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vetbridge.people.ownership import PersonRows, Policy


class AccountsConfig(AppConfig):
    name = "vetbridge.accounts"
    label = "accounts"
    verbose_name = _("Accounts and audit")

    # A person's sign-in account follows them through a merge (people.ownership).
    person_rows = (PersonRows("accounts.User", "person", Policy.MOVE),)

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the login audit receivers)
