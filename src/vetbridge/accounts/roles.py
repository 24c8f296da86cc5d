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
    PARTNER = "partner", _("Reintegration partner")
    COOPERATION_OFFICER = "cooperation_officer", _("Cooperation officer")
    ADMIN = "admin", _("Administrator")


class Capability(StrEnum):
    PEOPLE_VIEW = "people.view"  # list and read person files (scoped)
    PEOPLE_VIEW_SENSITIVE = "people.view_sensitive"  # statuses, disability group, contact
    PEOPLE_EDIT = "people.edit"  # create and edit person files (scoped)
    PEOPLE_IMPORT = "people.import"
    PEOPLE_MERGE = "people.merge"  # review suspected duplicates, merge and unmerge (scoped)
    CLAIMS_VIEW = "claims.view"  # claims, their states and decisions (scoped)
    CLAIMS_MEDICAL = "claims.view_medical"  # infirmities, documents, assessor notes, letters
    CLAIMS_FILE = "claims.file"  # file a claim, add documents, appeal (scoped)
    CLAIMS_ASSESS = "claims.assess"  # record infirmities (medical assessor)
    CLAIMS_DECIDE = "claims.decide"  # decide, decide on appeal (pension officer)
    MEMORIAL_EDIT = "memorial.edit"  # edit, publish, import, moderate tributes, link
    CARE_VIEW = "care.view"  # the care timeline: injuries, episodes, plan, assessments (scoped)
    CARE_EDIT = "care.edit"  # record care, plan goals, assessments, follow-ups (scoped)
    REFERRALS_MANAGE = "referrals.manage"  # refer a veteran to a partner, follow it (scoped)
    REFERRALS_ANSWER = "referrals.answer"  # a partner answers its own referrals
    STATS_VIEW = "stats.view"  # aggregates only
    AUDIT_VIEW = "audit.view"
    RULES_COMPARE = "rules.compare"  # the same case under both laws (no personal data)
    POLICYLAB_RUN = "policylab.run"  # simulate reforms over populations (aggregates only)
    COOPERATION_VIEW = "cooperation.view"  # the roadmap, meetings, indicators (staff)
    COOPERATION_EDIT = "cooperation.edit"  # edit the roadmap (cooperation officers)


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.VETERAN: frozenset(
        {
            Capability.PEOPLE_VIEW,
            Capability.PEOPLE_VIEW_SENSITIVE,
            Capability.CLAIMS_VIEW,
            Capability.CLAIMS_MEDICAL,
            Capability.CLAIMS_FILE,
            Capability.CARE_VIEW,
        }
    ),
    # Case workers accompany the claim (file, documents, status) but never read its medical
    # content: the need is the procedure, not the diagnosis.
    Role.CASE_WORKER: frozenset(
        {
            Capability.PEOPLE_VIEW,
            Capability.PEOPLE_VIEW_SENSITIVE,
            Capability.PEOPLE_EDIT,
            Capability.PEOPLE_MERGE,
            Capability.STATS_VIEW,
            Capability.CLAIMS_VIEW,
            Capability.CLAIMS_FILE,
            Capability.CARE_VIEW,
            Capability.CARE_EDIT,
            Capability.REFERRALS_MANAGE,
            Capability.COOPERATION_VIEW,
        }
    ),
    Role.MEDICAL_ASSESSOR: frozenset(
        {
            Capability.PEOPLE_VIEW,
            Capability.PEOPLE_VIEW_SENSITIVE,
            Capability.CLAIMS_VIEW,
            Capability.CLAIMS_MEDICAL,
            Capability.CLAIMS_ASSESS,
            Capability.CARE_VIEW,
            Capability.CARE_EDIT,
            Capability.COOPERATION_VIEW,
        }
    ),
    Role.PENSION_OFFICER: frozenset(
        {
            Capability.PEOPLE_VIEW,
            Capability.PEOPLE_VIEW_SENSITIVE,
            Capability.STATS_VIEW,
            Capability.CLAIMS_VIEW,
            Capability.CLAIMS_MEDICAL,
            Capability.CLAIMS_DECIDE,
            Capability.COOPERATION_VIEW,
        }
    ),
    Role.MEMORIAL_EDITOR: frozenset(
        {Capability.PEOPLE_VIEW, Capability.MEMORIAL_EDIT, Capability.COOPERATION_VIEW}
    ),
    Role.ANALYST: frozenset(
        {Capability.STATS_VIEW, Capability.POLICYLAB_RUN, Capability.COOPERATION_VIEW}
    ),
    # A partner organisation's staff: their referrals, nothing of the registry or care file.
    Role.PARTNER: frozenset({Capability.REFERRALS_ANSWER}),
    # One per side (France, Ukraine): edits the roadmap, reads aggregates; no person files.
    Role.COOPERATION_OFFICER: frozenset(
        {
            Capability.COOPERATION_VIEW,
            Capability.COOPERATION_EDIT,
            Capability.STATS_VIEW,
            Capability.POLICYLAB_RUN,
        }
    ),
    Role.ADMIN: frozenset(set(Capability)),
}


def role_has(role: str, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


# The comparison of both laws (simulator app): a calculation aid on a hypothetical case, no
# personal data. Officers decide pensions; assessors set the rates whose effect they weigh;
# analysts study the two systems. Case workers are sent to the public simulator instead.
for _role in (Role.PENSION_OFFICER, Role.MEDICAL_ASSESSOR, Role.ANALYST):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {Capability.RULES_COMPARE}
