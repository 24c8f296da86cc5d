"""What one public memorial page costs (issue 13, point 6): CPU in the web process and
time in PostgreSQL per request, for each kind of anonymous memorial page and language.

Runs the real Django application in this process (production settings, the shared cache
of `VETBRIDGE_CACHE_URL`, the database cache by default) through Django's test client,
one request after another, so the costs are not mixed with a queue: for each page kind
(name search, name + period, listing by period, record page) and each language (uk, fr,
en), N random requests drawn like `bench/pages_at_scale.py` draws them. Per request it
prints:

- **web CPU**: the CPU time of this process (Python: middleware, ORM, templates, the
  client side of the database driver), `time.process_time()`;
- **PG CPU**: the CPU time of this connection's PostgreSQL server process, read from
  `/proc/<pg_backend_pid()>/stat` (the server runs on this machine);
- **queries** and the wall time spent in them (`connection.execute_wrapper`);
- wall time.

Every URL is requested twice: the first pass is what the random URLs of the load bench
cost (cold: no page of that URL cached yet; the navigation and other shared fragments are
warmed by a few requests before), the second what a repeated URL costs (warm).
`--no-cache` turns every memorial cache off (`VETBRIDGE_MEMORIAL_CACHE_SECONDS=0` and the
ranking cache) to measure the pages as computed. The machine's load average is printed:
the CPU figures do not depend on it, the wall times do.

The database must hold the published memorial: seed it with `bench/pages_at_scale.py`
(its seed phase, which this script runs with `--seed`: 1,000,000 people and 200,000
published fallen by default).

    DATABASE_URL=postgres://…/vb_x python bench/memorial_page_cost.py [--seed]
        [--requests 100] [--langs uk,fr,en] [--no-cache]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

KINDS = ("name search", "name + period", "listing by period", "record page")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def urls_for(plan: dict[str, Any], kind: str, n: int, rng: random.Random) -> list[str]:
    """`n` distinct URLs of a kind, drawn as pages_at_scale.py draws its memorial URLs."""
    out: set[str] = set()
    for _ in range(n * 20):
        if len(out) >= n:
            break
        if kind == "name search":
            url = "/memorial/?" + urllib.parse.urlencode(
                {"q": rng.choice(plan["memorial_queries"])}
            )
        elif kind == "name + period":
            url = "/memorial/?" + urllib.parse.urlencode(
                {
                    "q": rng.choice(plan["memorial_queries"]).split()[0],
                    "death_from": "2023-01-01",
                    "death_to": "2023-12-31",
                }
            )
        elif kind == "listing by period":
            start = rng.choice(["2022-06-01", "2023-01-01", "2024-01-01"])
            url = "/memorial/?" + urllib.parse.urlencode(
                {
                    "death_from": start,
                    "death_to": start[:4] + "-12-31",
                    "page": str(rng.randint(1, 30)),
                }
            )
        else:
            url = f"/memorial/{rng.choice(plan['records'])}/"
        out.add(url)
    return sorted(out, key=lambda _u: rng.random())


class Meter:
    """Queries and their wall time on the default connection."""

    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - t
            self.queries += 1


def measure(client: Any, urls: list[str], lang: str, backend_pid: int) -> dict[str, float]:
    from django.db import connection

    meter = Meter()
    statuses: dict[int, int] = {}
    walls: list[float] = []
    with connection.execute_wrapper(meter):
        cpu0, pg0, t0 = time.process_time(), _cpu_seconds(backend_pid), time.perf_counter()
        for url in urls:
            t = time.perf_counter()
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang, secure=True, follow=True)
            walls.append((time.perf_counter() - t) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        cpu1, pg1, t1 = time.process_time(), _cpu_seconds(backend_pid), time.perf_counter()
    n = len(urls)
    return {
        "n": n,
        "web_cpu_ms": (cpu1 - cpu0) * 1000 / n,
        "pg_cpu_ms": (pg1 - pg0) * 1000 / n,
        "queries": meter.queries / n,
        "query_ms": meter.seconds * 1000 / n,
        "wall_ms": (t1 - t0) * 1000 / n,
        "p95_wall_ms": sorted(walls)[min(n - 1, int(0.95 * n))],
        "errors": sum(v for k, v in statuses.items() if k != 200),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--seed", action="store_true", help="seed the database first")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--memorial", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=100, help="per page kind and language")
    parser.add_argument("--langs", default="uk,fr,en")
    parser.add_argument("--no-cache", action="store_true", help="every memorial cache off")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--plan", default=str(Path(tempfile.gettempdir()) / "vb-memorial-cost-plan.json")
    )
    args = parser.parse_args()
    if not args.db.startswith("postgres"):
        raise SystemExit("give a PostgreSQL database of your own: DATABASE_URL or --db")
    plan_path = Path(args.plan)
    if args.seed or not plan_path.exists():
        phase = "seed" if args.seed else "plan"
        subprocess.run(
            [
                sys.executable,
                str(HERE / "pages_at_scale.py"),
                "--phase",
                phase,
                "--db",
                args.db,
                "--n",
                str(args.people),
                "--memorial",
                str(args.memorial),
                "--claims",
                "1000",
                "--plan",
                str(plan_path),
            ],
            check=True,
        )
    plan = json.loads(plan_path.read_text(encoding="utf-8"))

    os.environ.update(
        {
            "DATABASE_URL": args.db,
            "DJANGO_SETTINGS_MODULE": "vetbridge.config.settings.production",
            "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "VETBRIDGE_MFA_REQUIRED": "false",
            "VETBRIDGE_PRIVATE_MEDIA": tempfile.mkdtemp(prefix="vb-memcost-"),
        }
    )
    if args.no_cache:
        os.environ["VETBRIDGE_MEMORIAL_SEARCH_CACHE_SECONDS"] = "0"
        os.environ["VETBRIDGE_MEMORIAL_CACHE_SECONDS"] = "0"
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from vetbridge.memorial.selectors import search_cache_bump

    search_cache_bump()  # a new generation: nothing of an earlier run is reused
    client = Client()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend_pid = cur.fetchone()[0]
    langs = [x.strip() for x in args.langs.split(",") if x.strip()]
    rng = random.Random(7)
    for lang in langs:  # connection, imports, the shared fragments of each language
        for url in ["/memorial/", f"/memorial/{plan['records'][0]}/"]:
            client.get(url, HTTP_ACCEPT_LANGUAGE=lang, secure=True, follow=True)
    rows = []
    for kind in KINDS:
        for lang in langs:
            urls = urls_for(plan, kind, args.requests, rng)
            cold = measure(client, urls, lang, backend_pid)
            warm = measure(client, urls, lang, backend_pid)
            rows.append((kind, lang, cold, warm))
    load = os.getloadavg()
    print(
        f"\nmemorial page cost: {plan['memorial']:,} published fallen, {plan['people']:,} "
        f"people; PostgreSQL; cache {cache.__class__.__name__}"
        f"{' (memorial caches off)' if args.no_cache else ''}; {args.requests} distinct URLs "
        f"per kind and language, each requested twice (cold, then warm); load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )
    head = f"{'page':18} {'lang':4} {'pass':5} {'web CPU':>8} {'PG CPU':>7} {'queries':>7} {'in SQL':>7} {'wall':>7} {'p95 wall':>8} {'errors':>6}"
    print(head)
    out = []
    for kind, lang, cold, warm in rows:
        for name, m in (("cold", cold), ("warm", warm)):
            print(
                f"{kind:18} {lang:4} {name:5} {m['web_cpu_ms']:6.1f}ms {m['pg_cpu_ms']:5.1f}ms "
                f"{m['queries']:7.1f} {m['query_ms']:5.1f}ms {m['wall_ms']:5.1f}ms "
                f"{m['p95_wall_ms']:6.1f}ms {int(m['errors']):6d}"
            )
            out.append({"page": kind, "lang": lang, "pass": name, **m})
    print("\nmean over the languages (ms per request: web CPU + PG CPU, queries)")
    for kind in KINDS:
        for name in ("cold", "warm"):
            ms = [o for o in out if o["page"] == kind and o["pass"] == name]
            web = statistics.fmean(o["web_cpu_ms"] for o in ms)
            pg = statistics.fmean(o["pg_cpu_ms"] for o in ms)
            q = statistics.fmean(o["queries"] for o in ms)
            print(f"{kind:18} {name:5} {web:6.1f} + {pg:5.1f} ms, {q:4.1f} queries")
    # the load bench's mix: 6 name searches, 1 name + period, 1 listing, 2 record pages
    mix = {"name search": 6, "name + period": 1, "listing by period": 1, "record page": 2}
    for name in ("cold", "warm"):
        total_web = total_pg = 0.0
        for kind, weight in mix.items():
            ms = [o for o in out if o["page"] == kind and o["pass"] == name]
            total_web += weight * statistics.fmean(o["web_cpu_ms"] for o in ms)
            total_pg += weight * statistics.fmean(o["pg_cpu_ms"] for o in ms)
        print(
            f"pages_at_scale mix, {name}: {total_web / 10:.1f} ms web + {total_pg / 10:.1f} ms "
            f"PostgreSQL per memorial request"
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"load": load, "no_cache": args.no_cache, "rows": out}, indent=1),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
