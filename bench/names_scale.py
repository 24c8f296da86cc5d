"""The name index at national scale: 1,000,000 people, embedded (SQLite) and on PostgreSQL,
against PostgreSQL pg_trgm as the peer, with the same rerank.

The people are drawn with Zipf-like frequencies from ~100,000 surnames, stored in mixed
spelling systems (bench/names_data.py). Queries are spelling variants of targets planted at
random ids (kinds as in names_quality.py); a tie counts against the method.

Prints, per database: build time and size of the index, insert cost (re-indexing one new
person), p50/p95/p99 over the queries cold (fresh connection) and warm, recall@1/5/10; for
the peer the same, and the ratio of p95 latencies in the same run.

The peer is written as a PostgreSQL expert would: both sides normalised to one Latin form
(folded, Cyrillic transliterated by KMU 2010), a GIN gin_trgm_ops index, the `%` operator
(index-assisted) ordered by similarity, at the default threshold 0.3 and at 0.2 for recall;
shared_buffers large enough to hold the table; ANALYZE after load. Its 300 best candidates
go through the same rerank as ours (`Searcher.rerank`).

    .venv/bin/python bench/names_scale.py [--n 1000000] [--queries 1000] [--pg auto|none|URL]
    .venv/bin/python bench/names_scale.py --born     # namesakes: queries with the birth year

`--pg auto` starts a throwaway PostgreSQL 15 with .ci/pg-server (installs it if missing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

QUERY_KINDS = (
    "cyrillic_given_first",
    "kmu",
    "bgn1965",
    "german",
    "french_table",
    "iso9",
    "surname_first_caps",
    "russian_form",
    "typo_latin",
    "typo_cyrillic",
    "initial",
)


def generate(n: int, n_queries: int, seed: int, path: Path) -> None:
    from collections import Counter

    from names_data import Population, variants
    from names_quality import gallery_spelling
    from vetbridge.names.index import skeletons_of

    rng = random.Random(seed)
    brng = random.Random(seed + 1)  # birth dates: the names drawn stay those of earlier runs
    pop = Population(rng)
    born: dict[int, str] = {}
    ids = list(range(1, n + 1))
    rng.shuffle(ids)
    targets = set(ids[:n_queries])
    people, queries, target_names = [], [], {}
    names: Counter[frozenset[str]] = Counter()
    for pid in range(1, n + 1):
        s, g, sex = pop.person()
        p = pop.patronymic(sex)
        born[pid] = (dt.date(1950, 1, 1) + dt.timedelta(days=brng.randrange(365 * 55))).isoformat()
        key = frozenset(skeletons_of([f"{s} {g}"]))
        names[key] += 1
        if pid in targets:
            people.append((pid, f"{s} {g} {p}"))
            kind, text = rng.choice([v for v in variants(s, g, p, rng) if v[0] in QUERY_KINDS])
            queries.append((kind, text, pid))
            target_names[pid] = key
        else:
            people.append((pid, gallery_spelling(rng, s, g, p)))
    # A namesake: someone else in the gallery with the same surname and given name (by sound).
    queries = [(kind, text, pid, names[target_names[pid]] > 1) for kind, text, pid in queries]
    path.write_text(
        json.dumps({"people": people, "queries": queries, "born": born}, ensure_ascii=False),
        encoding="utf-8",
    )


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def lat(values: list[float]) -> dict[str, float]:
    return {
        "p50": pct(values, 0.5),
        "p95": pct(values, 0.95),
        "p99": pct(values, 0.99),
        "mean": statistics.fmean(values),
    }


def rank_of(target: int, results: list) -> int:
    for r in results:
        if r.id == target:
            return 1 + sum(1 for o in results if o.id != target and o.score >= r.score)
    return 10**6


def recall(ranks: list[int]) -> dict[str, float]:
    return {f"r@{k}": sum(r <= k for r in ranks) / len(ranks) for k in (1, 5, 10)}


def phase(db_url: str, data_path: Path) -> dict:
    """Runs in its own process: load, index, measure, on one database."""
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "vetbridge.config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from vetbridge.names import Query, Searcher, fold
    from vetbridge.names.translit import transliterate
    from vetbridge.people import name_index
    from vetbridge.people.models import Person, PersonName

    data = json.loads(data_path.read_text(encoding="utf-8"))
    people, queries = data["people"], data["queries"]
    out: dict = {"vendor": connection.vendor, "people": len(people)}
    call_command("migrate", verbosity=0)
    now = timezone.now()
    t0 = time.perf_counter()
    for start in range(0, len(people), 20_000):
        chunk = people[start : start + 20_000]
        Person.objects.bulk_create(
            [Person(pk=pid, created_at=now, updated_at=now) for pid, _ in chunk], batch_size=5000
        )
        names = []
        for pid, spelling in chunk:
            parts = spelling.split()
            names.append(
                PersonName(
                    person_id=pid,
                    surname=parts[0],
                    given_name=parts[1] if len(parts) > 1 else "",
                    patronymic=" ".join(parts[2:]),
                    language="uk",
                    is_preferred=True,
                    script="Cyrl" if any("\u0400" <= c <= "\u04ff" for c in spelling) else "Latn",
                    created_at=now,
                )
            )
        PersonName.objects.bulk_create(names, batch_size=5000)
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(
            __import__("django.core.management.color", fromlist=["no_style"]).no_style(),
            [Person, PersonName],
        ):
            cur.execute(sql)
    out["load_s"] = time.perf_counter() - t0
    print(
        f"  [{connection.vendor}] loaded {len(people):,} people in {out['load_s']:.0f} s",
        file=sys.stderr,
    )

    t0 = time.perf_counter()
    name_index.reindex_all()
    out["build_s"] = time.perf_counter() - t0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE")
        out["index_bytes"] = table_bytes(
            cur, connection.vendor, ["people_nametoken", "people_namekey"]
        )
    print(f"  [{connection.vendor}] our index built in {out['build_s']:.0f} s", file=sys.stderr)

    def run(label: str, search) -> None:
        for temp in ("cold", "warm"):
            connection.close()
            times, ranks = [], []
            for _kind, text, pid, _namesake in queries:
                t = time.perf_counter()
                results = search(text)
                times.append((time.perf_counter() - t) * 1000)
                ranks.append(rank_of(pid, results))
            out[f"{label}_{temp}"] = lat(times)
        out[f"{label}_recall"] = recall(ranks)
        by_kind: dict[str, list[int]] = {}
        for (kind, _t, _p, namesake), r in zip(queries, ranks, strict=True):
            by_kind.setdefault(kind, []).append(r)
            by_kind.setdefault(
                "ALL, namesake in gallery" if namesake else "ALL, no namesake", []
            ).append(r)
        out[f"{label}_by_kind"] = {k: recall(v) for k, v in sorted(by_kind.items())}

    searcher = name_index.searcher()
    run("ours", lambda text: searcher.search(text, limit=10).results)

    if connection.vendor == "postgresql":

        def norm(text: str) -> str:
            folded = fold(text).replace("'", "")
            if any("\u0400" <= c <= "\u04ff" for c in folded):
                folded = fold(transliterate(folded, "kmu"))
            return folded

        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cur.execute("CREATE TABLE bench_trgm (person_id integer NOT NULL, name text NOT NULL)")
            with cur.cursor.copy("COPY bench_trgm (person_id, name) FROM STDIN") as copy:
                for pid, spelling in people:
                    copy.write_row((pid, norm(spelling)))
            cur.execute("CREATE INDEX bench_trgm_gin ON bench_trgm USING gin (name gin_trgm_ops)")
            cur.execute("ANALYZE bench_trgm")
            out["peer_build_s"] = time.perf_counter() - t0
            out["peer_index_bytes"] = table_bytes(cur, "postgresql", ["bench_trgm"])
        print(f"  [postgresql] pg_trgm peer built in {out['peer_build_s']:.0f} s", file=sys.stderr)
        reranker = Searcher(name_index.DatabaseStore())
        for threshold in (0.3, 0.2):

            def peer(text: str, threshold: float = threshold) -> list:
                q = norm(text)
                with connection.cursor() as cur:
                    cur.execute("SET pg_trgm.similarity_threshold = %s", [threshold])
                    cur.execute(
                        "SELECT person_id FROM bench_trgm WHERE name %% %s "
                        "ORDER BY similarity(name, %s) DESC LIMIT 300",
                        [q, q],
                    )
                    pool = list(dict.fromkeys(r[0] for r in cur.fetchall()))
                return reranker.rerank(Query.parse(text), pool, 10)

            run(f"trgm{threshold}", peer)

    # Insert cost: re-indexing one newly registered person (the write path adds this).
    times = []
    rng = random.Random(5)
    for i in range(300):
        pid, spelling = people[rng.randrange(len(people))]
        person = Person.objects.create()
        PersonName.objects.create(
            person=person, surname=spelling.split()[0] + "о", given_name=str(i), script="Cyrl"
        )
        t = time.perf_counter()
        name_index.index_people([person.pk])
        times.append((time.perf_counter() - t) * 1000)
    out["insert_ms"] = lat(times)
    return out


def phase_born(db_url: str, data_path: Path) -> dict:
    """The namesakes set: the same queries, with the target's birth year given
    (`--born`), on the registry loaded through the bulk registration path."""
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "vetbridge.config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from vetbridge.people import name_index
    from vetbridge.people.registration import NameSpelling, NewPerson, people_register_bulk

    data = json.loads(data_path.read_text(encoding="utf-8"))
    people, queries, born = data["people"], data["queries"], data["born"]
    out: dict = {"vendor": connection.vendor, "people": len(people)}
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    rows = []
    for _pid, spelling in people:
        parts = spelling.split()
        script = "Cyrl" if any("\u0400" <= c <= "\u04ff" for c in spelling) else "Latn"
        rows.append(
            NewPerson(
                external_id=None,
                birth_date=dt.date.fromisoformat(born[str(_pid)]),
                names=(
                    NameSpelling(
                        parts[0],
                        parts[1] if len(parts) > 1 else "",
                        " ".join(parts[2:]),
                        "uk",
                        script,
                    ),
                ),
            )
        )
    reg = people_register_bulk(
        actor=None, kind="bench", data=b"names_scale", source="bench", people=rows
    )
    out["load_s"] = time.perf_counter() - t0
    ids = dict(zip((pid for pid, _s in people), reg.ids, strict=True))
    print(
        f"  [{connection.vendor}] loaded and indexed {len(people):,} people in "
        f"{out['load_s']:.0f} s",
        file=sys.stderr,
    )
    searcher = name_index.searcher()
    for label, with_born in (("name only", False), ("name + birth year", True)):
        for temp in ("cold", "warm"):
            connection.close()
            times, ranks = [], []
            for _kind, text, pid, _namesake in queries:
                criteria = (
                    name_index.BirthRegion(name_index.Born(int(born[str(pid)][:4])), None)
                    if with_born
                    else None
                )
                t = time.perf_counter()
                results = searcher.search(text, limit=10, criteria=criteria).results
                times.append((time.perf_counter() - t) * 1000)
                ranks.append(rank_of(ids[pid], results))
            out[f"{label}_{temp}"] = lat(times)
        out[f"{label}_recall"] = recall(ranks)
        by_kind: dict[str, list[int]] = {}
        for (_kind, _t, _p, namesake), r in zip(queries, ranks, strict=True):
            by_kind.setdefault("namesake in gallery" if namesake else "no namesake", []).append(r)
        out[f"{label}_by_kind"] = {k: recall(v) for k, v in sorted(by_kind.items())}
    return out


def show_born(res: dict) -> None:
    print(
        f"\n== {res['vendor']}: {res['people']:,} people, load + index through the bulk "
        f"registration {res['load_s']:.0f} s"
    )
    print(
        f"{'query':22} {'cold p50':>9} {'p95':>7} {'warm p50':>9} {'p95':>7} {'p99':>7} "
        f"{'r@1':>6} {'r@5':>6} {'r@10':>6}"
    )
    for label in ("name only", "name + birth year"):
        c, w, r = res[f"{label}_cold"], res[f"{label}_warm"], res[f"{label}_recall"]
        print(
            f"{label:22} {c['p50']:8.1f}  {c['p95']:6.1f}  {w['p50']:8.1f}  {w['p95']:6.1f}  "
            f"{w['p99']:6.1f}  {r['r@1']:6.3f} {r['r@5']:6.3f} {r['r@10']:6.3f}"
        )
        print(
            "   " + ", ".join(f"{k} r@5 {v['r@5']:.3f}" for k, v in res[f"{label}_by_kind"].items())
        )
    r5 = res["name + birth year_recall"]["r@5"]
    p95 = res["name + birth year_warm"]["p95"]
    print(
        f"targets with the birth year: recall@5 >= 0.97 ({'met' if r5 >= 0.97 else 'MISSED'}:"
        f" {r5:.3f}), p95 <= 50 ms embedded ({'met' if p95 <= 50 else 'MISSED'}: {p95:.1f})"
    )


def table_bytes(cur, vendor: str, tables: list[str]) -> int | None:
    if vendor == "postgresql":
        cur.execute("SELECT sum(pg_total_relation_size(c)) FROM unnest(%s::regclass[]) c", [tables])
        return int(cur.fetchone()[0])
    try:
        cur.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM "
            "sqlite_master WHERE tbl_name IN (%s, %s))",
            tables,
        )
        return int(cur.fetchone()[0])
    except Exception:  # dbstat not compiled in
        return None


def show(res: dict) -> None:
    def mb(b: int | None) -> str:
        return f"{b / 2**20:,.0f} MB" if b else "n/a"

    print(f"\n== {res['vendor']}: {res['people']:,} people (load {res['load_s']:.0f} s)")
    print(
        f"our index: build {res['build_s']:.0f} s, size {mb(res['index_bytes'])}, "
        f"insert (re-index one person) p50 {res['insert_ms']['p50']:.1f} ms "
        f"p95 {res['insert_ms']['p95']:.1f} ms"
    )
    if "peer_build_s" in res:
        print(
            f"pg_trgm peer: build {res['peer_build_s']:.0f} s, size "
            f"{mb(res['peer_index_bytes'])} (table + GIN)"
        )
    print(
        f"{'method':22} {'cold p50':>9} {'p95':>7} {'p99':>7} {'warm p50':>9} {'p95':>7} "
        f"{'p99':>7} {'r@1':>6} {'r@5':>6} {'r@10':>6}"
    )
    for label in [k[: -len("_recall")] for k in res if k.endswith("_recall")]:
        c, w, r = res[f"{label}_cold"], res[f"{label}_warm"], res[f"{label}_recall"]
        print(
            f"{label:22} {c['p50']:8.1f}  {c['p95']:6.1f}  {c['p99']:6.1f}  {w['p50']:8.1f}  "
            f"{w['p95']:6.1f}  {w['p99']:6.1f}  {r['r@1']:6.3f} {r['r@5']:6.3f} {r['r@10']:6.3f}"
        )
    for label in [k[: -len("_by_kind")] for k in res if k.endswith("_by_kind")]:
        print(
            f"recall@1/@5 by kind ({label}):",
            ", ".join(
                f"{k} {v['r@1']:.2f}/{v['r@5']:.2f}" for k, v in res[f"{label}_by_kind"].items()
            ),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--pg", default="auto", help="auto, none, or a postgres:// URL")
    parser.add_argument(
        "--born",
        action="store_true",
        help="only the namesakes set: queries with the birth year, SQLite",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run = phase_born if args.born else phase
        print("RESULT " + json.dumps(run(args.phase, Path(args.data))))
        return

    work = Path(tempfile.mkdtemp(prefix="vetbridge-names-scale-"))
    data = work / "data.json"
    t0 = time.perf_counter()
    generate(args.n, args.queries, args.seed, data)
    print(
        f"generated {args.n:,} people and {args.queries:,} queries in "
        f"{time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )

    def run_phase(url: str) -> dict:
        cmd = [sys.executable, __file__, "--phase", url, "--data", str(data)]
        proc = subprocess.run(
            cmd + (["--born"] if args.born else []), stdout=subprocess.PIPE, text=True, check=True
        )
        line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
        return json.loads(line[len("RESULT ") :])

    if args.born:
        show_born(run_phase(f"sqlite:///{work / 'bench.sqlite3'}"))
        data.unlink(missing_ok=True)
        return
    results = [run_phase(f"sqlite:///{work / 'bench.sqlite3'}")]
    pg_dir = None
    pg_url = None if args.pg == "none" else args.pg
    if args.pg == "auto":
        pg_dir = Path(tempfile.mkdtemp(prefix="vetbridge-bench-pg-"))
        pg_url = subprocess.run(
            [
                str(ROOT / ".ci" / "pg-server"),
                "start",
                str(pg_dir),
                "54339",
                "shared_buffers=4GB",
                "effective_cache_size=12GB",
                "work_mem=64MB",
                "max_parallel_workers_per_gather=2",
                "jit=off",
            ],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        ).stdout.strip()
    try:
        if pg_url:
            results.append(run_phase(pg_url))
    finally:
        if pg_dir:
            subprocess.run([str(ROOT / ".ci" / "pg-server"), "stop", str(pg_dir)], check=False)
    for res in results:
        show(res)

    if len(results) == 2:
        emb, pg = results
        ours = emb["ours_warm"]["p95"]
        print("\n== ratios (p95, warm; same rerank, same queries, same run)")
        for label in ("trgm0.3", "trgm0.2"):
            peer = pg[f"{label}_warm"]["p95"]
            print(
                f"pg_trgm (threshold {label[4:]}) p95 {peer:.1f} ms, r@5 "
                f"{pg[f'{label}_recall']['r@5']:.3f} | embedded index p95 {ours:.1f} ms, "
                f"r@5 {emb['ours_recall']['r@5']:.3f} → {peer / ours:.1f}x faster; "
                f"our index on PostgreSQL p95 {pg['ours_warm']['p95']:.1f} ms → "
                f"{peer / pg['ours_warm']['p95']:.1f}x"
            )
        print(
            "targets: p95 <= 50 ms embedded; >= 5x faster than pg_trgm at equal recall; "
            "recall@5 >= 0.97"
        )
    print(
        f"queries whose target has a namesake in the gallery: "
        f"{sum(q[3] for q in json.loads(data.read_text())['queries']) if data.exists() else '?'}"
        f" of {args.queries}"
    )
    data.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
