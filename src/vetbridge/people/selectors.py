"""Reads of the registry. Every query starts from the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import people_for, require
from vetbridge.core.disclosure import min_cell, protect_count, protect_rows
from vetbridge.core.models import Region
from vetbridge.names.text import MAX_QUERY_CHARS

from . import name_index
from .models import (
    INVERSE_LINK,
    FamilyLink,
    Lifecycle,
    Person,
    PersonName,
    PersonStatus,
    StatusKind,
    clean_text,
)


def person_list(*, user: User, filters: dict[str, Any]) -> QuerySet[Person]:
    """People within the user's scope matching the filters (not the name: `person_search`)."""
    qs = (
        people_for(user)
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "names", queryset=PersonName.objects.order_by("-is_preferred", "language", "id")
            ),
            Prefetch("statuses", queryset=PersonStatus.objects.order_by("-valid_from")),
        )
    )
    if filters.get("lifecycle"):
        qs = qs.filter(lifecycle=filters["lifecycle"])
    if filters.get("status"):
        today = timezone.localdate()
        qs = qs.filter(
            pk__in=PersonStatus.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=today),
                kind=filters["status"],
                valid_from__lte=today,
            ).values("person_id")
        )
    if filters.get("region"):
        qs = qs.filter(region=filters["region"])
    if filters.get("sex"):
        qs = qs.filter(sex=filters["sex"])
    return qs.order_by("id")


REASON_LABELS = {
    "exact": _("same spelling"),
    "same_sound": _("same name in another spelling"),
    "equivalent_name": _("equivalent given name"),
    "spelling_distance": _("close spelling (typo)"),
    "initial": _("initial"),
    "not_found": _("not found"),
    "external_id": _("external identifier"),
    # Facts beyond the name (search criteria and the linkage's comparison levels).
    "born_agrees": _("born %(value)s ✓"),
    "born_same_year": _("born the same year (%(value)s), another day"),
    "born_transposed_day_month": _("born %(value)s with day and month swapped"),
    "born_differs": _("not born %(value)s ✗"),
    "born_unknown": _("birth date not recorded"),
    "region_agrees": _("same region ✓"),
    "region_differs": _("another region"),
    "region_unknown": _("region not recorded"),
    "transposed_day_month": _("day and month swapped"),
    "same_year": _("same birth year"),
    "different": _("different"),
    "missing": _("missing on one side"),
}


def reason_label(reason: dict[str, Any]) -> str:
    """The reason's `how` in the user's language (with the value it is about, if any)."""
    label = str(REASON_LABELS.get(str(reason.get("how")), reason.get("how")))
    if "%(value)s" in label:
        label = label % {"value": reason.get("query") or ""}
    return label


NOTICES = {
    "too_short": _("Type at least two letters of a name."),
    "too_common": _(
        "Many people carry this name: add a surname or another name to narrow the search."
    ),
    "too_long": _("The search text was cut to its first 200 characters."),
}


@dataclass
class SearchHit:
    person: Person
    score: float
    spelling: str
    reasons: list[dict[str, Any]]

    def reason_text(self) -> str:
        """ "шевченко → Shevchenko (same name in another spelling); …" for the page."""
        parts = []
        for r in self.reasons:
            label = reason_label(r)
            if r.get("field") in ("born", "region"):
                parts.append(label)
            elif r.get("matched"):
                parts.append(f"{r.get('query')} → {r['matched']} ({label})")
            else:
                parts.append(f"{r.get('query') or ''} ({label})".strip())
        return "; ".join(parts)


@dataclass
class PeopleSearch:
    hits: list[SearchHit]
    notices: list[str]

    def notice_texts(self) -> list[str]:
        return [str(NOTICES[n]) for n in self.notices if n in NOTICES]


def person_search(
    *,
    user: User,
    q: str,
    filters: dict[str, Any] | None = None,
    limit: int = 10,
    born: name_index.Born | None = None,
    region_id: int | None = None,
    patronymic: str = "",
) -> PeopleSearch:
    """People within the user's scope whose name (in any spelling, any script) matches `q`,
    ranked, with the score and reasons of each; an exact external identifier comes first.
    A birth year or date (`born`), a region of residence (`region_id`, for ranking; the
    `region` filter excludes) and a `patronymic` tell namesakes apart."""
    base = person_list(
        user=user,
        filters={k: v for k, v in (filters or {}).items() if k not in ("q", "born", "patronymic")},
    )
    text = clean_text(q)
    if patronymic and clean_text(patronymic).lower() not in text.lower():
        text = f"{text} {clean_text(patronymic)}"
    notices = ["too_long"] if len(text) > MAX_QUERY_CHARS else []
    text = text[:MAX_QUERY_CHARS]
    hits: list[SearchHit] = []
    if text:
        # Unordered: the planner then takes the UPPER(external_id) index instead of walking
        # the primary key for the first match (a scan of the table at a million people).
        by_id = next(iter(base.filter(external_id__iexact=text).order_by()[:1]), None)
        if by_id is not None:
            hits.append(
                SearchHit(
                    by_id, 1.0, text, [{"query": text, "matched": text, "how": "external_id"}]
                )
            )

    def allowed(ids: list[int]) -> set[int]:
        return set(base.filter(pk__in_array=ids).order_by().values_list("pk", flat=True))

    response = name_index.search(text, limit=limit, allowed=allowed, born=born, region_id=region_id)
    notices += response.notices
    # The hits show names, region and lifecycle: their statuses are not read.
    shown = base.prefetch_related(None).prefetch_related(
        Prefetch("names", queryset=PersonName.objects.order_by("-is_preferred", "language", "id"))
    )
    people = shown.in_bulk([r.id for r in response.results])
    for r in response.results:
        if r.id in people and not (hits and hits[0].person.pk == r.id):
            hits.append(SearchHit(people[r.id], r.score, r.spelling, r.reasons))
    return PeopleSearch(hits[:limit], notices)


def merged_survivor(*, user: User, person_id: int) -> int | None:
    """For a record merged away, the id of the record it lives on in (if the user may see
    it); None otherwise."""
    target = Person.objects.filter(pk=person_id).values_list("merged_into_id", flat=True).first()
    seen = 0
    while target is not None and seen < 10:  # follow chains of merges
        nxt = Person.objects.filter(pk=target).values_list("merged_into_id", flat=True).first()
        if nxt is None:
            break
        target, seen = nxt, seen + 1
    if target is not None and people_for(user).filter(pk=target).exists():
        return int(target)
    return None


@dataclass(frozen=True)
class Relative:
    person: Person
    kind: str  # what `person` is to the file's owner


def person_relatives(*, user: User, person: Person) -> list[Relative]:
    """Family links in both directions, limited to relatives the user may see. One query
    for a file without family links (most files), then one for the visible relatives and
    one for their names."""
    links = list(
        FamilyLink.objects.filter(Q(person=person) | Q(relative=person))
        .order_by("id")
        .values_list("person_id", "relative_id", "kind")
    )
    if not links:
        return []
    others = {rel if pid == person.pk else pid for pid, rel, _kind in links}
    visible = people_for(user).prefetch_related("names").in_bulk(list(others))
    out: list[Relative] = [
        Relative(visible[rel], kind)
        for pid, rel, kind in links
        if pid == person.pk and rel in visible
    ]
    out += [
        Relative(visible[pid], INVERSE_LINK[kind])  # type: ignore[index]
        for pid, rel, kind in links
        if rel == person.pk and pid in visible
    ]
    return out


def registry_stats(*, user: User) -> dict[str, Any]:
    """Aggregates for analysts: counts by lifecycle, status and region, small cells hidden
    with their complements (core.disclosure), so none can be recovered from the total."""
    require(user, Capability.STATS_VIEW)
    today = timezone.localdate()
    people = Person.objects.filter(merged_into__isnull=True)

    by_lifecycle = list(
        people.values("lifecycle").annotate(count=Count("id")).order_by("lifecycle")
    )
    by_region = list(
        people.values("region__code").annotate(count=Count("id")).order_by("region__code")
    )
    current = PersonStatus.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today
    )
    by_status = list(
        current.values("kind", "disability_group")
        .annotate(count=Count("person_id", distinct=True))
        .order_by("kind", "disability_group")
    )
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
        "total": protect_count(people.count()),
        "min_cell": min_cell(),
        "by_lifecycle": protect_rows(by_lifecycle),
        "by_region": protect_rows(by_region),
        "by_status": protect_rows(by_status),
    }
