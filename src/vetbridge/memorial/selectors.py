"""Reads of the memorial: the public search (published records only) and editor queues."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language

from vetbridge.names import Searcher
from vetbridge.names.index import SearchResult
from vetbridge.names.translit import transliterate
from vetbridge.people import name_index
from vetbridge.people.models import clean_text

from .models import (
    Ceremony,
    EditorNotification,
    MemorialRecord,
    Tribute,
    TributeKind,
    TributeState,
)

SEARCH_LIMIT = 50
T = TypeVar("T")


def published() -> QuerySet[MemorialRecord]:
    """Published records whose person is fallen or missing and not merged into another.

    The lifecycle is checked at every read: a living person is never shown, even if a record
    says published. One join on the person's primary key (measured in
    bench/hardening_overhead.py: 1.3 times the former merged-only subquery on the listing;
    a subquery over the living was 3 to 10 times slower)."""
    from vetbridge.people.models import Lifecycle

    return MemorialRecord.objects.filter(
        published=True,
        person__lifecycle__in=[Lifecycle.FALLEN, Lifecycle.MISSING],
        person__merged_into__isnull=True,
    )


def with_names(qs: QuerySet[MemorialRecord]) -> QuerySet[MemorialRecord]:
    return qs.select_related("person", "birth_region").prefetch_related("person__names")


# What a line of the public lists shows (memorial/_results.html): the record's link, death
# date and unit, the person's name. Reading only these (not the 40 columns of the record,
# the person and the region) halves the ORM's work for a page of 20.
LISTED_FIELDS = ("id", "person_id", "death_date", "unit", "person__id")


def listed(qs: QuerySet[MemorialRecord]) -> QuerySet[MemorialRecord]:
    return qs.select_related("person").only(*LISTED_FIELDS).prefetch_related("person__names")


def _filtered(qs: QuerySet[MemorialRecord], f: dict[str, Any]) -> QuerySet[MemorialRecord]:
    if f.get("death_from"):
        qs = qs.filter(death_date__gte=f["death_from"])
    if f.get("death_to"):
        qs = qs.filter(death_date__lte=f["death_to"])
    for key, column in (
        ("death_place", "death_place"),
        ("unit", "unit"),
        ("burial_place", "burial_place"),
    ):
        if f.get(key):
            qs = qs.filter(**{f"{column}__icontains": clean_text(f[key])[:100]})
    if f.get("birth_region"):
        qs = qs.filter(birth_region=f["birth_region"])
    return qs


@dataclass
class Found:
    record: MemorialRecord
    hit: SearchResult | None


_GENERATION_KEY = "memorial:search:generation"


def search_cache_bump() -> None:
    """Publication, a record or a tribute changed: every cached ranking, count and page
    fragment of the memorial is outdated, in every process (the counter is in the shared
    cache and part of every memorial cache key).

    Unpublishing never waits for this: every page re-reads the records with the
    published filter, so a withdrawn record disappears from the next page at once."""
    value = time.time_ns()
    cache.set(_GENERATION_KEY, value, None)
    if getattr(_in_request, "active", False):
        _in_request.generation = value


# The generation read once per request (a search page needs it for the regions, the
# ranking and the count): set up and dropped by the request_started / request_finished
# signals (MemorialConfig.ready), so the next request reads the shared counter again.
# Outside a request (tasks, commands) it is read at every call.
_in_request = threading.local()


def request_started(**_kwargs: Any) -> None:
    _in_request.active = True
    _in_request.generation = None


def request_finished(**_kwargs: Any) -> None:
    _in_request.active = False
    _in_request.generation = None


def generation() -> int:
    """The memorial's cache generation. When the counter is missing (never set, or evicted
    from the cache) a new one is made from the clock, never 0: keys made under an earlier
    generation are never used again, even after the counter was lost."""
    active = getattr(_in_request, "active", False)
    if active and _in_request.generation is not None:
        return int(_in_request.generation)
    value = cache.get(_GENERATION_KEY)
    if value is None:
        cache.add(_GENERATION_KEY, time.time_ns(), None)
        value = cache.get(_GENERATION_KEY)
    value = int(value) if value is not None else time.time_ns()
    if active:
        _in_request.generation = value
    return value


def cache_seconds() -> int:
    """How long the memorial's page fragments are kept (0: never cached)."""
    return max(0, int(settings.VETBRIDGE_MEMORIAL_CACHE_SECONDS))


def _hits_key(text: str, filters: dict[str, Any], gen: int | None = None) -> str:
    kept = {k: v for k, v in sorted(filters.items()) if v and k not in ("q", "page")}
    gen = generation() if gen is None else gen
    raw = json.dumps([gen, text, kept], default=str, ensure_ascii=False)
    return "memorial:search:" + hashlib.sha256(raw.encode()).hexdigest()


def _remembered(key: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept `VETBRIDGE_MEMORIAL_SEARCH_CACHE_SECONDS` under `key` (0: never)."""
    seconds = settings.VETBRIDGE_MEMORIAL_SEARCH_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


# The token counts that plan a memorial search (people.name_index.RememberedFrequencies),
# kept for the ranking cache's time and forgotten at each new generation.
token_frequencies = name_index.RememberedFrequencies(
    lambda: settings.VETBRIDGE_MEMORIAL_SEARCH_CACHE_SECONDS
)


def ranked_hits(*, q: str, filters: dict[str, Any]) -> tuple[list[SearchResult], list[str]]:
    """The cross-script ranking of published records for a name, best first (at most
    SEARCH_LIMIT), kept for identical searches."""
    text = clean_text(q)
    if not text:
        return [], []

    gen = generation()

    def rank() -> tuple[list[SearchResult], list[str]]:
        token_frequencies.follow(gen)
        qs = _filtered(published(), filters)

        def allowed(ids: list[int]) -> set[int]:
            return set(qs.filter(person_id__in=ids).values_list("person_id", flat=True))

        response = Searcher(name_index.RememberingStore(token_frequencies)).search(
            text[:200], limit=SEARCH_LIMIT, allowed=allowed
        )
        return response.results, (["too_long"] if len(text) > 200 else []) + response.notices

    return _remembered(_hits_key(text[:200], filters, gen), rank)


def listing_count(qs: QuerySet[MemorialRecord], filters: dict[str, Any]) -> int:
    """How many records a listing has, kept like the rankings (counting 200,000 rows on
    every page view is most of a listing's cost: 150-200 ms at 200,000 records). The key
    has the memorial's generation, so the count is kept as long as the page fragments
    (`VETBRIDGE_MEMORIAL_CACHE_SECONDS`): any publication or withdrawal starts a new one."""
    seconds = cache_seconds()
    if seconds <= 0:
        return qs.count()
    key = _hits_key("", filters) + ":count"
    value = cache.get(key)
    if value is None:
        value = qs.count()
        cache.set(key, value, seconds)
    return int(value)


def records_for(hits: list[SearchResult], filters: dict[str, Any]) -> list[Found]:
    """The records of these hits that are published now, in the order of the hits."""
    qs = _filtered(published(), filters)
    records = {r.person_id: r for r in listed(qs.filter(person_id__in=[h.id for h in hits]))}
    return [Found(records[h.id], h) for h in hits if h.id in records]


def public_listing(filters: dict[str, Any]) -> QuerySet[MemorialRecord]:
    """Published records matching the filters, newest death first."""
    return listed(_filtered(published(), filters)).order_by("-death_date", "-person_id")


def region_choices() -> list[tuple[int, str]]:
    """Regions for the search filter, in the active language (kept per language and
    generation: the same list on every search page)."""
    from vetbridge.core.models import Region

    def compute() -> list[tuple[int, str]]:
        return [(r.pk, str(r)) for r in Region.objects.all()]

    seconds = cache_seconds()
    if seconds <= 0:
        return compute()
    key = f"memorial:regions:{generation()}:{get_language()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def public_record(pk: int) -> MemorialRecord | None:
    return with_names(published()).filter(pk=pk).first()


def public_record_head(pk: int) -> MemorialRecord | None:
    """The record if it is public now, with its person and region but not the names (one
    query): read at every request of a record's page, before any cached part is used."""
    return published().select_related("person", "birth_region").filter(pk=pk).first()


def record_page_key(rec: MemorialRecord, canonical: str) -> str:
    """The cache key of a public record page's parts: the memorial's generation, the
    language, the record's and its person's versions (a spelling changed in the registry
    bumps the person's) and the page's address."""
    raw = json.dumps(
        [
            generation(),
            get_language(),
            rec.pk,
            rec.version,
            rec.person_id,
            rec.person.version,
            canonical,
        ],
        ensure_ascii=False,
    )
    return "memorial:record:" + hashlib.sha256(raw.encode()).hexdigest()


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


def editor_notifications(user: Any) -> QuerySet[EditorNotification]:
    """The editor's notices (unread first), with the record's person for its name."""
    return (
        EditorNotification.objects.filter(user=user)
        .select_related("record__person")
        .prefetch_related("record__person__names")
        .order_by(F("read_at").desc(nulls_first=True), "-created_at")
    )


def tribute_queue() -> QuerySet[Tribute]:
    return (
        Tribute.objects.filter(state=TributeState.PENDING)
        .select_related("record__person")
        .prefetch_related("record__person__names")
    )


def rejected_corrections_unanswered() -> QuerySet[Tribute]:
    """Corrections rejected whose submitter left no address: their reasons stay on the desk."""
    return (
        Tribute.objects.filter(kind=TributeKind.CORRECTION, state=TributeState.REJECTED, contact="")
        .select_related("record__person")
        .prefetch_related("record__person__names")
        .order_by("-moderated_at", "-id")
    )
