"""Reads of the memorial: the public search (published records only) and editor queues."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from vetbridge.names.index import SearchResult
from vetbridge.names.translit import transliterate
from vetbridge.people import name_index
from vetbridge.people.models import clean_text

from .models import Ceremony, MemorialRecord, Tribute, TributeState

SEARCH_LIMIT = 50


def published() -> QuerySet[MemorialRecord]:
    return MemorialRecord.objects.filter(published=True, person__merged_into__isnull=True)


def with_names(qs: QuerySet[MemorialRecord]) -> QuerySet[MemorialRecord]:
    return qs.select_related("person", "birth_region").prefetch_related("person__names")


def _filtered(qs: QuerySet[MemorialRecord], f: dict[str, Any]) -> QuerySet[MemorialRecord]:
    if f.get("death_from"):
        qs = qs.filter(death_date__gte=f["death_from"])
    if f.get("death_to"):
        qs = qs.filter(death_date__lte=f["death_to"])
    for key, column in (("death_place", "death_place"), ("unit", "unit"),
                        ("burial_place", "burial_place")):
        if f.get(key):
            qs = qs.filter(**{f"{column}__icontains": clean_text(f[key])[:100]})
    if f.get("birth_region"):
        qs = qs.filter(birth_region=f["birth_region"])
    return qs


@dataclass
class Found:
    record: MemorialRecord
    hit: SearchResult | None


def public_search(*, q: str, filters: dict[str, Any]) -> tuple[QuerySet[MemorialRecord] |
                                                                list[Found], list[str]]:
    """Published records matching the filters; with a name, ranked by the cross-script
    matcher (list of `Found`), otherwise a queryset newest death first."""
    qs = _filtered(published(), filters)
    text = clean_text(q)
    if not text:
        return with_names(qs).order_by("-death_date", "id"), []
    notices = ["too_long"] if len(text) > 200 else []

    def allowed(ids: list[int]) -> set[int]:
        return set(qs.filter(person_id__in=ids).values_list("person_id", flat=True))

    response = name_index.search(text[:200], limit=SEARCH_LIMIT, allowed=allowed)
    records = {r.person_id: r for r in with_names(qs.filter(
        person_id__in=[h.id for h in response.results]))}
    return [Found(records[h.id], h) for h in response.results if h.id in records], \
        notices + response.notices


def region_choices() -> list[tuple[int, str]]:
    """Regions for the search filter, in the active language."""
    from vetbridge.core.models import Region

    return [(r.pk, str(r)) for r in Region.objects.all()]


def public_record(pk: int) -> MemorialRecord | None:
    return with_names(published()).filter(pk=pk).first()


def slug_of(record: MemorialRecord) -> str:
    name = record.person.preferred_name("uk")
    text = name.full_name() if name else ""
    return slugify(transliterate(text, "kmu")) or "record"


def published_tributes(record: MemorialRecord) -> QuerySet[Tribute]:
    return record.tributes.filter(state=TributeState.PUBLISHED).exclude(kind="correction")


def ceremonies() -> list[dict[str, Any]]:
    """Remembrance dates, the next ones first (daily ones at the top)."""
    today = timezone.localdate()
    out = []
    for c in Ceremony.objects.all():
        if c.month and c.day:
            nxt = dt.date(today.year, c.month, c.day)
            if nxt < today:
                nxt = dt.date(today.year + 1, c.month, c.day)
            out.append({"ceremony": c, "next": nxt, "days": (nxt - today).days})
        else:
            out.append({"ceremony": c, "next": None, "days": -1})
    return sorted(out, key=lambda x: x["days"])


def tribute_queue() -> QuerySet[Tribute]:
    return Tribute.objects.filter(state=TributeState.PENDING).select_related(
        "record__person").prefetch_related("record__person__names")
