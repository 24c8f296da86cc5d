"""A person's history (the audit rows about their file), filtered by what the reader may see.

The one place where history is built, for the page and the API alike:

- which kinds of entry a reader sees depends on a capability, declared in `ENTRY_RULES`
  (claims need `claims.view`, care entries `care.view`, statuses `people.view_sensitive`, …);
  a record type not declared there is shown only to readers of the audit log;
- inside a visible entry, what is redacted: the values of contact fields without
  `people.view_sensitive`; the medical content of a claim (infirmities, rates, notes, document
  names) without `claims.view_medical`; the name of a relative outside the reader's scope;
- every history read that may show a sensitive kind is audited (`people.history`, with the
  kinds of entry the reader could see).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.describe import Change, describe
from vetbridge.accounts.models import AuditAction, AuditLog, User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import access_person_by_id, people_for

from .models import SENSITIVE_PERSON_FIELDS, Person

# Record type (or "app." prefix) → the capabilities any one of which lets a reader see it.
ENTRY_RULES: dict[str, tuple[Capability, ...]] = {
    "people.person": (Capability.PEOPLE_VIEW,),
    "people.personname": (Capability.PEOPLE_VIEW,),
    "people.familylink": (Capability.PEOPLE_VIEW,),
    "people.duplicatesuspect": (Capability.PEOPLE_VIEW,),
    "people.personmerge": (Capability.PEOPLE_VIEW,),
    "people.personstatus": (Capability.PEOPLE_VIEW_SENSITIVE,),
    "reparation.claim": (Capability.CLAIMS_VIEW,),
    "reparation.decision": (Capability.CLAIMS_VIEW,),
    "reparation.claimdocument": (Capability.CLAIMS_VIEW,),
    "care.": (Capability.CARE_VIEW,),  # injuries, episodes, plan, WHODAS, appointments, notes
    "reintegration.referral": (Capability.REFERRALS_MANAGE, Capability.CARE_VIEW),
    "memorial.": (Capability.MEMORIAL_EDIT, Capability.PEOPLE_VIEW_SENSITIVE),
}
# Kinds whose reading is audited: health, claims, statuses, referrals. (Names, links, merges
# and the memorial's public record are not sensitive; a reader who sees only those leaves no
# audit row, as for the file itself.)
SENSITIVE_KINDS = frozenset(
    {
        "people.personstatus",
        "reparation.claim",
        "reparation.decision",
        "reparation.claimdocument",
        "care.",
        "reintegration.referral",
    }
)
# What a claim entry may show without `claims.view_medical`: the procedure, not the diagnosis.
CLAIM_PROCEDURE_KEYS = frozenset({"state", "outcome", "rules_version", "params_digest"})


@dataclass
class HistoryItem:
    """One entry as this reader may see it."""

    at: dt.datetime
    actor: str
    action: str
    action_label: str
    object_type: str
    summary: str
    changes: dict[str, Any] = field(default_factory=dict)
    # The entry told in the reader's language (accounts/describe.py), from what is left
    # after redaction: a sentence, the changed fields by their labels, free text if any.
    sentence: str = ""
    details: list[Change] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "summary": self.summary,
            "changes": self.changes,
        }


def _may(user: User, rule: tuple[Capability, ...]) -> bool:
    return any(user.can(c) for c in rule)


def visible_kinds(user: User) -> list[str]:
    """The record types (or prefixes) of the entries this reader may see."""
    return [kind for kind, rule in ENTRY_RULES.items() if _may(user, rule)]


def history_entries(*, user: User, person: Person) -> QuerySet[AuditLog]:
    """The person's change entries of the kinds the reader may see (newest first)."""
    kinds = Q(pk__in=[])
    for kind in visible_kinds(user):
        kinds |= Q(object_type__startswith=kind) if kind.endswith(".") else Q(object_type=kind)
    if user.can(Capability.AUDIT_VIEW):
        kinds = Q()  # readers of the audit log see every kind (values still redacted below)
    return (
        AuditLog.objects.filter(kinds, person_id=person.pk)
        .exclude(action=AuditAction.READ)
        .select_related("actor")
    )


def _relative_id(entry: AuditLog) -> int | None:
    pair = (
        (entry.changes.get("fields") or {}).get("relative")
        if isinstance(entry.changes, dict)
        else None
    )
    try:
        return int(pair[1]) if isinstance(pair, list) and len(pair) == 2 else None
    except (TypeError, ValueError):
        return None


def redact(entries: list[AuditLog], *, user: User) -> list[HistoryItem]:
    """The entries as `user` may see them: sensitive values, medical content and the names
    of people outside the reader's scope removed."""
    sensitive = user.can(Capability.PEOPLE_VIEW_SENSITIVE)
    medical = user.can(Capability.CLAIMS_MEDICAL)
    relatives = {
        r
        for e in entries
        if e.object_type == "people.familylink"
        if (r := _relative_id(e)) is not None
    }
    in_scope = set(people_for(user).filter(pk__in=relatives).values_list("pk", flat=True))
    labels = dict(AuditAction.choices)
    out: list[HistoryItem] = []
    for e in entries:
        changes: dict[str, Any] = dict(e.changes) if isinstance(e.changes, dict) else {}
        summary = e.summary
        kind = e.object_type
        if not sensitive and isinstance(changes.get("fields"), dict):
            changes["fields"] = {
                k: v for k, v in changes["fields"].items() if k not in SENSITIVE_PERSON_FIELDS
            }
        if kind == "people.familylink" and _relative_id(e) not in in_scope:
            # "spouse: Name" → "spouse": the relative is not someone this reader may see.
            summary = summary.split(":", 1)[0]
            fields = dict(changes.get("fields") or {})
            fields.pop("relative", None)
            changes["fields"] = fields
        if kind == "people.duplicatesuspect" and not user.can(Capability.PEOPLE_MERGE):
            changes.pop("pair", None)
        if kind.startswith("reparation.") and not medical:
            changes = {k: v for k, v in changes.items() if k in CLAIM_PROCEDURE_KEYS}
            if kind == "reparation.claimdocument":
                summary = ""  # a document's file name may name the diagnosis
        told = describe(
            action=e.action,
            object_type=kind,
            object_id=e.object_id,
            summary=summary,
            changes=changes,
            actor=e.actor,
            channel=e.channel,
            actor_id=e.actor_id,
        )
        out.append(
            HistoryItem(
                at=e.at,
                actor=e.actor_username or e.channel,
                action=e.action,
                action_label=str(labels.get(e.action, e.action)),
                object_type=kind,
                summary=summary,
                changes=changes,
                sentence=told.sentence,
                details=told.details,
                note=told.note,
            )
        )
    return out


@transaction.atomic
def person_history_open(*, actor: User, person_id: int) -> tuple[Person, QuerySet[AuditLog]]:
    """The person (within the actor's scope) and the history entries the actor may see.

    A read that may show sensitive kinds is audited in the same transaction, with the kinds
    of entry it could show.
    """
    person = access_person_by_id(actor, person_id)
    kinds = visible_kinds(actor)
    if SENSITIVE_KINDS.intersection(kinds):
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type="people.history",
            object_id=person.pk,
            person_id=person.pk,
            changes={"kinds": kinds},
        )
    return person, history_entries(user=actor, person=person)
