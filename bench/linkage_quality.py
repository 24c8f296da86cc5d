"""Linkage quality: a labelled synthetic registry with planted duplicates, through our batch
linkage (`vetbridge.names.linkage`: blocking on name sounds, Fellegi–Sunter with EM) and
through splink 5 on DuckDB with its defaults done well, in the same run.

The registry: `--n` people drawn from the Zipf-like name pools of names_data.py (so common
names make real namesakes), and `--dup-share` of them copied with what registers do to a
person: a Latin transliteration (KMU 2010, BGN 1965 or the passport system), a typo, given
name and patronymic swapped, a missing birth date, day and month transposed, the Russian form
of the given name, a move to another region, and combinations. Each copy is labelled.

Splink gets every advantage we could give it: names folded and transliterated to one Latin
form first (as a careful engineer would; splink has no transliteration), term-frequency
adjustments on the names, u from random sampling, the prior from deterministic rules, m by
EM over two blocking rules, and prediction over blocking rules equivalent to ours.

Prints precision, recall and F1 of the pairs queued (probability >= 0.9) and the time of
each, by kind of variation, and the ratios.

    .venv/bin/python bench/linkage_quality.py [--n 100000] [--dup-share 0.05]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from import_data import UA_REGIONS, birth_date  # noqa: E402
from names_data import RUSSIAN_FORMS, Population, latin, typo  # noqa: E402
from vetbridge.names.linkage import LinkRecord, link  # noqa: E402

THRESHOLD = 0.5  # the platform's review-queue threshold, for both methods
KINDS = (
    "translit",
    "typo",
    "swap",
    "no_birth",
    "transposed",
    "russian_given",
    "moved",
    "translit+transposed",
    "typo+no_birth",
)


def make_registry(n: int, share: float, seed: int) -> tuple[list[LinkRecord], dict, set]:
    rng = random.Random(seed)
    pop = Population(rng)
    people: list[LinkRecord] = []
    for i in range(1, n + 1):
        s, g, sex = pop.person()
        people.append(
            LinkRecord(i, s, g, pop.patronymic(sex), birth_date(rng), sex, rng.choice(UA_REGIONS))
        )
    truth: set[tuple[int, int]] = set()
    kind_of: dict[tuple[int, int], str] = {}
    next_id = n + 1
    for orig in rng.sample(people, int(n * share)):
        kind = rng.choice(KINDS)
        rec = _vary(orig, kind, next_id, rng)
        if rec is None:
            continue
        people.append(rec)
        pair = (orig.id, next_id)
        truth.add(pair)
        kind_of[pair] = kind
        next_id += 1
    rng.shuffle(people)
    return people, kind_of, truth


def _vary(o: LinkRecord, kind: str, new_id: int, rng: random.Random) -> LinkRecord | None:
    s, g, p, born, region = o.surname, o.given_name, o.patronymic, o.birth_date, o.region
    for part in kind.split("+"):
        if part == "translit":
            system = rng.choice(("kmu", "bgn1965", "passport2007"))
            s, g, p = latin(s, system), latin(g, system), latin(p, system)
        elif part == "typo":
            if rng.random() < 0.5:
                s = typo(s, rng)
            else:
                g = typo(g, rng)
        elif part == "swap":
            g, p = p, g
        elif part == "no_birth":
            born = None
        elif part == "transposed":
            if born is None or born.day > 12 or born.day == born.month:
                return None
            born = dt.date(born.year, born.day, born.month)
        elif part == "russian_given":
            if g not in RUSSIAN_FORMS:
                return None
            g = RUSSIAN_FORMS[g]
        elif part == "moved":
            region = rng.choice([r for r in UA_REGIONS if r != region])
    return LinkRecord(new_id, s, g, p, born, o.sex, region)


def quality(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> dict[str, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "found": len(found)}


def run_ours(
    records: list[LinkRecord],
    em: bool = False,
) -> tuple[set[tuple[int, int]], float, int]:
    t0 = time.perf_counter()
    pairs, _model, compared = link(records, threshold=THRESHOLD, train=em)
    return {(p.a, p.b) for p in pairs}, time.perf_counter() - t0, compared


def run_splink(records: list[LinkRecord], work: Path) -> tuple[set[tuple[int, int]], float]:
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from vetbridge.names import fold
    from vetbridge.names.translit import transliterate

    def norm(text: str) -> str:
        folded = fold(text).replace("'", "")
        if any("\u0400" <= c <= "\u04ff" for c in folded):
            folded = fold(transliterate(folded, "kmu"))
        return folded

    t0 = time.perf_counter()
    path = work / "records.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["unique_id", "surname", "given_name", "patronymic", "dob", "sex", "region"])
        for r in records:
            out.writerow(
                [
                    r.id,
                    norm(r.surname),
                    norm(r.given_name),
                    norm(r.patronymic),
                    r.birth_date.isoformat() if r.birth_date else "",
                    r.sex,
                    r.region,
                ]
            )
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE records AS SELECT * FROM read_csv('{path}', header=true, "  # noqa: S608 (our temp file)
        "all_varchar=true)"
    )
    con.execute("UPDATE records SET dob = NULL WHERE dob = ''")
    con.execute("ALTER TABLE records ADD COLUMN dob_year VARCHAR")
    con.execute("UPDATE records SET dob_year = substr(dob, 1, 4)")
    db_api = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("patronymic"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("region"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("surname", "given_name", "dob_year"),
            block_on("surname", "dob"),
            block_on("given_name", "patronymic", "dob"),
            block_on("surname", "given_name", "patronymic"),
            block_on("surname", "patronymic", "given_name"),  # noqa: B018 (same set, swapped)
        ],
        retain_intermediate_calculation_columns=False,
    )
    df = db_api.register("records")
    linker = Linker(df, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("surname", "given_name", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("surname", "dob_year")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "patronymic", "dob")
    )
    pred = linker.inference.predict(threshold_match_probability=THRESHOLD)
    rows = con.execute(f"SELECT unique_id_l, unique_id_r FROM {pred.physical_name}").fetchall()  # noqa: S608
    found = {tuple(sorted((int(a), int(b)))) for a, b in rows}
    return found, time.perf_counter() - t0  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dup-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--no-splink", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    records, kind_of, truth = make_registry(args.n, args.dup_share, args.seed)
    print(
        f"registry: {len(records):,} records, {len(truth):,} planted duplicates "
        f"({time.perf_counter() - t0:.0f} s to generate)",
        file=sys.stderr,
    )

    ours, ours_s, compared = run_ours(records)
    ours_em, ours_em_s, _n = run_ours(records, em=True)
    results = {"ours": (ours, ours_s), "ours+EM": (ours_em, ours_em_s)}
    if not args.no_splink:
        work = Path(tempfile.mkdtemp(prefix="vetbridge-linkage-"))
        results["splink"] = run_splink(records, work)

    print(
        f"\n== linkage of {len(records):,} records, {len(truth):,} planted duplicate pairs, "
        f"queued from probability {THRESHOLD}"
    )
    print(f"our blocking compared {compared:,} pairs")
    print(f"{'method':10} {'seconds':>8} {'found':>8} {'precision':>9} {'recall':>7} {'F1':>6}")
    for name, (found, secs) in results.items():
        q = quality(found, truth)
        print(
            f"{name:10} {secs:8.1f} {q['found']:8,} {q['precision']:9.3f} {q['recall']:7.3f} "
            f"{q['f1']:6.3f}"
        )
    kinds = Counter(kind_of.values())
    print("\nrecall by kind of variation:", file=sys.stdout)
    print(f"{'kind':22} {'pairs':>6} " + " ".join(f"{n:>8}" for n in results))
    for kind in KINDS:
        pairs = {p for p, k in kind_of.items() if k == kind}
        if not pairs:
            continue
        print(
            f"{kind:22} {kinds[kind]:6} "
            + " ".join(f"{len(found & pairs) / len(pairs):8.3f}" for found, _s in results.values())
        )
    if "splink" in results:
        qo, qs = quality(ours, truth), quality(results["splink"][0], truth)
        print(
            f"\nratios (ours / splink): time {ours_s / results['splink'][1]:.2f}x, "
            f"recall {qo['recall'] / max(qs['recall'], 1e-9):.2f}x, precision "
            f"{qo['precision'] / max(qs['precision'], 1e-9):.2f}x, "
            f"F1 {qo['f1'] / max(qs['f1'], 1e-9):.2f}x"
        )


if __name__ == "__main__":
    main()
