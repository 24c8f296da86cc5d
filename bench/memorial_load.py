"""The public memorial search page under load: 200,000 fallen, 20 concurrent clients.

Loads the people into a fresh database (SQLite, then PostgreSQL 15 started by
.ci/pg-server unless `--pg none` or `--pg URL`), serves the real Django application with
gunicorn (2 workers x 8 threads on this 2-core machine, production-like settings), and runs
a loopback load generator: 20 client threads with keep-alive connections, each issuing
search-page requests (names in every spelling system, some with filters, some filters only),
as anonymous visitors would. Each database is measured twice: with the ranking cache off
(every search computed) and with its default 60 s (identical searches reuse their ranking;
the warm-up uses other queries, so the cache starts cold). Prints requests/s and
p50/p95/p99 latency, the number of distinct URLs, and the error count (any non-200).

There is no peer for this page: the figures are absolute.

    .venv/bin/python bench/memorial_load.py [--n 200000] [--requests 4000] [--clients 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

PORT = 8765


def generate(n: int, seed: int) -> tuple[list[tuple[int, str]], list[str]]:
    from names_data import Population, variants
    from names_quality import gallery_spelling

    rng = random.Random(seed)
    pop = Population(rng)
    people, queries = [], []
    for pid in range(1, n + 1):
        s, g, sex = pop.person()
        p = pop.patronymic(sex)
        people.append((pid, gallery_spelling(rng, s, g, p)))
        if len(queries) < 2000 and rng.random() < 0.02:
            queries.append(rng.choice(variants(s, g, p, rng))[1])
    return people, queries


def load(db_url: str, data_path: Path) -> None:
    """Runs in its own process: migrate, load people, memorial records, name index."""
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "vetbridge.config.settings.test"
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection
    from django.utils import timezone

    from vetbridge.memorial.models import MemorialRecord
    from vetbridge.people import name_index
    from vetbridge.people.models import Person, PersonName

    people = json.loads(data_path.read_text(encoding="utf-8"))["people"]
    call_command("migrate", verbosity=0)
    now = timezone.now()
    rng = random.Random(3)
    units = [f"{k}-та окрема механізована бригада" for k in range(1, 160)]
    places = ["Бахмут", "Авдіївка", "Херсон", "Покровськ", "Ізюм", "Мар'їнка", "Вугледар"]
    for start in range(0, len(people), 20_000):
        chunk = people[start : start + 20_000]
        Person.objects.bulk_create(
            [
                Person(
                    pk=pid,
                    lifecycle="fallen",
                    created_at=now,
                    updated_at=now,
                    lifecycle_date=dt.date(2022, 2, 24) + dt.timedelta(days=pid % 1300),
                )
                for pid, _ in chunk
            ],
            batch_size=5000,
        )
        PersonName.objects.bulk_create(
            [
                PersonName(
                    person_id=pid,
                    surname=s.split()[0],
                    given_name=" ".join(s.split()[1:]),
                    language="uk",
                    is_preferred=True,
                    created_at=now,
                    script="Cyrl" if any("\u0400" <= c <= "\u04ff" for c in s) else "Latn",
                )
                for pid, s in chunk
            ],
            batch_size=5000,
        )
        MemorialRecord.objects.bulk_create(
            [
                MemorialRecord(
                    person_id=pid,
                    published=True,
                    publication_basis="editorial",
                    publication_note="bench",
                    unit=rng.choice(units),
                    death_place=rng.choice(places),
                    death_date=dt.date(2022, 2, 24) + dt.timedelta(days=pid % 1300),
                    created_at=now,
                    updated_at=now,
                )
                for pid, _ in chunk
            ],
            batch_size=5000,
        )
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Person, PersonName, MemorialRecord]
        ):
            cur.execute(sql)
    name_index.reindex_all()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def serve(db_url: str, media: Path, cache_seconds: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "VETBRIDGE_MEMORIAL_SEARCH_CACHE_SECONDS": str(cache_seconds),
        "DJANGO_SETTINGS_MODULE": "vetbridge.config.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "VETBRIDGE_PRIVATE_MEDIA": str(media),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "PYTHONPATH": str(ROOT / "src"),
    }
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "vetbridge.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--threads",
            "8",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def hammer(urls: list[str], clients: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    work = iter(urls)

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while True:
            with lock:
                url = next(work, None)
            if url is None:
                return
            t = time.perf_counter()
            try:
                conn.request(
                    "GET", url, headers={"Accept-Language": "uk", "X-Forwarded-Proto": "https"}
                )
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            dt_ms = (time.perf_counter() - t) * 1000
            with lock:
                latencies.append(dt_ms)
                errors += 0 if ok else 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies, errors, time.perf_counter() - t0


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--pg", default="auto")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        load(args.phase, Path(args.data))
        return
    work = Path(tempfile.mkdtemp(prefix="vetbridge-memorial-bench-"))
    people, queries = generate(args.n, 5)
    data = work / "people.json"
    data.write_text(json.dumps({"people": people}, ensure_ascii=False), encoding="utf-8")
    rng = random.Random(9)
    warm_queries, queries = queries[:200], queries[200:]
    warmup = ["/memorial/?" + urllib.parse.urlencode({"q": q}) for q in warm_queries]
    urls = []
    for i in range(args.requests):
        kind = i % 10
        if kind < 7:  # a name in some spelling
            params = {"q": rng.choice(queries)}
        elif kind < 9:  # a name and a filter
            params = {"q": rng.choice(queries), "death_place": rng.choice(["Бахмут", "Херсон"])}
        else:  # filters only, a listing page
            params = {
                "death_from": "2023-01-01",
                "death_to": "2023-06-30",
                "page": str(rng.randint(1, 20)),
            }
        urls.append("/memorial/?" + urllib.parse.urlencode(params))

    targets = [("sqlite", f"sqlite:///{work / 'memorial.sqlite3'}")]
    pg_dir = None
    if args.pg == "auto":
        pg_dir = Path(tempfile.mkdtemp(prefix="vetbridge-bench-pg-"))
        url = subprocess.run(
            [
                str(ROOT / ".ci" / "pg-server"),
                "start",
                str(pg_dir),
                "54338",
                "shared_buffers=2GB",
                "effective_cache_size=8GB",
                "jit=off",
                "max_connections=100",
            ],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        ).stdout.strip()
        targets.append(("postgresql", url))
    elif args.pg != "none":
        targets.append(("postgresql", args.pg))
    results = {}
    try:
        for vendor, url in targets:
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, __file__, "--phase", url, "--data", str(data)], check=True
            )
            print(
                f"[{vendor}] loaded {args.n:,} fallen and the name index in "
                f"{time.perf_counter() - t0:.0f} s",
                file=sys.stderr,
            )
            for seconds in (0, 60):  # without, then with the 60 s ranking cache
                server = serve(url, work / "media", seconds)
                try:
                    hammer(warmup, args.clients)  # other queries: the cache starts cold
                    lat, errors, elapsed = hammer(urls, args.clients)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
                results[f"{vendor}, cache {seconds} s"] = (lat, errors, elapsed)
    finally:
        if pg_dir:
            subprocess.run([str(ROOT / ".ci" / "pg-server"), "stop", str(pg_dir)], check=False)
    print(
        f"\nmemorial search page, {args.n:,} published fallen, {args.clients} concurrent "
        f"clients, {args.requests} requests (70 % name, 20 % name + filter, 10 % listing), "
        f"{len(set(urls)):,} distinct URLs"
    )
    print(
        f"{'database':24} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'mean':>7} {'errors':>7}"
    )
    for label, (lat, errors, elapsed) in results.items():
        print(
            f"{label:24} {len(lat) / elapsed:7.1f} {pct(lat, 0.5):8.1f} {pct(lat, 0.95):8.1f} "
            f"{pct(lat, 0.99):8.1f} {statistics.fmean(lat):7.1f} {errors:7d}"
        )


if __name__ == "__main__":
    main()
