"""Suspected duplicates: finding them, and the human decisions on them (merge, unmerge,
dismiss). Merging never deletes: the absorbed record is kept, marked `merged_into`, and
everything moved is written down in `PersonMerge.moved` so that an unmerge restores both
records and their links exactly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.models import AuditAction, User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import access_person_by_id, people_for, require
from vetbridge.core.exceptions import ApplicationError, ConflictError, NotFoundError
from vetbridge.core.inputs import check_text

from . import name_index
from .models import (
    Confidence,
    DuplicateState,
    DuplicateSuspect,
    FamilyLink,
    Person,
    PersonMerge,
    PersonName,
)
from .ownership import movable, movable_by_label

# A pair is proposed from this score up (0..1), and only when every name token was found
# within one edit: two surnames two letters apart (Kravchenko, Savchenko) are two families.
SUSPECT_THRESHOLD = 0.85
STRONG_HOWS = frozenset({"exact", "same_sound"})
# Empty fields of the survivor filled from the absorbed record on merge (and emptied again
# by an unmerge if still unchanged).
FILLABLE_FIELDS = (
    "birth_date",
    "birth_place",
    "region_id",
    "phone",
    "email",
    "address",
    "contact_person_id",
)


@dataclass
class Candidate:
    person: Person
    score: float
    confidence: str
    reasons: list[dict[str, Any]]


def _confidence(reasons: list[dict[str, Any]], a: dt.date | None, b: dt.date | None) -> str:
    strong = bool(reasons) and all(r.get("how") in STRONG_HOWS for r in reasons)
    return Confidence.HIGH if strong and a and b and a == b else Confidence.LOW


def likely_duplicates(
    *,
    user: User | None,
    surname: str,
    given_name: str = "",
    patronymic: str = "",
    birth_date: dt.date | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[Candidate]:
    """Registered people who may be the one described, within the user's scope."""
    text = " ".join(p for p in (surname, given_name, patronymic) if p)
    base = people_for(user) if user is not None else Person.objects.filter(merged_into__isnull=True)
    if exclude_id:
        base = base.exclude(pk=exclude_id)

    def allowed(ids: list[int]) -> set[int]:
        return set(base.filter(pk__in=ids).values_list("pk", flat=True))

    response = name_index.search(text, limit=limit, allowed=allowed)
    hits = [
        r
        for r in response.results
        if r.score >= SUSPECT_THRESHOLD
        and all(
            reason["how"] not in ("not_found", "initial") and reason.get("distance", 0) in (0, 1)
            for reason in r.reasons
        )
    ]
    people = Person.objects.in_bulk([r.id for r in hits])
    out = []
    for r in hits:
        person = people[r.id]
        out.append(
            Candidate(
                person, r.score, _confidence(r.reasons, birth_date, person.birth_date), r.reasons
            )
        )
    return out


def record_suspects(person: Person) -> int:
    """Queue every likely duplicate of `person` for review; returns how many were new."""
    name = person.names.order_by("-is_preferred", "id").first()
    if name is None:
        return 0
    created = 0
    for cand in likely_duplicates(
        user=None,
        surname=name.surname,
        given_name=name.given_name,
        patronymic=name.patronymic,
        birth_date=person.birth_date,
        exclude_id=person.pk,
    ):
        a, b = sorted((person.pk, cand.person.pk))
        _, new = DuplicateSuspect.objects.get_or_create(
            person_a_id=a,
            person_b_id=b,
            defaults={"score": cand.score, "confidence": cand.confidence, "reasons": cand.reasons},
        )
        created += int(new)
    return created


def suspects_for(user: User, state: str = DuplicateState.OPEN) -> Any:
    """Pairs in the queue where the user may reach both people."""
    require(user, Capability.PEOPLE_MERGE)
    visible = people_for(user, Capability.PEOPLE_MERGE)
    return (
        DuplicateSuspect.objects.filter(state=state, person_a__in=visible, person_b__in=visible)
        .select_related("person_a", "person_b")
        .prefetch_related("person_a__names", "person_b__names")
    )


def _suspect(user: User, suspect_id: int) -> DuplicateSuspect:
    suspect = suspects_for(user, DuplicateState.OPEN).filter(pk=suspect_id).first()
    if suspect is None:
        raise NotFoundError(_("No such suspected duplicate, or already decided."))
    return suspect


@transaction.atomic
def suspect_dismiss(*, actor: User, suspect_id: int, note: str = "") -> DuplicateSuspect:
    check_text("note", note)
    suspect = _suspect(actor, suspect_id)
    suspect.state = DuplicateState.DISMISSED
    suspect.decided_by, suspect.decided_at = actor, timezone.now()
    suspect.decision_note = note.strip()[:300]
    suspect.save()
    for pid in (suspect.person_a_id, suspect.person_b_id):
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=suspect,
            person_id=pid,
            summary="duplicate dismissed",
            changes={
                "state": [DuplicateState.OPEN, DuplicateState.DISMISSED],
                "pair": [suspect.person_a_id, suspect.person_b_id],
            },
        )
    return suspect


@transaction.atomic
def person_merge(
    *,
    actor: User,
    survivor_id: int,
    absorbed_id: int,
    suspect_id: int | None = None,
    capability: Capability = Capability.PEOPLE_MERGE,
) -> PersonMerge:
    """Merge `absorbed` into `survivor`: spellings and family links move by their own rules,
    every row an app declared MOVE in its `person_rows` (statuses, accounts, claims, the care
    file, referrals, the memorial record…) follows; empty fields of the survivor are filled;
    the absorbed record stays, hidden. `capability` is the right checked (the memorial links
    its records with its own)."""
    require(actor, capability)
    if survivor_id == absorbed_id:
        raise ApplicationError(_("A record cannot be merged into itself."))
    survivor = access_person_by_id(actor, survivor_id, capability)
    absorbed = access_person_by_id(actor, absorbed_id, capability)
    rows = movable()
    for model, fld in rows:
        if model._meta.get_field(fld).unique and all(
            model.objects.filter(**{fld: p}).exists() for p in (survivor, absorbed)
        ):
            raise ApplicationError(
                _("Both records have a %(what)s: only one can remain. Resolve it before merging.")
                % {"what": model._meta.verbose_name}
            )
    suspect = None
    if suspect_id is not None:
        suspect = _suspect(actor, suspect_id)
        if {suspect.person_a_id, suspect.person_b_id} != {survivor.pk, absorbed.pk}:
            raise ApplicationError(_("This pair is not the one under review."))
    survivor = Person.objects.select_for_update().get(pk=survivor.pk)
    absorbed = Person.objects.select_for_update().get(pk=absorbed.pk)
    if survivor.merged_into_id or absorbed.merged_into_id:
        raise ConflictError(_("One of these records was merged meanwhile. Reload the page."))

    moved: dict[str, Any] = {
        "names": [],
        "unpreferred": [],
        "links": [],
        "filled": {},
        "rows": {},
        "external_id": None,
    }
    survivor_spellings = {
        (n.surname, n.given_name, n.patronymic, n.language) for n in survivor.names.all()
    }
    survivor_pref = set(survivor.names.filter(is_preferred=True).values_list("language", flat=True))
    for name in absorbed.names.all():
        if (name.surname, name.given_name, name.patronymic, name.language) in survivor_spellings:
            continue  # the survivor already has this spelling; it stays with the absorbed
        if name.is_preferred and name.language in survivor_pref:
            name.is_preferred = False
            moved["unpreferred"].append(name.pk)
        name.person = survivor
        name.save(update_fields=["person", "is_preferred"])
        moved["names"].append(name.pk)

    moved["rows"] = _move_rows(rows, absorbed.pk, survivor.pk)

    linked = set(FamilyLink.objects.filter(person=survivor).values_list("relative_id", flat=True))
    linked |= set(FamilyLink.objects.filter(relative=survivor).values_list("person_id", flat=True))
    for link in FamilyLink.objects.filter(Q(person=absorbed) | Q(relative=absorbed)):
        field = "person" if link.person_id == absorbed.pk else "relative"
        other = link.relative_id if field == "person" else link.person_id
        if other == survivor.pk or other in linked:
            continue
        setattr(link, field, survivor)
        link.save(update_fields=[field])
        linked.add(other)
        moved["links"].append({"id": link.pk, "field": field})

    for field in FILLABLE_FIELDS:
        if getattr(survivor, field) in (None, "") and getattr(absorbed, field) not in (None, ""):
            value = getattr(absorbed, field)
            setattr(survivor, field, value)
            moved["filled"][field] = value.isoformat() if isinstance(value, dt.date) else value
    if not survivor.external_id and absorbed.external_id:
        moved["external_id"] = absorbed.external_id
        Person.objects.filter(pk=absorbed.pk).update(external_id=None)
        survivor.external_id = absorbed.external_id
    survivor.version += 1
    survivor.updated_at = timezone.now()
    survivor.save()
    Person.objects.filter(pk=absorbed.pk).update(
        merged_into=survivor, version=F("version") + 1, updated_at=timezone.now()
    )
    merge = PersonMerge.objects.create(
        survivor=survivor, absorbed=absorbed, suspect=suspect, moved=moved, merged_by=actor
    )
    if suspect is not None:
        suspect.state = DuplicateState.MERGED
        suspect.decided_by, suspect.decided_at = actor, timezone.now()
        suspect.save()
    name_index.index_people([survivor.pk, absorbed.pk])
    for pid, role in ((survivor.pk, "survivor"), (absorbed.pk, "absorbed")):
        audit_record(
            actor=actor,
            action=AuditAction.MERGE,
            obj=merge,
            person_id=pid,
            summary=f"{absorbed.pk} → {survivor.pk}",
            changes={"role": role, "moved": moved},
        )
    return merge


@transaction.atomic
def person_unmerge(*, actor: User, merge_id: int) -> PersonMerge:
    """Undo a merge: everything that moved goes back, the absorbed record reappears."""
    require(actor, Capability.PEOPLE_MERGE)
    merge = (
        PersonMerge.objects.select_for_update().filter(pk=merge_id, undone_at__isnull=True).first()
    )
    if merge is None:
        raise NotFoundError(_("No such merge, or already undone."))
    survivor = access_person_by_id(actor, merge.survivor_id, Capability.PEOPLE_MERGE)
    absorbed = Person.objects.select_for_update().get(pk=merge.absorbed_id)
    moved = merge.moved
    for name in PersonName.objects.filter(pk__in=moved["names"], person=survivor):
        name.person = absorbed
        name.is_preferred = name.is_preferred or name.pk in moved["unpreferred"]
        name.save(update_fields=["person", "is_preferred"])
    by_label = movable_by_label()
    for label, ids in moved["rows"].items():
        model, field = by_label[label]
        model.objects.filter(pk__in=ids, **{field: survivor}).update(**{field: absorbed})
    # Merges recorded before accounts were declared in `person_rows` listed them apart.
    for entry in moved["links"]:
        FamilyLink.objects.filter(pk=entry["id"], **{entry["field"]: survivor}).update(
            **{entry["field"]: absorbed}
        )
    User.objects.filter(pk__in=moved.get("users", []), person=survivor).update(person=absorbed)
    for field, value in moved["filled"].items():
        current = getattr(survivor, field)
        current = current.isoformat() if isinstance(current, dt.date) else current
        if current == value:
            setattr(
                survivor, field, "" if isinstance(value, str) and field != "birth_date" else None
            )
    if moved.get("external_id") and survivor.external_id == moved["external_id"]:
        survivor.external_id = None
        survivor.save(update_fields=["external_id"])
        absorbed.external_id = moved["external_id"]
    survivor.version += 1
    survivor.updated_at = timezone.now()
    survivor.save()
    absorbed.merged_into = None
    absorbed.version += 1
    absorbed.updated_at = timezone.now()
    absorbed.save()
    merge.undone_by, merge.undone_at = actor, timezone.now()
    merge.save()
    if merge.suspect_id:
        DuplicateSuspect.objects.filter(pk=merge.suspect_id).update(
            state=DuplicateState.DISMISSED,
            decision_note="unmerged",
            decided_by=actor,
            decided_at=timezone.now(),
        )
    name_index.index_people([survivor.pk, absorbed.pk])
    for pid in (survivor.pk, absorbed.pk):
        audit_record(
            actor=actor,
            action=AuditAction.UNMERGE,
            obj=merge,
            person_id=pid,
            summary=f"{absorbed.pk} ↛ {survivor.pk}",
            changes={"moved": moved},
        )
    return merge


def _move_rows(rows: list[tuple[Any, str]], from_id: int, to_id: int) -> dict[str, list[int]]:
    """Move every declared row of person `from_id` to `to_id`; the ids moved, by model."""
    out: dict[str, list[int]] = {}
    for model, field in rows:
        ids = list(
            model.objects.filter(**{f"{field}_id": from_id})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if ids:
            model.objects.filter(pk__in=ids).update(**{f"{field}_id": to_id})
        out[model._meta.label_lower] = ids
    return out


@dataclass
class Stranded:
    merge: PersonMerge
    rows: dict[str, list[int]]


def stranded_rows() -> list[Stranded]:
    """Merges still in force whose absorbed record still owns rows that should have moved
    (merges made before every app declared its `person_rows`)."""
    rows = movable()
    out = []
    for merge in PersonMerge.objects.filter(undone_at__isnull=True).order_by("pk"):
        found = {}
        for model, field in rows:
            ids = list(
                model.objects.filter(**{f"{field}_id": merge.absorbed_id})
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if ids:
                found[model._meta.label_lower] = ids
        if found:
            out.append(Stranded(merge, found))
    return out


@transaction.atomic
def repair_merges(*, actor: User | None, dry_run: bool = False) -> list[Stranded]:
    """Move the rows left behind on absorbed records to their survivors, and add them to the
    merge's record so that an undo brings them back too. Audited on both records."""
    stranded = stranded_rows()
    if dry_run:
        return stranded
    by_label = movable_by_label()
    for item in stranded:
        merge = PersonMerge.objects.select_for_update().get(pk=item.merge.pk)
        for model, field in (by_label[label] for label in item.rows):
            if (
                model._meta.get_field(field).unique
                and model.objects.filter(**{f"{field}_id": merge.survivor_id}).exists()
            ):
                raise ApplicationError(
                    _(
                        "Both records have a %(what)s: only one can remain. Resolve it before "
                        "merging."
                    )
                    % {"what": model._meta.verbose_name}
                )
        moved = dict(merge.moved)
        rows = dict(moved.get("rows", {}))
        for label, ids in item.rows.items():
            model, field = by_label[label]
            model.objects.filter(pk__in=ids).update(**{f"{field}_id": merge.survivor_id})
            rows[label] = sorted(set(rows.get(label, [])) | set(ids))
        moved["rows"] = rows
        merge.moved = moved
        merge.save(update_fields=["moved"])
        for pid, role in ((merge.survivor_id, "survivor"), (merge.absorbed_id, "absorbed")):
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=merge,
                person_id=pid,
                summary="merge repaired",
                changes={"role": role, "moved_now": item.rows},
            )
    return stranded


def merges_of(user: User, person: Person) -> Any:
    """Merges into this person that the user may undo."""
    if not user.can(Capability.PEOPLE_MERGE):
        return PersonMerge.objects.none()
    return (
        PersonMerge.objects.filter(survivor=person, undone_at__isnull=True)
        .select_related("absorbed")
        .prefetch_related("absorbed__names")
    )
