"""The name index in the database: `vetbridge.names` over the `NameToken` and `NameKey`
tables, the same on SQLite and PostgreSQL, kept current in the transaction of every write
that changes a person's spellings (create, add a spelling, import, merge, unmerge).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from vetbridge.names import Searcher
from vetbridge.names.index import SearchResponse, skeletons_of, stored_keys

from .models import NameKey, NameToken, Person, PersonName

CHUNK = 900  # stays under SQLite's limit on query parameters


def _chunks(values: Collection[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class DatabaseStore:
    """`vetbridge.names.index.Store` on the Django tables."""

    def skeletons_for_keys(self, keys: Collection[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunks(keys):
            out.update(NameKey.objects.filter(key__in=chunk).values_list("skel", flat=True))
        return out

    def frequencies(self, skels: Collection[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk in _chunks(skels):
            # COUNT(person_id) is answered from the (skel, person) index alone.
            out.update(
                NameToken.objects.filter(skel__in=chunk)
                .values("skel")
                .annotate(n=Count("person_id"))
                .values_list("skel", "n")
            )
        return out

    def postings(
        self,
        skels: Collection[str],
        within: Collection[str] | None = None,
    ) -> Iterable[tuple[int, str]]:
        qs = NameToken.objects.filter(skel__in=list(skels)[:CHUNK])
        if within is not None:
            # One join on the (skel, person) index instead of shipping ids back and forth.
            qs = qs.filter(
                person_id__in=NameToken.objects.filter(skel__in=list(within)[:CHUNK]).values(
                    "person_id"
                )
            )
        # Fetched in one go: on PostgreSQL `.iterator()` means a server-side cursor, planned
        # for its first rows and read in several round trips.
        yield from qs.values_list("person_id", "skel")

    def spellings(self, ids: Collection[int]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for chunk in _chunks(ids):
            for pid, surname, given, patronymic in PersonName.objects.filter(
                person_id__in_array=chunk
            ).values_list("person_id", "surname", "given_name", "patronymic"):
                out.setdefault(pid, []).append(
                    " ".join(p for p in (surname, given, patronymic) if p)
                )
        return out


class RememberedFrequencies:
    """The number of carriers of name skeletons, kept in this process for `seconds()`.

    Those counts only plan a search (the rarest token first; a token carried by more than
    `names.index.FREQUENT` people only narrows): nothing shown is read from them, so a
    process-local copy is safe, while a common given name (Микола: 58,000 carriers at
    1.2 million people) costs PostgreSQL about 15 ms to count at every search. The
    postings, the spellings and every access check are still read at every search."""

    SIZE = 20_000  # skeleton sets kept (a few hundred bytes each)

    def __init__(self, seconds: Callable[[], int]) -> None:
        self._seconds = seconds
        self._kept: OrderedDict[tuple[str, ...], tuple[float, dict[str, int]]] = OrderedDict()
        self._lock = threading.Lock()
        self._generation: int | None = None

    def frequencies(
        self, skels: Collection[str], count: Callable[[Collection[str]], dict[str, int]]
    ) -> dict[str, int]:
        seconds = self._seconds()
        if seconds <= 0:
            return count(skels)
        key = tuple(sorted(skels))
        now = time.monotonic()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] > now:
                self._kept.move_to_end(key)
                return dict(kept[1])
        fresh = count(skels)
        with self._lock:
            self._kept[key] = (now + seconds, dict(fresh))
            self._kept.move_to_end(key)
            while len(self._kept) > self.SIZE:
                self._kept.popitem(last=False)
        return fresh

    def follow(self, generation: int) -> None:
        """Forget every count when a caller's generation changed (the memorial's)."""
        with self._lock:
            if generation != self._generation:
                self._kept.clear()
                self._generation = generation

    def forget(self) -> None:
        with self._lock:
            self._kept.clear()


class RememberingStore(DatabaseStore):
    """`DatabaseStore` whose skeleton counts come from a `RememberedFrequencies`."""

    def __init__(self, kept: RememberedFrequencies) -> None:
        self._kept_counts = kept

    def frequencies(self, skels: Collection[str]) -> dict[str, int]:
        return self._kept_counts.frequencies(skels, super().frequencies)


# The registry search's counts, kept `VETBRIDGE_NAME_COUNTS_SECONDS` (0: counted every time).
registry_frequencies = RememberedFrequencies(lambda: settings.VETBRIDGE_NAME_COUNTS_SECONDS)


def searcher() -> Searcher:
    return Searcher(RememberingStore(registry_frequencies))


def search(
    text: object,
    *,
    limit: int = 10,
    allowed: Callable[[list[int]], set[int]] | None = None,
    born: Born | None = None,
    region_id: int | None = None,
) -> SearchResponse:
    criteria = BirthRegion(born, region_id) if born or region_id else None
    return searcher().search(text, limit=limit, allowed=allowed, criteria=criteria)


@dataclass(frozen=True)
class Born:
    """A birth year, or a full birth date, given to tell namesakes apart."""

    year: int
    date: dt.date | None = None

    @classmethod
    def parse(cls, value: str) -> Born:
        """`YYYY` or `YYYY-MM-DD`; raises ValueError (the caller names the field)."""
        text = value.strip()
        if len(text) == 4 and text.isdigit():
            year = int(text)
            if not 1850 <= year <= 2100:
                raise ValueError(text)
            return cls(year)
        date = dt.date.fromisoformat(text) if len(text) == 10 else None
        if date is None:
            raise ValueError(text)
        return cls(date.year, date)

    def __str__(self) -> str:
        return self.date.isoformat() if self.date else str(self.year)

    def agreement(self, birth: dt.date | None) -> tuple[float, str]:
        if birth is None:
            return 0.5, "unknown"
        if self.date is not None:
            if birth == self.date:
                return 1.0, "agrees"
            if birth.year == self.date.year and (birth.month, birth.day) == (
                self.date.day,
                self.date.month,
            ):
                return 0.75, "transposed_day_month"
            if birth.year == self.year:
                return 0.75, "same_year"
            return 0.0, "differs"
        return (1.0, "agrees") if birth.year == self.year else (0.0, "differs")


class BirthRegion:
    """`names.index.Criteria` on the registry: birth date or year, region of residence."""

    def __init__(self, born: Born | None, region_id: int | None) -> None:
        self.born = born
        self.region_id = region_id

    def matching(self, ids: list[int]) -> set[int]:
        qs = Person.objects.filter(pk__in_array=ids)
        if self.born is not None:
            qs = qs.filter(birth_date__year=self.born.year)
        if self.region_id is not None:
            qs = qs.filter(region_id=self.region_id)
        return set(qs.values_list("pk", flat=True))

    def judge(self, ids: list[int]) -> dict[int, tuple[float, list[dict[str, object]]]]:
        out: dict[int, tuple[float, list[dict[str, object]]]] = {}
        for chunk in _chunks(ids):
            for pid, birth, region in Person.objects.filter(pk__in_array=chunk).values_list(
                "pk", "birth_date", "region_id"
            ):
                parts: list[tuple[float, int]] = []
                reasons: list[dict[str, object]] = []
                if self.born is not None:
                    value, how = self.born.agreement(birth)
                    parts.append((value, 2))
                    reasons.append(
                        {
                            "field": "born",
                            "query": str(self.born),
                            "matched": birth.isoformat() if birth else None,
                            "how": f"born_{how}",
                        }
                    )
                if self.region_id is not None:
                    value = 0.5 if region is None else float(region == self.region_id)
                    parts.append((value, 1))
                    reasons.append(
                        {
                            "field": "region",
                            "query": None,
                            "matched": None,
                            "how": "region_"
                            + ("unknown" if region is None else "agrees" if value else "differs"),
                        }
                    )
                total = sum(w for _v, w in parts)
                out[pid] = (sum(v * w for v, w in parts) / total if total else 0.5, reasons)
        return out


def _skeletons_by_person(person_ids: Collection[int]) -> dict[int, set[str]]:
    spellings = DatabaseStore().spellings(person_ids)
    return {pid: skeletons_of(spellings.get(pid, [])) for pid in person_ids}


def _add_keys(skels: Iterable[str]) -> None:
    rows = [NameKey(key=k, skel=s) for s in set(skels) for k in stored_keys(s)]
    NameKey.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def index_people(person_ids: Collection[int]) -> None:
    """Bring the index of these people in line with their current spellings. Merged-away
    records keep no postings, so search never finds them."""
    if not person_ids:
        return
    with transaction.atomic():
        merged = set(
            Person.objects.filter(pk__in=list(person_ids), merged_into__isnull=False).values_list(
                "pk", flat=True
            )
        )
        wanted = _skeletons_by_person(person_ids)
        for pid in merged:
            wanted[pid] = set()
        have: dict[int, set[str]] = {}
        for chunk in _chunks(person_ids):
            for pid, skel in NameToken.objects.filter(person_id__in=chunk).values_list(
                "person_id", "skel"
            ):
                have.setdefault(pid, set()).add(skel)
        new_rows: list[NameToken] = []
        for pid, skels in wanted.items():
            old = have.get(pid, set())
            if old - skels:
                NameToken.objects.filter(person_id=pid, skel__in=list(old - skels)).delete()
            new_rows += [NameToken(person_id=pid, skel=s) for s in skels - old]
        NameToken.objects.bulk_create(new_rows, batch_size=2000, ignore_conflicts=True)
        _add_keys(t.skel for t in new_rows)


def reindex_all(progress: Callable[[int], None] | None = None, batch: int = 2000) -> int:
    """Rebuild both tables from every stored spelling; returns the number of people indexed."""
    with transaction.atomic():
        NameToken.objects.all().delete()
        NameKey.objects.all().delete()
        ids = list(
            Person.objects.filter(merged_into__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        keyed: set[str] = set()
        for chunk in _chunks(ids, batch):
            rows = [
                NameToken(person_id=pid, skel=s)
                for pid, skels in _skeletons_by_person(chunk).items()
                for s in skels
            ]
            NameToken.objects.bulk_create(rows, batch_size=5000)
            fresh = {r.skel for r in rows} - keyed
            _add_keys(fresh)
            keyed |= fresh
            if progress:
                progress(len(chunk))
    return len(ids)
