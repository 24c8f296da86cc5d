"""Roles and what each may do. The single source of truth for permissions.

Capabilities are named, never numeric codes. Object-level scoping (which persons a case
worker may see) lives in `scoping.py`; this module answers "may this role do X at all".
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VETERAN = "veteran", _("Veteran or family member")
    CASE_WORKER = "case_worker", _("Case worker")
    MEDICAL_ASSESSOR = "medical_assessor", _("Medical assessor")
    PENSION_OFFICER = "pension_officer", _("Pension officer")
    MEMORIAL_EDITOR = "memorial_editor", _("Memorial editor")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


class Capability(StrEnum):
    PEOPLE_VIEW = "people.view"  # list and read person files (scoped)
    PEOPLE_VIEW_SENSITIVE = "people.view_sensitive"  # statuses, disability group, contact
    PEOPLE_EDIT = "people.edit"  # create and edit person files (scoped)
    PEOPLE_IMPORT = "people.import"
    STATS_VIEW = "stats.view"  # aggregates only
    AUDIT_VIEW = "audit.view"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.VETERAN: frozenset({Capability.PEOPLE_VIEW, Capability.PEOPLE_VIEW_SENSITIVE}),
    Role.CASE_WORKER: frozenset(
        {Capability.PEOPLE_VIEW, Capability.PEOPLE_VIEW_SENSITIVE, Capability.PEOPLE_EDIT,
         Capability.STATS_VIEW}
    ),
    Role.MEDICAL_ASSESSOR: frozenset({Capability.PEOPLE_VIEW, Capability.PEOPLE_VIEW_SENSITIVE}),
    Role.PENSION_OFFICER: frozenset({Capability.PEOPLE_VIEW, Capability.PEOPLE_VIEW_SENSITIVE,
                                     Capability.STATS_VIEW}),
    Role.MEMORIAL_EDITOR: frozenset({Capability.PEOPLE_VIEW}),
    Role.ANALYST: frozenset({Capability.STATS_VIEW}),
    Role.ADMIN: frozenset(set(Capability)),
}


def role_has(role: str, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
