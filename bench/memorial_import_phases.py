"""Where the time of `vetbridge memorial import` goes: CPU and wall seconds of each call of
the import (reading the CSV, the registry's registration, the memorial's records and history
rows), the memorial's own row checks as the rest. The import runs in one process here
(`pipeline=False`), so that each phase is timed on its own; the import itself checks a large
list in a second process while it writes (`bench/import_scale.py --kind memorial` times that).

    DATABASE_URL=… .venv/bin/python bench/memorial_import_phases.py [--n 100000] [--src SRC]

The database in DATABASE_URL is migrated and filled: give a fresh one. `--src` runs another
version of the code (e.g. `git archive main src | tar -x -C /tmp/base` → `/tmp/base/src`)
on the same file, to compare the two one after the other."""

from __future__ import annotations

import argparse
import functools
import inspect
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--src", help="src directory of the code to time (default: ours)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, args.src or str(HERE.parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetbridge.config.settings.dev")
    os.environ.setdefault("VETBRIDGE_PRIVATE_MEDIA", tempfile.mkdtemp(prefix="vb-phases-"))
    from import_data import write_memorial

    path = Path(tempfile.mkdtemp(prefix="vb-phases-")) / "memorial.csv"
    write_memorial(path, args.n)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from vetbridge.memorial import services

    timings: list[tuple[str, float, float]] = []

    def timed(name: str, fn: Any) -> Any:
        if inspect.isgeneratorfunction(fn):  # the time spent producing each item, summed

            @functools.wraps(fn)
            def generator(*a: Any, **k: Any) -> Any:
                wall = cpu = 0.0
                it = fn(*a, **k)
                try:
                    while True:
                        t0, c0 = time.perf_counter(), time.process_time()
                        try:
                            item = next(it)
                        finally:
                            wall += time.perf_counter() - t0
                            cpu += time.process_time() - c0
                        yield item
                except StopIteration:
                    return
                finally:
                    timings.append((name, wall, cpu))

            return generator

        @functools.wraps(fn)
        def wrapper(*a: Any, **k: Any) -> Any:
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **k)
            finally:
                label = f"{name}:{a[0].__name__}" if name == "fast_insert" and a else name
                timings.append((label, time.perf_counter() - t0, time.process_time() - c0))

        return wrapper

    # older code read the file with csv_rows; ours checks the rows in iter_memorial_rows
    outer = (
        "csv_rows",
        "iter_memorial_rows",
        "reject_known_ids",
        "people_register_bulk",
        "_write_records",
    )
    for name in (*outer, "fast_insert"):
        if hasattr(services, name):
            setattr(services, name, timed(name, getattr(services, name)))
    data = path.read_bytes()
    t0, c0 = time.perf_counter(), time.process_time()
    options: dict[str, Any] = {"link": False, "max_bytes": 10**11}
    if "pipeline" in services.memorial_import.__code__.co_varnames:
        options["pipeline"] = False
    report = services.memorial_import(actor=None, data=data, **options)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    path.unlink()
    print(
        f"{connection.vendor} {'src=' + args.src if args.src else 'ours'}: "
        f"{report.imported:,} imported, wall {wall:.1f} s, cpu {cpu:.1f} s, load average "
        + " ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    for label, w, c in timings:
        print(f"  {label:36} wall {w:7.1f} s  cpu {c:6.1f} s")
    # fast_insert runs inside people_register_bulk and _write_records: not counted twice
    rest = cpu - sum(c for label, _w, c in timings if label in outer)
    if "_write_records" not in {label for label, _w, _c in timings}:  # older code
        rest -= sum(c for label, _w, c in timings if label.startswith("fast_insert:Memorial"))
    print(f"  {'the rest':36} {'':16} cpu {rest:6.1f} s")


if __name__ == "__main__":
    main()
