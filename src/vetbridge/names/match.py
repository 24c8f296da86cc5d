"""Scoring one query against one person's spellings, with the reasons of the score."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA, JaroWinkler

from .given_names import equivalents
from .skeleton import skeleton
from .text import Token, tokenize

# Similarity of one token pair by how it matched. A typo costs in proportion to its length.
SIM_EXACT = 1.0
SIM_SAME_SOUND = 0.96
SIM_EQUIVALENT = 0.92
SIM_TYPO_CEILING = 0.9
SIM_INITIAL = 0.5
WEIGHT_INITIAL = 0.3
TIE_BREAK = 0.02


def max_distance(skel: str) -> int:
    """Edits tolerated on a skeleton of this length."""
    return 0 if len(skel) <= 2 else 1 if len(skel) <= 4 else 2


@dataclass(frozen=True)
class QueryToken:
    text: str
    skel: str
    initial: bool
    equivalents: frozenset[str]


@dataclass(frozen=True)
class Query:
    text: str
    tokens: tuple[QueryToken, ...]

    @classmethod
    def parse(cls, text: object) -> Query:
        toks = tuple(_query_token(t) for t in tokenize(text))
        return cls(str(text or ""), tuple(t for t in toks if t.skel))

    @property
    def words(self) -> tuple[QueryToken, ...]:
        """Tokens that are more than an initial."""
        return tuple(t for t in self.tokens if not t.initial)


def _query_token(tok: Token) -> QueryToken:
    skel = skeleton(tok.text)
    return QueryToken(
        tok.text, skel, tok.initial, equivalents(skel) if not tok.initial else frozenset()
    )


@dataclass(frozen=True)
class StoredToken:
    text: str
    skel: str


@lru_cache(maxsize=100_000)
def spelling_tokens(spelling: str) -> tuple[StoredToken, ...]:
    return tuple(StoredToken(t.text, skeleton(t.text)) for t in tokenize(spelling) if not t.initial)


@dataclass
class TokenMatch:
    similarity: float
    how: str
    matched: str
    distance: int = 0


def match_token(q: QueryToken, t: StoredToken) -> TokenMatch | None:
    if q.initial:
        return TokenMatch(SIM_INITIAL, "initial", t.text) if t.skel[:1] == q.skel[:1] else None
    if q.text == t.text:
        return TokenMatch(SIM_EXACT, "exact", t.text)
    if q.skel == t.skel:
        return TokenMatch(SIM_SAME_SOUND, "same_sound", t.text)
    if t.skel in q.equivalents:
        return TokenMatch(SIM_EQUIVALENT, "equivalent_name", t.text)
    limit = max_distance(q.skel)
    if limit:
        d = OSA.distance(q.skel, t.skel, score_cutoff=limit)
        if d <= limit:
            sim = SIM_TYPO_CEILING * (1 - d / max(len(q.skel), len(t.skel)))
            return TokenMatch(sim, "spelling_distance", t.text, d)
    return None


@dataclass
class Scored:
    score: float
    spelling: str
    reasons: list[dict[str, object]] = field(default_factory=list)


def _score_spelling(query: Query, spelling: str) -> Scored:
    stored = spelling_tokens(spelling)
    total = weight_sum = tie = 0.0
    reasons: list[dict[str, object]] = []
    used: set[int] = set()
    for q in query.tokens:
        weight = WEIGHT_INITIAL if q.initial else 1.0
        weight_sum += weight
        best: TokenMatch | None = None
        best_i = -1
        for i, t in enumerate(stored):
            m = match_token(q, t)
            if m and (
                best is None
                or m.similarity > best.similarity
                or (m.similarity == best.similarity and best_i in used and i not in used)
            ):
                best, best_i = m, i
        if best is None:
            reasons.append({"query": q.text, "matched": None, "how": "not_found"})
            continue
        used.add(best_i)
        total += weight * best.similarity
        tie += JaroWinkler.similarity(q.skel, stored[best_i].skel)
        reason: dict[str, object] = {"query": q.text, "matched": best.matched, "how": best.how}
        if best.how == "spelling_distance":
            reason["distance"] = best.distance
        reasons.append(reason)
    if not weight_sum or not stored:
        return Scored(0.0, spelling, reasons)
    # A stored token the query does not mention (a patronymic, a second surname) costs
    # nothing: records are fuller than what people type.
    score = total / weight_sum + TIE_BREAK * tie / len(query.tokens)
    return Scored(round(score / (1 + TIE_BREAK), 4), spelling, reasons)


def score_person(query: Query, spellings: list[str]) -> Scored:
    """The best of the person's spellings for this query (0 to 1, 1 = same text)."""
    best = Scored(0.0, spellings[0] if spellings else "", [])
    for spelling in spellings:
        scored = _score_spelling(query, spelling)
        if scored.score > best.score:
            best = scored
    return best
