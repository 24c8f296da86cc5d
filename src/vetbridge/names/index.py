"""Candidates from an index of skeleton keys, reranked by `match.score_person`.

Every stored skeleton is indexed under itself and its one-letter deletions (symmetric
deletion, as in SymSpell): two skeletons within the tolerated distance share a key. A query
looks up its own keys, keeps the skeletons really within distance, adds the equivalent given
names, and asks the store which people carry them, rarest token first, so that a common
given name never floods the candidates. The store is a protocol: in memory here, database
tables in the platform.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Protocol

from rapidfuzz.distance import OSA

from .match import Query, QueryToken, max_distance, score_person, spelling_tokens

RERANK_POOL = 100  # candidates scored in full
FREQUENT = 5000  # a token carried by more people than this only narrows, never widens


def deletion_keys(skel: str, depth: int = 1) -> set[str]:
    """`skel` and its deletions up to `depth` letters (none for short skeletons)."""
    keys = {skel}
    if len(skel) <= 3:
        return keys
    for d in range(1, depth + 1):
        if len(skel) - d < 3:
            break
        for drop in combinations(range(len(skel)), d):
            keys.add("".join(ch for i, ch in enumerate(skel) if i not in drop))
    return keys


def stored_keys(skel: str) -> set[str]:
    """`deletion_keys(skel, 1)`, by slicing (a bulk import computes it ~10^5 times)."""
    if len(skel) <= 3:
        return {skel}
    return {skel, *(skel[:i] + skel[i + 1 :] for i in range(len(skel)))}


def query_keys(skel: str) -> set[str]:
    return deletion_keys(skel, 2 if len(skel) >= 8 else 1)


def skeletons_of(spellings: Iterable[str]) -> set[str]:
    return {t.skel for s in spellings for t in spelling_tokens(s)}


class Store(Protocol):
    def skeletons_for_keys(self, keys: Collection[str]) -> set[str]: ...
    def frequencies(self, skels: Collection[str]) -> dict[str, int]: ...
    def postings(
        self,
        skels: Collection[str],
        within: Collection[str] | None = None,
    ) -> Iterable[tuple[int, str]]:
        """(person, skeleton) for people carrying one of `skels` and, when `within` is
        given, also one of the skeletons `within` (a join the store does best)."""
        ...

    def spellings(self, ids: Collection[int]) -> dict[int, list[str]]: ...


@dataclass
class SearchResult:
    id: int
    score: float
    spelling: str
    reasons: list[dict[str, object]]


@dataclass
class SearchResponse:
    results: list[SearchResult]
    notices: list[str] = field(default_factory=list)  # "too_short", "too_common", ...
    candidates: int = 0


@dataclass
class _TokenPlan:
    token: QueryToken
    sims: dict[str, float]  # candidate skeleton → coarse similarity
    frequency: int


class Criteria(Protocol):
    """Facts other than the name (birth date or year, region) that tell namesakes apart:
    `matching` says which candidates agree with all of them (looked up first, so that the
    namesake born in the given year is not cut from a pool of people with the same name);
    `judge` gives each scored person an agreement from 0 (differs) through 0.5 (unknown) to
    1 (agrees), and the reasons."""

    def matching(self, ids: list[int]) -> set[int]: ...
    def judge(self, ids: list[int]) -> dict[int, tuple[float, list[dict[str, object]]]]: ...


CRITERIA_SHARE = 0.1  # of the final score given to the agreement with the criteria
CRITERIA_SCAN = 20_000  # candidates looked through for those agreeing with the criteria


class Searcher:
    def __init__(self, store: Store, *, pool: int = RERANK_POOL, frequent: int = FREQUENT) -> None:
        self.store = store
        self.pool = pool
        self.frequent = frequent

    def _plan(self, token: QueryToken) -> _TokenPlan:
        limit = max_distance(token.skel)
        sims: dict[str, float] = {}
        for skel in self.store.skeletons_for_keys(query_keys(token.skel)):
            d = OSA.distance(skel, token.skel, score_cutoff=limit)
            if d <= limit:
                sims[skel] = 1 - d / max(len(skel), len(token.skel))
        for skel in token.equivalents:
            sims.setdefault(skel, 0.95)
        freq = sum(self.store.frequencies(list(sims)).values()) if sims else 0
        return _TokenPlan(token, sims, freq)

    def candidates(self, query: Query) -> tuple[dict[int, float], list[str]]:
        """Person id → coarse score, and notices."""
        words = query.words
        if not words:
            return {}, ["too_short"]
        plans = sorted((self._plan(t) for t in words), key=lambda p: p.frequency)
        plans = [p for p in plans if p.sims]
        if not plans:
            return {}, []
        coarse: dict[int, float] = {}
        notices: list[str] = []

        def add(plan: _TokenPlan, within: Collection[str] | None) -> dict[int, float]:
            got: dict[int, float] = {}
            for pid, skel in self.store.postings(list(plan.sims), within):
                sim = plan.sims[skel]
                if sim > got.get(pid, 0.0):
                    got[pid] = sim
            return got

        first = plans[0]
        fetched: set[str] = set(first.sims)  # skeletons whose carriers are all in `coarse`
        if first.frequency <= self.frequent or len(plans) == 1:
            coarse = add(first, None)
            if first.frequency > self.frequent:
                notices.append("too_common")
        else:
            # Every token is common: the carriers of the rarest that also carry the next.
            a = add(plans[0], None)
            b = add(plans[1], list(plans[0].sims))
            coarse = {pid: a[pid] + b[pid] for pid in a.keys() & b.keys()}
            plans = plans[1:]
        for plan in plans[1:]:
            if plan.frequency <= self.frequent:
                for pid, sim in add(plan, None).items():
                    coarse[pid] = coarse.get(pid, 0.0) + sim
                fetched |= set(plan.sims)
            else:  # a common token only narrows: looked up among the people already found
                for pid, sim in add(plan, list(fetched)).items():
                    if pid in coarse:
                        coarse[pid] += sim
        return coarse, notices

    def search(
        self,
        text: object,
        limit: int = 10,
        allowed: Callable[[list[int]], set[int]] | None = None,
        criteria: Criteria | None = None,
    ) -> SearchResponse:
        """Ranked people for `text`. `allowed` filters ids (a user's scope) before the cut;
        `criteria` (birth year, region...) bring agreeing namesakes first and weigh in the
        final score (CRITERIA_SHARE of it)."""
        query = Query.parse(text)
        coarse, notices = self.candidates(query)
        ordered = sorted(coarse, key=lambda pid: (-coarse[pid], pid))
        if criteria is not None:
            return self._search_with(query, coarse, ordered, notices, limit, allowed, criteria)
        if allowed is not None:
            kept: list[int] = []
            # Chunks of three pools: enough for the pool and its ties in one call when
            # most candidates are allowed, without filtering thousands of ids.
            step = 3 * self.pool
            for start in range(0, len(ordered), step):
                chunk = ordered[start : start + step]
                ok = allowed(chunk)
                kept.extend(pid for pid in chunk if pid in ok)
                if len(kept) >= self.pool:
                    break
            ordered = kept
        # Candidates tied with the last one kept are kept too (up to three times the pool):
        # cutting a tie by id would drop people at random.
        size = min(self.pool, len(ordered))
        if size:
            floor = coarse[ordered[size - 1]]
            while size < min(len(ordered), 3 * self.pool) and coarse[ordered[size]] >= floor:
                size += 1
        return SearchResponse(self.rerank(query, ordered[:size], limit), notices, len(coarse))

    def _search_with(
        self,
        query: Query,
        coarse: dict[int, float],
        ordered: list[int],
        notices: list[str],
        limit: int,
        allowed: Callable[[list[int]], set[int]] | None,
        criteria: Criteria,
    ) -> SearchResponse:
        """Candidates agreeing with the criteria first (by coarse score), then the others,
        scored in full; the final score blends the name score and the agreement."""
        agreeing: list[int] = []
        others: list[int] = []
        step = 900
        for start in range(0, min(len(ordered), CRITERIA_SCAN), step):
            chunk = ordered[start : start + step]
            if allowed is not None:
                ok = allowed(chunk)
                chunk = [pid for pid in chunk if pid in ok]
            good = criteria.matching(chunk)
            agreeing.extend(pid for pid in chunk if pid in good)
            if len(others) < self.pool:
                others.extend(pid for pid in chunk if pid not in good)
            if len(agreeing) >= self.pool and len(others) >= self.pool:
                break
        pool = agreeing[: self.pool] + others[: self.pool]
        results = self.rerank(query, pool, len(pool))
        judged = criteria.judge([r.id for r in results])
        for r in results:
            agreement, reasons = judged.get(r.id, (0.5, []))
            r.score = round((1 - CRITERIA_SHARE) * r.score + CRITERIA_SHARE * agreement, 4)
            r.reasons = [*r.reasons, *reasons]
        results.sort(key=lambda r: (-r.score, r.id))
        return SearchResponse(results[:limit], notices, len(coarse))

    def rerank(self, query: Query, pool: list[int], limit: int) -> list[SearchResult]:
        """Full scoring of candidate people (from this index or any other source)."""
        spellings = self.store.spellings(pool)
        results = []
        for pid in pool:
            scored = score_person(query, spellings.get(pid, []))
            if scored.score > 0:
                results.append(SearchResult(pid, scored.score, scored.spelling, scored.reasons))
        results.sort(key=lambda r: (-r.score, r.id))
        return results[:limit]


class MemoryStore:
    """The index in process memory: for tests, the CLI on files and the benchmarks."""

    def __init__(self) -> None:
        self.keys: dict[str, set[str]] = {}
        self.people: dict[str, set[int]] = {}
        self.names: dict[int, list[str]] = {}

    def add(self, pid: int, spellings: list[str]) -> None:
        self.remove(pid)
        self.names[pid] = list(spellings)
        for skel in skeletons_of(spellings):
            self.people.setdefault(skel, set()).add(pid)
            for key in stored_keys(skel):
                self.keys.setdefault(key, set()).add(skel)

    def remove(self, pid: int) -> None:
        for skel in skeletons_of(self.names.pop(pid, [])):
            self.people.get(skel, set()).discard(pid)

    def skeletons_for_keys(self, keys: Collection[str]) -> set[str]:
        out: set[str] = set()
        for key in keys:
            out |= self.keys.get(key, set())
        return out

    def frequencies(self, skels: Collection[str]) -> dict[str, int]:
        return {s: len(self.people.get(s, ())) for s in skels}

    def postings(
        self,
        skels: Collection[str],
        within: Collection[str] | None = None,
    ) -> Iterable[tuple[int, str]]:
        allowed: set[int] | None = None
        if within is not None:
            allowed = set()
            for skel in within:
                allowed |= self.people.get(skel, set())
        for skel in skels:
            carriers = self.people.get(skel, set())
            if allowed is not None:
                carriers = carriers & allowed
            yield from ((pid, skel) for pid in carriers)

    def spellings(self, ids: Collection[int]) -> dict[int, list[str]]:
        return {i: self.names[i] for i in ids if i in self.names}
