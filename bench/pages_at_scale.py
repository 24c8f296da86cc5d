"""Pages at national scale (issue 13, point 6): 1,000,000 people on PostgreSQL, served by
gunicorn, 20 concurrent clients.

Seeds the database given by `DATABASE_URL` (or `--db`) through the bulk import paths:
`people_import` of N people (default 1,000,000: names from the Zipf pools of names_data.py,
birth dates, 25 oblasts), `memorial_import` of M fallen (default 200,000) published by an
editorial decision, and C granted French pension claims with their frozen decision (COPY,
core/bulk.py) for people of the case worker's oblast (Lviv, UA-46). Then starts gunicorn
(production settings, `--workers W --threads T`, gthread; the second factor off for the
bench account), signs in once as that case worker (the 20 clients share the session), and
runs 20 client threads with keep-alive connections over:

- registry search `/people/?q=…`: a spelling variant of someone of the oblast (one in four
  with the birth year), as a case worker types it;
- the person file `/people/<id>/` of a random person of the oblast (an audited read);
- the claim page `/claims/<id>/` of a random claim;
- the public memorial `/memorial/?q=…` (anonymous: a name in some spelling, some with a
  place filter, some listings by period) and a record's page `/memorial/<id>/`.

Prints requests/s, p50/p95/p99 and errors per page, and the targets (p95 < 150 ms for the
staff pages, < 300 ms for the memorial). The machine's load average is printed with them:
the figures are only as good as the machine is quiet.

    DATABASE_URL=postgres://…/vb_scale python bench/pages_at_scale.py [--n 1000000]
        [--memorial 200000] [--claims 20000] [--requests 3000] [--clients 20]
        [--workers 3] [--threads 4] [--skip-seed]

The database is migrated and filled: give one of your own, empty (or `--skip-seed` to reuse
one this script filled).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
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

PORT = 8766
REGION = "UA-46"  # Lviv oblast
USERNAME, PASSWORD = "bench.caseworker", "bench-password-" + "x" * 12
TARGETS = {
    "search": 150.0,
    "person": 150.0,
    "claim": 150.0,
    "memorial search": 300.0,
    "memorial record": 300.0,
}


def seed(db_url: str, n: int, memorial_n: int, claims_n: int, plan_path: Path) -> None:
    """In its own process: migrate, import, claims; writes the URLs' ingredients."""
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "vetbridge.config.settings.dev"
    os.environ.setdefault("VETBRIDGE_PRIVATE_MEDIA", tempfile.mkdtemp(prefix="vb-pages-"))
    import django

    django.setup()
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from import_data import write_memorial, write_people
    from vetbridge.accounts.models import User
    from vetbridge.core.bulk import fast_insert, reserve_ids
    from vetbridge.core.models import Region
    from vetbridge.memorial.models import MemorialRecord
    from vetbridge.memorial.services import memorial_import
    from vetbridge.people.importer import people_import
    from vetbridge.people.models import Person
    from vetbridge.reparation.models import Claim, Decision, RulesSnapshot
    from vetbridge.rules.parameters import Parameters

    call_command("migrate", verbosity=0)
    work = Path(tempfile.mkdtemp(prefix="vb-pages-csv-"))
    t0 = time.perf_counter()
    write_people(work / "people.csv", n)
    report = people_import(
        actor=None,
        data=(work / "people.csv").read_bytes(),
        source="bench-people.csv",
        link=False,
        max_bytes=sys.maxsize,
    )
    print(
        f"  imported {report.imported:,} people in {time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )
    t0 = time.perf_counter()
    write_memorial(work / "memorial.csv", memorial_n)
    mreport = memorial_import(
        actor=None,
        data=(work / "memorial.csv").read_bytes(),
        source="bench-memorial.csv",
        link=False,
        max_bytes=sys.maxsize,
    )
    MemorialRecord.objects.update(
        published=True,
        publication_basis="editorial",
        publication_note="bench",
        published_at=timezone.now(),
    )
    print(
        f"  imported and published {mreport.imported:,} fallen in {time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )

    region = Region.objects.get(code=REGION)
    worker = User.objects.filter(username=USERNAME).first() or User.objects.create_user(
        username=USERNAME, password=PASSWORD, role="case_worker", region=region
    )
    rng = random.Random(11)
    in_region = list(
        Person.objects.filter(region=region, lifecycle="alive")
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    chosen = rng.sample(in_region, min(claims_n, len(in_region)))
    params = Parameters.load("fr")
    snap, _c = RulesSnapshot.objects.get_or_create(
        digest=params.digest, defaults={"country": "fr", "files": params.files}
    )
    now = timezone.now()
    t0 = time.perf_counter()
    with transaction.atomic():
        ids = reserve_ids(Claim, len(chosen))
        fast_insert(
            Claim,
            ["id", "person_id", "kind", "state", "filed_at", "filed_by_id"],
            (
                (cid, pid, "fr_pension", "granted", dt.date(2024, 3, 1), worker.pk)
                for cid, pid in zip(ids, chosen, strict=True)
            ),
        )
        fast_insert(
            Decision,
            [
                "claim_id",
                "outcome",
                "computed_on",
                "inputs",
                "result",
                "rules_version",
                "snapshot_id",
                "valid_until",
                "amount",
                "decided_at",
            ],
            (
                (
                    cid,
                    "grant_temporary",
                    dt.date(2024, 4, 2),
                    {
                        "date": "2024-03-01",
                        "infirmities": [
                            {
                                "label": "#1",
                                "rate": str(rng.choice([30, 40, 60, 80])),
                                "cause": "injury",
                                "context": "war",
                                "addition": "chain",
                            }
                        ],
                    },
                    {},
                    "bench",
                    snap.pk,
                    dt.date(2027, 4, 1),
                    Decimal("3000.00"),
                    now,
                )
                for cid in ids
            ),
        )
    print(
        f"  {len(ids):,} claims with their decision in {time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE")
    make_plan(plan_path)


def make_plan(plan_path: Path) -> None:
    """The URLs' ingredients, drawn from the data: people and claims of the oblast,
    spelling variants of their names, published records with their canonical address."""
    from names_data import variants
    from vetbridge.core.models import Region
    from vetbridge.memorial.models import MemorialRecord
    from vetbridge.memorial.selectors import slug_of
    from vetbridge.people.models import Person, PersonName
    from vetbridge.reparation.models import Claim

    rng = random.Random(12)
    region = Region.objects.get(code=REGION)
    in_region = list(
        Person.objects.filter(region=region, lifecycle="alive")
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    ids = list(Claim.objects.filter(person__region=region).values_list("pk", flat=True))
    # Search queries: spelling variants of people of the oblast, some with the birth year.
    sample = rng.sample(in_region, min(3000, len(in_region)))
    names = {
        pid: (s, g, p)
        for pid, s, g, p in PersonName.objects.filter(
            person_id__in=sample, is_preferred=True
        ).values_list("person_id", "surname", "given_name", "patronymic")
    }
    born = dict(Person.objects.filter(pk__in=sample).values_list("pk", "birth_date"))
    searches = []
    for pid in sample:
        if pid not in names:
            continue
        s, g, p = names[pid]
        spelling = rng.choice(variants(s, g, p, rng))[1]
        year = born.get(pid).year if born.get(pid) and rng.random() < 0.25 else None
        searches.append({"q": spelling, **({"born": str(year)} if year else {})})
    picked = rng.sample(
        list(MemorialRecord.objects.values_list("pk", flat=True)),
        min(2000, MemorialRecord.objects.count()),
    )
    fallen = [
        f"{rec.pk}/{slug_of(rec)}"
        for rec in MemorialRecord.objects.filter(pk__in=picked)
        .select_related("person")
        .prefetch_related("person__names")
    ]
    fallen_names = list(
        PersonName.objects.filter(person__memorial__isnull=False, is_preferred=True).values_list(
            "surname", "given_name"
        )[:5000]
    )
    plan = {
        "persons": rng.sample(in_region, min(5000, len(in_region))),
        "claims": ids,
        "searches": searches,
        "records": fallen,
        "memorial_queries": [f"{s} {g}" for s, g in fallen_names],
        "people": Person.objects.count(),
        "in_region": len(in_region),
        "memorial": MemorialRecord.objects.filter(published=True).count(),
    }
    plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")


def serve(db_url: str, media: Path, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "vetbridge.config.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "VETBRIDGE_PRIVATE_MEDIA": str(media),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "VETBRIDGE_MFA_REQUIRED": "false",
        "PYTHONPATH": str(ROOT / "src"),
        # connections kept for the whole run, so their CPU time is counted (cpu_used)
        "VETBRIDGE_DB_CONN_MAX_AGE": "3600",
    }
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "vetbridge.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


HEADERS = {"Accept-Language": "uk", "X-Forwarded-Proto": "https"}


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]


def login() -> str:
    """Sign in as the case worker; returns the Cookie header the clients share."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", "/login/", headers=HEADERS)
    response = conn.getresponse()
    body = response.read().decode()
    jar: dict[str, str] = {}
    _cookies(response, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if token is None:
        raise SystemExit("no CSRF token on the sign-in page")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": USERNAME, "password": PASSWORD}
    )
    origin = f"https://127.0.0.1:{PORT}"
    conn.request(
        "POST",
        "/login/",
        body=form,
        headers={
            **HEADERS,
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": origin + "/login/",
            "Origin": origin,
        },
    )
    response = conn.getresponse()
    response.read()
    _cookies(response, jar)
    if response.status != 302 or "sessionid" not in jar:
        raise SystemExit(f"sign-in failed ({response.status})")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def hammer(
    urls: list[tuple[str, str]],
    clients: int,
    cookie: str,
) -> tuple[dict[str, list[float]], dict[str, int], float]:
    """Run the (page, url) list with `clients` threads; latencies in ms per page."""
    latencies: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    work = iter(urls)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        while True:
            with lock:
                item = next(work, None)
            if item is None:
                return
            page, url = item
            headers = dict(HEADERS)
            if not page.startswith("memorial"):
                headers["Cookie"] = cookie
            t = time.perf_counter()
            try:
                conn.request("GET", url, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            ms = (time.perf_counter() - t) * 1000
            with lock:
                latencies.setdefault(page, []).append(ms)
                errors[page] = errors.get(page, 0) + (0 if ok else 1)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies, errors, time.perf_counter() - t0


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_used(server: subprocess.Popen[bytes], db_url: str) -> tuple[float, float]:
    """CPU seconds so far of the gunicorn workers and of the database's server processes
    for this database (on this machine): what the pages cost whatever the machine's load."""
    import psycopg

    kids = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    workers = [int(x) for x in kids.read_text().split()] if kids.exists() else []
    with psycopg.connect(db_url) as conn:
        pids = [
            r[0]
            for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
        ]
    return sum(map(_cpu_seconds, workers)), sum(map(_cpu_seconds, pids))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def build_urls(plan: dict, requests: int, rng: random.Random) -> list[tuple[str, str]]:
    staff: list[tuple[str, str]] = []
    public: list[tuple[str, str]] = []
    for i in range(requests):
        kind = i % 3
        if kind == 0:
            staff.append(
                ("search", "/people/?" + urllib.parse.urlencode(rng.choice(plan["searches"])))
            )
        elif kind == 1:
            staff.append(("person", f"/people/{rng.choice(plan['persons'])}/"))
        else:
            staff.append(("claim", f"/claims/{rng.choice(plan['claims'])}/"))
        kind = i % 10
        if kind < 6:
            public.append(
                (
                    "memorial search",
                    "/memorial/?"
                    + urllib.parse.urlencode({"q": rng.choice(plan["memorial_queries"])}),
                )
            )
        elif kind < 7:
            public.append(
                (
                    "memorial search",
                    "/memorial/?"
                    + urllib.parse.urlencode(
                        {
                            "q": rng.choice(plan["memorial_queries"]).split()[0],
                            "death_from": "2023-01-01",
                            "death_to": "2023-12-31",
                        }
                    ),
                )
            )
        elif kind < 8:
            public.append(
                (
                    "memorial search",
                    "/memorial/?"
                    + urllib.parse.urlencode(
                        {
                            "death_from": "2022-06-01",
                            "death_to": "2022-12-31",
                            "page": str(rng.randint(1, 30)),
                        }
                    ),
                )
            )
        else:
            public.append(("memorial record", f"/memorial/{rng.choice(plan['records'])}/"))
    return staff + public


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--memorial", type=int, default=200_000)
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=3000, help="per group (staff, public)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--plan", default=str(Path(tempfile.gettempdir()) / "vb-pages-plan.json"))
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.db.startswith("postgres"):
        raise SystemExit("give a PostgreSQL database of your own: DATABASE_URL or --db")
    plan_path = Path(args.plan)
    if args.phase == "seed":
        seed(args.db, args.n, args.memorial, args.claims, plan_path)
        return
    if args.phase == "plan":
        os.environ["DATABASE_URL"] = args.db
        os.environ["DJANGO_SETTINGS_MODULE"] = "vetbridge.config.settings.dev"
        import django

        django.setup()
        make_plan(plan_path)
        return
    if args.skip_seed and not plan_path.exists():
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--phase",
                "plan",
                "--db",
                args.db,
                "--plan",
                str(plan_path),
            ],
            check=True,
        )
    if not args.skip_seed:
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--phase",
                "seed",
                "--db",
                args.db,
                "--n",
                str(args.n),
                "--memorial",
                str(args.memorial),
                "--claims",
                str(args.claims),
                "--plan",
                str(plan_path),
            ],
            check=True,
        )
        print(f"seeded in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    urls = build_urls(plan, args.requests, random.Random(5))
    warm = build_urls(plan, 200, random.Random(6))
    staff = [u for u in urls if not u[0].startswith("memorial")]
    public = [u for u in urls if u[0].startswith("memorial")]
    media = Path(tempfile.mkdtemp(prefix="vb-pages-media-"))
    server = serve(args.db, media, args.workers, args.threads)
    results: dict[str, tuple[list[float], int, float]] = {}
    loads, costs = [], []
    try:
        cookie = login()
        hammer(warm, args.clients, cookie)  # other URLs: connections, imports, plans
        for name, group in (("staff pages", staff), ("public memorial", public)):
            app0, db0 = cpu_used(server, args.db)
            lat, errs, elapsed = hammer(group, args.clients, cookie)
            app1, db1 = cpu_used(server, args.db)
            loads.append(os.getloadavg()[0])
            costs.append(
                (
                    name,
                    len(group),
                    (app1 - app0) * 1000 / len(group),
                    (db1 - db0) * 1000 / len(group),
                )
            )
            for page, values in lat.items():
                # a page's req/s: its share of the group's throughput
                results[page] = (values, errs.get(page, 0), len(values) / elapsed)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"\npages at scale: {plan['people']:,} people ({plan['in_region']:,} alive in the "
        f"case worker's oblast), {len(plan['claims']):,} claims, {plan['memorial']:,} "
        f"published fallen; PostgreSQL; gunicorn {args.workers} workers x {args.threads} "
        f"threads (gthread); {args.clients} concurrent clients; load average after each "
        f"group {', '.join(f'{x:.1f}' for x in loads)} on {os.cpu_count()} cores"
    )
    print(
        f"{'page':18} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'mean':>7} {'errors':>6}  target p95"
    )
    for page, (values, errors, rate) in results.items():
        p95 = pct(values, 0.95)
        target = TARGETS[page]
        print(
            f"{page:18} {len(values):8d} {rate:7.1f} {pct(values, 0.5):8.1f} {p95:8.1f} "
            f"{pct(values, 0.99):8.1f} {statistics.fmean(values):7.1f} {errors:6d}  "
            f"< {target:.0f} ms {'met' if p95 < target else 'MISSED'}"
        )
    print(
        "\nCPU per request (whatever the machine's load): the web workers, and PostgreSQL's "
        "server processes for this database (those alive at the end of the group)"
    )
    cores = os.cpu_count() or 1
    for name, n, app_ms, db_ms in costs:
        print(
            f"{name:18} {n:6d} requests: web {app_ms:6.1f} ms + database {db_ms:6.1f} ms "
            f"→ at most {cores * 1000 / max(app_ms + db_ms, 0.001):6.1f} req/s on "
            f"{cores} idle cores"
        )


if __name__ == "__main__":
    main()
