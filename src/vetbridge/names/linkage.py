"""Record linkage of a registry with itself: blocking, then a Fellegi–Sunter model. Pure
Python, no Django (the registry's adapter is `people.linkage`).

Blocking (a pair is compared when it shares one of these keys; blocks larger than
`MAX_BLOCK` are skipped, as every linkage system does, since a block of thousands is a
common name, not a duplicate):
- surname sound + given-name sound + birth year (transliterations, typos in the date);
- surname sound + {given name, patronymic} sounds as a set (swapped given name and
  patronymic, missing or wrong birth date);
- surname sound + birth date (a typo or another form of the given name);
- {given name, patronymic} sounds + birth date (a typo in the surname, a married name);
- surname sound + patronymic sound (a typo in the given name and no birth date).
A "sound" is the versioned phonetic skeleton of `names.skeleton`, which folds Cyrillic and
every Latin transliteration into one key; given names are taken as their equivalence class
(Oleksandr = Aleksandr = Alexandre).

Scoring: Fellegi and Sunter (1969). Each field is compared at a few levels; a level has
m = P(level | same person) and u = P(level | different people); its match weight is
log2(m/u), the pair's weight is the prior log-odds plus the sum over fields, and a missing
value weighs 0. The m and u below are documented priors (u from the frequencies of names,
dates and regions in a national register, m from the error rates of transcribed lists), used
by default; `estimate` (`train=True`, `scan-duplicates --em`) learns m by
expectation–maximisation on the candidate pairs, in two sessions as splink does. On the
labelled bench (bench/linkage_quality.py) the priors give the better precision: EM learns
from namesakes that a different birth date is common among duplicates.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import combinations

from rapidfuzz.distance import OSA

from .given_names import equivalents
from .match import max_distance
from .skeleton import skeleton
from .text import fold

MAX_BLOCK = 60
# Term frequencies are shrunk towards zero as if this many more records carried other
# values: a frequency seen in a small registry is noise, not a property of the name.
TF_PSEUDO_RECORDS = 10_000
# Share of the records of a register that duplicate another (prior of the model).
DUPLICATE_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class LinkRecord:
    id: int
    surname: str
    given_name: str = ""
    patronymic: str = ""
    birth_date: dt.date | None = None
    sex: str = ""  # "M", "F" or "" when unknown
    region: str = ""


@dataclass(frozen=True, slots=True)
class Keys:
    """The folded texts and sounds of a record, computed once."""

    surname: str
    given: str
    patronymic: str
    surname_skel: str
    given_skel: str  # the given name's equivalence class (smallest equivalent skeleton)
    patronymic_skel: str


_skel_cache: dict[str, str] = {}


def _skel(text: str) -> str:
    got = _skel_cache.get(text)
    if got is None:
        got = skeleton(text) if text else ""
        if len(_skel_cache) < 500_000:
            _skel_cache[text] = got
    return got


def _given_class(skel: str) -> str:
    return min({skel, *equivalents(skel)}) if skel else ""


def keys_of(rec: LinkRecord) -> Keys:
    s, g, p = fold(rec.surname), fold(rec.given_name), fold(rec.patronymic)
    gs = _skel(g)
    return Keys(s, g, p, _skel(s), _given_class(gs), _skel(p))


def blocking_keys(rec: LinkRecord, k: Keys) -> Iterator[tuple[object, ...]]:
    if not k.surname_skel:
        return
    # Given name and patronymic as a set, each as its equivalence class: a list that swapped
    # them gives the same key.
    pair = tuple(sorted(x for x in (k.given_skel, _given_class(k.patronymic_skel)) if x))
    if rec.birth_date:
        if k.given_skel:
            yield ("sgy", k.surname_skel, k.given_skel, rec.birth_date.year)
        yield ("sd", k.surname_skel, rec.birth_date)
        if pair:
            yield ("gpd", pair, rec.birth_date)
    if pair:
        yield ("sgp", k.surname_skel, pair)
    if k.patronymic_skel:  # a typo in the given name and no birth date
        yield ("sp", k.surname_skel, _given_class(k.patronymic_skel))


def candidate_pairs(
    records: Iterable[tuple[LinkRecord, Keys]],
    *,
    new_ids: set[int] | None = None,
    max_block: int = MAX_BLOCK,
) -> set[tuple[int, int]]:
    """(a, b) with a < b sharing a blocking key; with `new_ids`, only pairs involving one of
    them (the linkage after an import: newcomers against everyone)."""
    blocks: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for rec, k in records:
        for key in blocking_keys(rec, k):
            blocks[key].append(rec.id)
    pairs: set[tuple[int, int]] = set()
    for ids in blocks.values():
        if len(ids) < 2 or len(ids) > max_block:
            continue
        if new_ids is not None and not any(i in new_ids for i in ids):
            continue
        for a, b in combinations(sorted(ids), 2):
            if new_ids is None or a in new_ids or b in new_ids:
                pairs.add((a, b))
    return pairs


# ------------------------------------------------------------------ comparison levels

NAME_LEVELS = ("exact", "same_sound", "spelling_distance", "different")
DATE_LEVELS = ("exact", "transposed_day_month", "same_year", "different")
SAME_LEVELS = ("exact", "different")
MISSING = "missing"
AGREE = frozenset({"exact", "same_sound"})


def compare_name(a: str, b: str, sa: str, sb: str) -> str:
    if not a or not b:
        return MISSING
    if a == b:
        return "exact"
    if sa == sb:
        return "same_sound"
    limit = max(1, max_distance(sa))
    if OSA.distance(sa, sb, score_cutoff=limit) <= limit:
        return "spelling_distance"
    return "different"


def compare_date(a: dt.date | None, b: dt.date | None) -> str:
    if a is None or b is None:
        return MISSING
    if a == b:
        return "exact"
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return "transposed_day_month"
    if a.year == b.year:
        return "same_year"
    return "different"


def compare_same(a: str, b: str) -> str:
    if not a or not b:
        return MISSING
    return "exact" if a == b else "different"


def compare(ra: LinkRecord, ka: Keys, rb: LinkRecord, kb: Keys) -> dict[str, str]:
    """Level of each field. Given name and patronymic are compared straight and crossed
    (a list that swapped them); the better reading of the pair is kept."""
    given = compare_name(ka.given, kb.given, ka.given_skel, kb.given_skel)
    patr = compare_name(ka.patronymic, kb.patronymic, ka.patronymic_skel, kb.patronymic_skel)
    cross_g = compare_name(ka.given, kb.patronymic, ka.given_skel, kb.patronymic_skel)
    cross_p = compare_name(ka.patronymic, kb.given, ka.patronymic_skel, kb.given_skel)
    rank = {"exact": 0, "same_sound": 1, "spelling_distance": 2, MISSING: 3, "different": 4}
    if rank[cross_g] + rank[cross_p] < rank[given] + rank[patr]:
        given, patr = cross_g, cross_p
    return {
        "surname": compare_name(ka.surname, kb.surname, ka.surname_skel, kb.surname_skel),
        "given_name": given,
        "patronymic": patr,
        "birth_date": compare_date(ra.birth_date, rb.birth_date),
        "sex": compare_same(ra.sex, rb.sex),
        "region": compare_same(ra.region, rb.region),
    }


# ------------------------------------------------------------------ the model


@dataclass
class Model:
    """m and u per field and level; `prior` = P(same person) among compared pairs."""

    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, float]]
    prior: float = 0.02
    iterations: int = 0

    def weight(self, fld: str, level: str, tf: float = 0.0) -> float:
        """log2(m/u); `tf` is the share of records carrying the agreed value (term
        frequency, as in splink): agreeing on a common surname proves less than on a rare
        one, so u is at least that share."""
        if level == MISSING:
            return 0.0
        u = self.u[fld][level]
        if tf and level in AGREE:
            u = max(u, tf)
        return math.log2(self.m[fld][level] / u)

    def score(
        self, levels: dict[str, str], tf: dict[str, float] | None = None
    ) -> tuple[float, float]:
        """(match weight in bits, probability of being the same person)."""
        tf = tf or {}
        w = math.log2(self.prior / (1 - self.prior)) + sum(
            self.weight(f, lv, tf.get(f, 0.0)) for f, lv in levels.items()
        )
        return w, 1 / (1 + 2**-w)


def default_model() -> Model:
    """Documented priors. u: a surname sound is shared by ~1 in 700 random pairs, a given
    name (or patronymic) class by ~1 in 20 (the ten commonest given names cover half of the
    men), a birth date by 1 in 20,000 (55 birth years), a year by 1 in 55, a sex by 1 in 2,
    a region by 1 in 25. m: in a registry fed in both scripts a name of the same person is
    spelled identically ~60% of the time, the same sound in another script or system ~33%,
    with a typo ~5%; a birth date is exact ~90%, transposed ~3%, the same year otherwise ~6%,
    another year ~1%."""
    name_m = {"exact": 0.60, "same_sound": 0.33, "spelling_distance": 0.05, "different": 0.02}
    surname_u = {
        "exact": 0.0015,
        "same_sound": 0.0015,
        "spelling_distance": 0.01,
        "different": 0.987,
    }
    given_u = {"exact": 0.05, "same_sound": 0.05, "spelling_distance": 0.03, "different": 0.87}
    return Model(
        m={
            "surname": dict(name_m),
            "given_name": dict(name_m),
            "patronymic": dict(name_m),
            "birth_date": {
                "exact": 0.90,
                "transposed_day_month": 0.03,
                "same_year": 0.06,
                "different": 0.01,
            },
            "sex": {"exact": 0.98, "different": 0.02},
            "region": {"exact": 0.85, "different": 0.15},
        },
        u={
            "surname": surname_u,
            "given_name": dict(given_u),
            "patronymic": dict(given_u),
            "birth_date": {
                "exact": 0.00005,
                "transposed_day_month": 0.00001,
                "same_year": 0.018,
                "different": 0.98194,
            },
            "sex": {"exact": 0.5, "different": 0.5},
            "region": {"exact": 0.04, "different": 0.96},
        },
    )


NAME_FIELDS = ("surname", "given_name", "patronymic")
OTHER_FIELDS = ("birth_date", "sex", "region")


def random_pair_prior(n: int, duplicate_share: float = DUPLICATE_SHARE) -> float:
    """P(two records drawn at random are one person): the u above are shares among random
    pairs, so the prior must be too (splink's `probability_two_random_records_match`);
    blocking then changes which pairs are scored, not their probability."""
    return min(0.02, 2 * duplicate_share / max(n, 2))


def estimate(
    model: Model, patterns: Counter[tuple[tuple[str, str], ...]], iterations: int = 25
) -> Model:
    """m by expectation–maximisation in two sessions, as splink trains: on the pairs whose
    names agree, the m of birth date, sex and region are learnt (the names, which selected
    the pairs, stay fixed and do not weigh in that session); on the pairs whose birth dates
    agree, the m of the names. The
    u stay the documented priors (among blocked pairs they would be biased towards
    agreement), and so does the prior: learnt within a session, it only weighs that session's
    pairs, which were chosen for agreeing."""
    m = {f: dict(v) for f, v in model.m.items()}
    done = 0
    # (which pairs, the fields learnt, the fields that weigh: all but the selecting ones)
    sessions = (
        (
            lambda lv: lv["surname"] in AGREE and lv["given_name"] in AGREE,
            OTHER_FIELDS,
            ("birth_date", "sex", "region"),
        ),
        (
            lambda lv: lv["birth_date"] == "exact",
            NAME_FIELDS,
            ("surname", "given_name", "patronymic", "sex", "region"),
        ),
    )
    for selects, fields, weighing in sessions:
        chosen = Counter({p: c for p, c in patterns.items() if selects(dict(p))})
        total = sum(chosen.values())
        if total < 50:
            continue
        prior = 0.5
        for _ in range(iterations):
            done += 1
            cur = Model(m, model.u, prior)
            acc: dict[str, dict[str, float]] = {f: defaultdict(float) for f in fields}
            matched = 0.0
            for pattern, count in chosen.items():
                _w, p = cur.score({f: lv for f, lv in pattern if f in weighing})
                matched += p * count
                for f, level in pattern:
                    if f in acc and level != MISSING:
                        acc[f][level] += p * count
            for f in fields:
                mass = sum(acc[f].values())
                if mass > 0:
                    m[f] = {lv: max(acc[f][lv] / mass, 1e-4) for lv in m[f]}
            new_prior = min(max(matched / total, 1e-4), 0.99)
            if abs(new_prior - prior) < 1e-5:
                break
            prior = new_prior
    return replace(model, m=m, iterations=done)


@dataclass
class ScoredPair:
    a: int
    b: int
    weight: float
    probability: float
    levels: dict[str, str] = field(default_factory=dict)

    tf: dict[str, float] = field(default_factory=dict)

    def reasons(self, model: Model, ra: LinkRecord, rb: LinkRecord) -> list[dict[str, object]]:
        """One reason per field, with its match weight: what a reviewer reads."""
        values = {
            "surname": (ra.surname, rb.surname),
            "given_name": (ra.given_name, rb.given_name),
            "patronymic": (ra.patronymic, rb.patronymic),
            "birth_date": (
                ra.birth_date.isoformat() if ra.birth_date else "",
                rb.birth_date.isoformat() if rb.birth_date else "",
            ),
            "sex": (ra.sex, rb.sex),
            "region": (ra.region, rb.region),
        }
        return [
            {
                "field": f,
                "query": values[f][0] or None,
                "matched": values[f][1] or None,
                "how": lv,
                "weight": round(model.weight(f, lv, self.tf.get(f, 0.0)), 2),
            }
            for f, lv in self.levels.items()
        ]


def link(
    records: list[LinkRecord],
    *,
    new_ids: set[int] | None = None,
    model: Model | None = None,
    train: bool = False,
    threshold: float = 0.5,
    max_block: int = MAX_BLOCK,
) -> tuple[list[ScoredPair], Model, int]:
    """Pairs whose probability of being one person reaches `threshold`, best first; the
    model used; the number of candidate pairs compared."""
    keyed = [(r, keys_of(r)) for r in records]
    by_id = {r.id: (r, k) for r, k in keyed}
    pairs = candidate_pairs(keyed, new_ids=new_ids, max_block=max_block)
    compared = []
    patterns: Counter[tuple[tuple[str, str], ...]] = Counter()
    for a, b in pairs:
        ra, ka = by_id[a]
        rb, kb = by_id[b]
        levels = compare(ra, ka, rb, kb)
        compared.append((a, b, levels))
        patterns[tuple(levels.items())] += 1
    if model is None:
        model = replace(default_model(), prior=random_pair_prior(len(records)))
    if train and len(pairs) >= 100:
        model = estimate(model, patterns)
    n = max(len(keyed), 1)
    freq = {
        "surname": Counter(k.surname_skel for _r, k in keyed),
        "given_name": Counter(k.given_skel for _r, k in keyed),
        "patronymic": Counter(k.patronymic_skel for _r, k in keyed),
    }
    out = []
    for a, b, levels in compared:
        ka = by_id[a][1]
        tf = {
            f: freq[f][v] / (n + TF_PSEUDO_RECORDS)
            for f, v in (
                ("surname", ka.surname_skel),
                ("given_name", ka.given_skel),
                ("patronymic", ka.patronymic_skel),
            )
        }
        w, p = model.score(levels, tf)
        if p >= threshold:
            out.append(ScoredPair(a, b, w, p, levels, tf))
    out.sort(key=lambda s: (-s.weight, s.a, s.b))
    return out, model, len(pairs)
