"""Recall of the cross-script name matcher on a labelled set of spelling variants.

The gallery holds Zipf-distributed distractor people stored in mixed spelling systems
(Cyrillic, KMU, BGN 1965, German, French table, passport 2007; some surname first), and the
targets planted at random ids: synthetic people plus the curated press spellings of public
figures (bench/data/press_variants.yaml). Every variant of every target is a query. A tie with
another person counts against the matcher (rank = 1 + people scoring at least as high).

Prints recall@1/5/10 by kind of variation.

    .venv/bin/python bench/names_quality.py [--targets 300] [--distractors 50000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from names_data import Population, latin, press_variants, variants  # noqa: E402
from vetbridge.names import MemoryStore, Searcher  # noqa: E402

GALLERY_SYSTEMS = ("kmu", "bgn1965", "german", "french_table", "passport2007")


def gallery_spelling(rng: random.Random, surname: str, given: str, patronymic: str) -> str:
    if rng.random() < 0.5:
        return f"{surname} {given} {patronymic}"
    system = rng.choice(GALLERY_SYSTEMS)
    if rng.random() < 0.3:
        return latin(f"{surname.upper()} {given}", system)
    return latin(f"{given} {surname}", system)


def rank_of(target: int, results: list) -> int:
    for r in results:
        if r.id == target:
            return 1 + sum(1 for o in results if o.id != target and o.score >= r.score)
    return 10**6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=300)
    parser.add_argument("--distractors", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pop = Population(rng)

    total = args.distractors + args.targets + 100
    ids = rng.sample(range(1, total * 10), total)
    store = MemoryStore()
    t0 = time.perf_counter()
    for _ in range(args.distractors):
        s, g, sex = pop.person()
        store.add(ids.pop(), [gallery_spelling(rng, s, g, pop.patronymic(sex))])
    queries: list[tuple[str, str, int]] = []  # kind, text, target id
    from vetbridge.names.index import skeletons_of

    def name_key(spelling: str) -> frozenset[str]:
        return frozenset(skeletons_of([spelling]))

    seen_names: dict[frozenset[str], int] = defaultdict(int)
    for spellings in store.names.values():
        seen_names[
            name_key(spellings[0].rsplit(" ", 1)[0])
            if len(spellings[0].split()) == 3
            else name_key(spellings[0])
        ] += 1
    namesake: set[int] = set()
    for _ in range(args.targets):
        s, g, sex = pop.person()
        p = pop.patronymic(sex)
        pid = ids.pop()
        stored = [f"{s} {g} {p}"]
        if rng.random() < 0.3:
            stored.append(gallery_spelling(rng, s, g, p))
        store.add(pid, stored)
        if seen_names.get(name_key(f"{s} {g}"), 0):
            namesake.add(pid)
        queries += [(kind, text, pid) for kind, text in variants(s, g, p, rng)]
    for person in press_variants():
        pid = ids.pop()
        store.add(pid, [str(person["registry"])])
        for kind, text in dict(person["variants"]).items():  # type: ignore[call-overload]
            queries.append((f"press:{kind.rstrip('_2')}", text, pid))
    build = time.perf_counter() - t0

    searcher = Searcher(store)
    ranks: dict[str, list[int]] = defaultdict(list)
    misses: list[tuple[str, str]] = []
    t0 = time.perf_counter()
    for kind, text, pid in queries:
        r = rank_of(pid, searcher.search(text, limit=10).results)
        ranks[kind].append(r)
        ranks["ALL"].append(r)
        ranks["ALL, namesake in gallery" if pid in namesake else "ALL, no namesake"].append(r)
        if r > 5 and len(misses) < 25:
            misses.append((kind, text))
    elapsed = time.perf_counter() - t0

    print(
        f"gallery: {len(store.names):,} people ({args.distractors:,} Zipf distractors in "
        f"mixed systems), {len(queries):,} queries; built in {build:.1f} s; "
        f"{1000 * elapsed / len(queries):.2f} ms/query (in-memory store)"
    )
    print(
        f"targets sharing surname and given name with someone in the gallery: "
        f"{len(namesake)} of {args.targets} (no spelling can rank them alone)"
    )
    print(f"{'kind':32} {'n':>6} {'r@1':>6} {'r@5':>6} {'r@10':>6}")
    for kind in sorted(ranks, key=lambda k: (k.startswith("ALL"), k)):
        rs = ranks[kind]
        print(
            f"{kind:32} {len(rs):6d} "
            + " ".join(f"{sum(r <= k for r in rs) / len(rs):6.3f}" for k in (1, 5, 10))
        )
    print("\nsome misses (rank > 5):")
    for kind, text in misses:
        print(f"  {kind:28} {text}")


if __name__ == "__main__":
    main()
