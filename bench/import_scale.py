"""Import at national scale: `vetbridge people import` of 1,000,000 rows on SQLite and on
PostgreSQL (name index, statuses and the one audit entry included), against the peer:
PostgreSQL `COPY` of the same raw rows into a bare table (no checks, no index), same run.

    .venv/bin/python bench/import_scale.py [--n 1000000] [--pg URL|none|auto] [--link]
        [--kind people|memorial|both] [--baseline SRC]

`--pg auto` starts a throwaway PostgreSQL with .ci/pg-server; a URL uses yours (the database
is dropped and created again: give one of your own). `--link` also times the batch linkage
job after the import. `--kind memorial` times `vetbridge memorial import` of a list of the
fallen instead (`both`: one after the other). `--baseline SRC` also runs another version of
the code (e.g. `git archive main src | tar -x -C /tmp/base` → `/tmp/base/src`) on the same
file, each database's baseline right before ours, so both see the same machine. Prints
seconds and rows per second per phase, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

TARGET_S = 60.0


def phase(
    db_url: str, csv_path: Path, link: bool, kind: str = "people", src: str | None = None
) -> dict:
    """In its own process: migrate, import (timed), optionally link, and the COPY peer."""
    if src:
        sys.path.insert(0, src)
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "vetbridge.config.settings.dev"
    os.environ.setdefault("VETBRIDGE_PRIVATE_MEDIA", tempfile.mkdtemp(prefix="vb-import-"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from vetbridge.people.importer import people_import
    from vetbridge.people.models import NameToken, Person

    if kind == "memorial":
        from vetbridge.memorial.services import memorial_import as people_import

    call_command("migrate", verbosity=0)
    data = csv_path.read_bytes()
    import vetbridge

    out: dict = {
        "vendor": connection.vendor,
        "kind": kind,
        "code": "baseline" if src else "ours",
        "src": vetbridge.__file__,
    }
    marks: list[tuple[str, float]] = []
    # Where the time goes: the index rebuild (after the last chunk), and on PostgreSQL the
    # CPU of the server process serving this connection (/proc/<pid>/stat, same machine).
    from contextlib import contextmanager

    from vetbridge.people import registration

    real_deferred = registration.indexes_deferred

    @contextmanager
    def timed_deferred(models):  # type: ignore[no-untyped-def]
        with real_deferred(models):
            yield
            marks.append(("rebuild_start", time.perf_counter()))
        marks.append(("rebuild_end", time.perf_counter()))

    registration.indexes_deferred = timed_deferred
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            backend = cur.fetchone()[0]
    server0 = _proc_cpu(backend)
    t0 = time.perf_counter()
    c0 = time.process_time()
    children0 = os.times()
    report = people_import(
        actor=None,
        data=data,
        source=csv_path.name,
        link=False,
        max_bytes=sys.maxsize,
        progress=lambda n: marks.append(("chunk", time.perf_counter())),
    )
    out["import_s"] = time.perf_counter() - t0
    out["import_cpu_s"] = time.process_time() - c0  # this process only (not the server's)
    children1 = os.times()  # the checking process of the pipeline, once it has ended
    out["checks_cpu_s"] = (children1.children_user + children1.children_system) - (
        children0.children_user + children0.children_system
    )
    if backend is not None:
        out["server_cpu_s"] = _proc_cpu(backend) - server0
    got = dict(marks)
    if "rebuild_start" in got:
        out["rebuild_s"] = got["rebuild_end"] - got["rebuild_start"]
        out["after_rebuild_s"] = t0 + out["import_s"] - got["rebuild_end"]
    out["load_avg"] = os.getloadavg()
    out["first_write_s"] = (marks[0][1] - t0) if marks else None  # parse + first chunk
    out["imported"] = report.imported
    out["rejected"] = len(report.rejected)
    out["tokens"] = NameToken.objects.count()
    out["people"] = Person.objects.count()
    print(
        f"  [{connection.vendor}] imported {report.imported:,} in {out['import_s']:.1f} s",
        file=sys.stderr,
    )
    if link:
        from vetbridge.people.linkage import scan_duplicates

        t0 = time.perf_counter()
        c0 = time.process_time()
        result = scan_duplicates()
        out["link_s"] = time.perf_counter() - t0
        out["link_cpu_s"] = time.process_time() - c0
        out["link_pairs"] = result.compared
        out["link_queued"] = result.queued
    if connection.vendor == "postgresql" and not src:
        import csv as csvmod
        import io

        rows = list(csvmod.reader(io.StringIO(data.decode("utf-8"))))
        header, rows = rows[0], rows[1:]
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_raw")
            # one text column per column of the file (the header is the bench's own)
            cur.execute(f"CREATE TABLE bench_raw ({', '.join(f'{h} text' for h in header)})")
            t0 = time.perf_counter()
            with cur.cursor.copy("COPY bench_raw FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            connection.commit() if not connection.get_autocommit() else None
            out["peer_copy_s"] = time.perf_counter() - t0
            cur.execute("DROP TABLE bench_raw")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--pg", default="none", help="auto, none, or a postgres:// URL")
    parser.add_argument("--link", action="store_true", help="time the linkage job too")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--kind", default="people", choices=["people", "memorial", "both"])
    parser.add_argument("--baseline", help="src directory of the code to compare with")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--src", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(
            "RESULT "
            + json.dumps(phase(args.phase, Path(args.csv), args.link, args.kind, args.src))
        )
        return

    from import_data import write_memorial, write_people

    work = Path(tempfile.mkdtemp(prefix="vetbridge-import-scale-"))
    kinds = ["people", "memorial"] if args.kind == "both" else [args.kind]
    files = {}
    for kind in kinds:
        files[kind] = work / f"{kind}.csv"
        t0 = time.perf_counter()
        (write_people if kind == "people" else write_memorial)(files[kind], args.n)
        print(
            f"generated {args.n:,} {kind} rows ({files[kind].stat().st_size / 2**20:.0f} MB)"
            f" in {time.perf_counter() - t0:.0f} s",
            file=sys.stderr,
        )
    codes = [args.baseline, None] if args.baseline else [None]

    def run_phase(url: str, kind: str, src: str | None) -> dict:
        if url.startswith("sqlite"):
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        else:
            recreate(url)
        cmd = [sys.executable, __file__, "--phase", url, "--csv", str(files[kind]), "--kind", kind]
        if src:
            cmd += ["--src", src]
        if args.link:
            cmd.append("--link")
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
        line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
        return json.loads(line[len("RESULT ") :])

    results = []
    if not args.skip_sqlite:
        for kind in kinds:
            for src in codes:
                results.append(run_phase(f"sqlite:///{work / 'bench.sqlite3'}", kind, src))
    pg_dir = None
    pg_url = None if args.pg == "none" else args.pg
    if args.pg == "auto":
        pg_dir = Path(tempfile.mkdtemp(prefix="vetbridge-bench-pg-"))
        pg_url = subprocess.run(
            [
                str(ROOT / ".ci" / "pg-server"),
                "start",
                str(pg_dir),
                "54338",
                "shared_buffers=2GB",
                "jit=off",
            ],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        ).stdout.strip()
    try:
        if pg_url:
            for kind in kinds:
                for src in codes:
                    results.append(run_phase(pg_url, kind, src))
    finally:
        if pg_dir:
            subprocess.run([str(ROOT / ".ci" / "pg-server"), "stop", str(pg_dir)], check=False)

    print(
        f"\n== import of {args.n:,} people (checks, persons, spellings, statuses, name "
        f"index, one audit entry; linkage not included)"
    )
    print(
        "(wall = elapsed; cpu = this Python process, which tells the code's cost on a "
        "shared machine)"
    )
    print(
        f"{'database':12} {'kind':9} {'code':9} {'wall s':>8} {'cpu s':>8} {'rows/s':>10} "
        f"{'tokens':>10}  target < {TARGET_S:.0f} s"
    )
    before: dict[tuple[str, str], dict] = {}
    for res in results:
        verdict = (
            "met"
            if res["import_s"] < TARGET_S
            else f"MISSED by {res['import_s'] - TARGET_S:.0f} s (wall)"
        )
        print(
            f"{res['vendor']:12} {res['kind']:9} {res['code']:9} {res['import_s']:8.1f} "
            f"{res['import_cpu_s']:8.1f} {res['imported'] / res['import_s']:10,.0f} "
            f"{res['tokens']:10,}  {verdict}"
        )
        key = (res["vendor"], res["kind"])
        if res["code"] == "baseline":
            before[key] = res
        elif key in before:
            base = before[key]
            print(
                f"{'':12} speed-up over the baseline: wall "
                f"{base['import_s'] / res['import_s']:.2f}x, cpu "
                f"{base['import_cpu_s'] / res['import_cpu_s']:.2f}x"
            )
        print(
            f"{'':12} cpu of the checking process {res.get('checks_cpu_s', 0):.1f} s"
            + (f", server process cpu {res['server_cpu_s']:.1f} s" if "server_cpu_s" in res else "")
            + (
                f", index rebuild {res['rebuild_s']:.1f} s, then commit {res['after_rebuild_s']:.1f} s"
                if "rebuild_s" in res
                else ""
            )
            + f"; load average {' '.join(f'{x:.1f}' for x in res['load_avg'])}"
        )
        if "link_s" in res:
            print(
                f"{'':12} linkage job: {res['link_s']:.1f} s wall, {res['link_cpu_s']:.1f} s "
                f"cpu, {res['link_pairs']:,} pairs compared, {res['link_queued']:,} queued"
            )
        if "peer_copy_s" in res:
            print(
                f"{'':12} peer: COPY of the raw rows into a bare table {res['peer_copy_s']:.1f} s"
                f" → ours is {res['import_s'] / res['peer_copy_s']:.1f}x the peer's time"
            )
    for path in files.values():
        path.unlink(missing_ok=True)


def _proc_cpu(pid: int | None) -> float:
    """User + system CPU seconds of a process of this machine (0 when unknown)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def recreate(url: str) -> None:
    """Drop and create the benchmark database named in `url` (connected through `postgres`)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
