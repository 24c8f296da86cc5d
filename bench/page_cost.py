"""CPU cost of one staff page (issue 13, point 6): what each request costs, not how long a
queue of clients waits for it.

In one process, with the production settings (cached templates, DEBUG off, the whole
middleware chain), signs in as the case worker of `pages_at_scale.py` and requests, through
a WSGI call (Django's test client), each page N times:

- the middleware floor: an authenticated view that renders nothing (`/_floor/`, added by
  this script beside the project's URLs);
- the base template floor: the same view rendering `base.html` with an empty content
  block (navigation, language switch, footer);
- registry search `/people/?q=…`, the person file `/people/<id>/` (an audited read) and the
  claim page `/claims/<id>/`, with the ingredients of `pages_at_scale.py`'s plan.

Prints per page: CPU ms per request in this process (Python: Django, templates, the
driver), the PostgreSQL backend's CPU ms per request (from /proc, the server runs on this
machine), the queries per request and their wall time. CPU time does not depend on the
machine's load; the load average is printed beside it anyway.

    DATABASE_URL=postgres://…/vb_x python bench/page_cost.py [--n 200] [--plan PATH]
        [--profile person]

The database is one filled by `pages_at_scale.py` (for the CPU a small registry is enough:
`pages_at_scale.py --phase seed --n 60000 --memorial 5000 --claims 3000 --plan PATH`);
`--plan` is the plan that run wrote (made again from the database when missing).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import types
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
# After PYTHONPATH: another checkout's src given there is measured with this same harness.
sys.path.append(str(ROOT / "src"))

USERNAME = "bench.caseworker"


def _backend_cpu_ms(pid: int) -> float:
    """CPU ms so far of a PostgreSQL server process of this machine (0 when unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _setup(db_url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": db_url,
            "DJANGO_SETTINGS_MODULE": "vetbridge.config.settings.production",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "VETBRIDGE_MFA_REQUIRED": "false",
            "VETBRIDGE_DB_CONN_MAX_AGE": "3600",
        }
    )
    os.environ.setdefault("VETBRIDGE_PRIVATE_MEDIA", tempfile.mkdtemp(prefix="vb-cost-"))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.http import HttpRequest, HttpResponse
    from django.shortcuts import render
    from django.urls import path

    @login_required
    def floor(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    @login_required
    def floor_base(request: HttpRequest) -> HttpResponse:
        return render(request, "base.html", {})

    urls = types.ModuleType("page_cost_urls")
    project = __import__(settings.ROOT_URLCONF, fromlist=["urlpatterns"])
    urls.urlpatterns = [  # type: ignore[attr-defined]
        path("_floor/", floor),
        path("_floor/base/", floor_base),
        *project.urlpatterns,
    ]
    sys.modules["page_cost_urls"] = urls
    settings.ROOT_URLCONF = "page_cost_urls"


class QueryMeter:
    """Counts the queries of the default connection and their wall time."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


def measure(client: Any, urls: list[str], profile: bool = False) -> dict[str, float]:
    from django.db import connection

    meter = QueryMeter()
    for url in urls[:5]:  # warm: templates compiled, translations loaded, plans cached
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    profiler = cProfile.Profile(time.process_time) if profile else None
    db0 = _backend_cpu_ms(backend)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    walls = []
    with connection.execute_wrapper(meter):
        if profiler:
            profiler.enable()
        for url in urls:
            t = time.perf_counter()
            response = client.get(url)
            walls.append(time.perf_counter() - t)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
        if profiler:
            profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    n = len(urls)
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    return {
        "cpu": cpu * 1000 / n,
        "db_cpu": (_backend_cpu_ms(backend) - db0) / n,
        "wall": wall * 1000 / n,
        "p50": statistics.median(walls) * 1000,
        "queries": meter.count / n,
        "query_ms": meter.seconds * 1000 / n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--n", type=int, default=200, help="requests per page")
    parser.add_argument("--plan", default=str(Path(tempfile.gettempdir()) / "vb-pages-plan.json"))
    parser.add_argument("--profile", help="cProfile one page: floor, base, search, person, claim")
    parser.add_argument("--sql", help="print the queries of one request of a page")
    parser.add_argument("--lang", default="uk")
    args = parser.parse_args()
    if not args.db.startswith("postgres"):
        raise SystemExit("give a PostgreSQL database filled by pages_at_scale.py: --db")
    _setup(args.db)
    plan_path = Path(args.plan)
    if not plan_path.exists():
        from pages_at_scale import make_plan

        make_plan(plan_path)
    plan = json.loads(plan_path.read_text(encoding="utf-8"))

    from django.test import Client

    from vetbridge.accounts.models import User

    user = User.objects.get(username=USERNAME)
    client = Client(HTTP_ACCEPT_LANGUAGE=args.lang, HTTP_X_FORWARDED_PROTO="https", secure=True)
    client.force_login(user)
    rng = random.Random(7)
    n = args.n
    pages = {
        "floor": ["/_floor/"] * n,
        "base": ["/_floor/base/"] * n,
        "search": [
            "/people/?" + urllib.parse.urlencode(rng.choice(plan["searches"])) for _ in range(n)
        ],
        "person": [f"/people/{rng.choice(plan['persons'])}/" for _ in range(n)],
        "claim": [f"/claims/{rng.choice(plan['claims'])}/" for _ in range(n)],
    }
    if args.profile:
        measure(client, pages[args.profile], profile=True)
        return
    if args.sql:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(pages[args.sql][0])
        with CaptureQueriesContext(connection) as captured:
            client.get(pages[args.sql][1])
        for q in captured.captured_queries:
            print(f"{q['time']:>6} {q['sql'][:400]}")
        return
    load = os.getloadavg()
    print(
        f"page cost: {plan['people']:,} people, {n} requests a page, language {args.lang}, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )
    print(
        f"{'page':8} {'cpu ms':>7} {'pg cpu':>7} {'total':>7} {'wall ms':>8} {'p50 ms':>7} "
        f"{'queries':>8} {'query ms':>9}"
    )
    for name, urls in pages.items():
        r = measure(client, urls)
        print(
            f"{name:8} {r['cpu']:7.2f} {r['db_cpu']:7.2f} {r['cpu'] + r['db_cpu']:7.2f} "
            f"{r['wall']:8.2f} {r['p50']:7.2f} {r['queries']:8.1f} {r['query_ms']:9.2f}"
        )
    print(
        "cpu: this process (Django, templates, driver); pg cpu: its PostgreSQL backend; "
        "floor: authenticated view rendering nothing; base: base.html with no content"
    )


if __name__ == "__main__":
    main()
