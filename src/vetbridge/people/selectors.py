"""Reads of the registry. Every query starts from the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from vetbridge.accounts.models import AuditAction, AuditLog, User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import people_for, require
from vetbridge.core.models import Region

from .models import (
    INVERSE_LINK,
    SENSITIVE_PERSON_FIELDS,
    SENSITIVE_RECORD_TYPES,
    FamilyLink,
    Lifecycle,
    Person,
    PersonName,
    PersonStatus,
    StatusKind,
    clean_text,
)


def person_list(*, user: User, filters: dict[str, Any]) -> QuerySet[Person]:
    qs = people_for(user).select_related("region").prefetch_related(
        Prefetch("names", queryset=PersonName.objects.order_by("-is_preferred", "language", "id")),
        Prefetch("statuses", queryset=PersonStatus.objects.order_by("-valid_from")),
    )
    q = clean_text(filters.get("q"))
    if q:
        # Plain substring on every stored spelling; the cross-script matcher replaces this.
        name_q = Q()
        for token in q.split()[:5]:
            name_q &= (Q(names__surname__icontains=token) | Q(names__given_name__icontains=token)
                       | Q(names__patronymic__icontains=token))
        qs = qs.filter(Q(external_id__iexact=q) | Q(pk__in=PersonName.objects.filter(name_q)
                                                        .values("person_id")))
    if filters.get("lifecycle"):
        qs = qs.filter(lifecycle=filters["lifecycle"])
    if filters.get("status"):
        today = timezone.localdate()
        qs = qs.filter(pk__in=PersonStatus.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today),
            kind=filters["status"], valid_from__lte=today).values("person_id"))
    if filters.get("region"):
        qs = qs.filter(region=filters["region"])
    if filters.get("sex"):
        qs = qs.filter(sex=filters["sex"])
    return qs.order_by("id")


@dataclass(frozen=True)
class Relative:
    person: Person
    kind: str  # what `person` is to the file's owner


def person_relatives(*, user: User, person: Person) -> list[Relative]:
    """Family links in both directions, limited to relatives the user may see."""
    visible = people_for(user)
    out: list[Relative] = []
    for link in FamilyLink.objects.filter(person=person, relative__in=visible).select_related(
            "relative").prefetch_related(Prefetch("relative__names")):
        out.append(Relative(link.relative, link.kind))
    for link in FamilyLink.objects.filter(relative=person, person__in=visible).select_related(
            "person").prefetch_related(Prefetch("person__names")):
        out.append(Relative(link.person, INVERSE_LINK[link.kind]))  # type: ignore[index]
    return out


def person_history(*, person: Person, sensitive: bool) -> QuerySet[AuditLog]:
    """Changes to a person's file; without `sensitive`, status records are left out."""
    qs = AuditLog.objects.filter(person_id=person.pk).exclude(action=AuditAction.READ)
    if not sensitive:
        qs = qs.exclude(object_type__in=SENSITIVE_RECORD_TYPES)
    return qs


def history_changes(entry: AuditLog, *, sensitive: bool) -> dict[str, Any]:
    """The entry's changes, without the values of sensitive fields when not `sensitive`."""
    changes = dict(entry.changes)
    if not sensitive and "fields" in changes:
        changes["fields"] = {k: v for k, v in changes["fields"].items()
                             if k not in SENSITIVE_PERSON_FIELDS}
    return changes


def registry_stats(*, user: User) -> dict[str, Any]:
    """Aggregates for analysts: counts by lifecycle, status and region, small cells hidden."""
    require(user, Capability.STATS_VIEW)
    min_cell = settings.VETBRIDGE_MIN_CELL_SIZE
    today = timezone.localdate()
    people = Person.objects.all()

    def suppress(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "count": r["count"] if r["count"] >= min_cell else None} for r in rows]

    by_lifecycle = list(people.values("lifecycle").annotate(count=Count("id")).order_by("lifecycle"))
    by_region = list(people.values("region__code").annotate(count=Count("id"))
                     .order_by("region__code"))
    current = PersonStatus.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today)
    by_status = list(current.values("kind", "disability_group")
                     .annotate(count=Count("person_id", distinct=True))
                     .order_by("kind", "disability_group"))
    lifecycle_labels = dict(Lifecycle.choices)
    status_labels = dict(StatusKind.choices)
    for row in by_lifecycle:
        row["label"] = str(lifecycle_labels.get(row["lifecycle"], row["lifecycle"]))
    for row in by_status:
        row["label"] = str(status_labels.get(row["kind"], row["kind"]))
    regions = {r.code: r.localized_name() for r in Region.objects.all()}
    for row in by_region:
        row["label"] = regions.get(row["region__code"], "")
    return {
        "total": people.count(),
        "min_cell": min_cell,
        "by_lifecycle": suppress(by_lifecycle),
        "by_region": suppress(by_region),
        "by_status": suppress(by_status),
    }
