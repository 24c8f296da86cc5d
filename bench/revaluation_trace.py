"""Where a revaluation's time goes, statement by statement, on a database already seeded by
`bench/revaluation.py` (issue 13, point 5): wall time, this process's CPU and the PostgreSQL
server process's CPU (from /proc, when the server runs on this machine) for each step of the
bulk path (`reparation/revaluation_bulk.py`), then the deferred foreign-key checks alone
(`SET CONSTRAINTS ALL IMMEDIATE`), then everything is rolled back: the database is left as it
was, so the trace can be run again (on a busy shared machine the CPU columns are the figures
to compare; the wall column is mostly the queue for a core).

Usage: python bench/revaluation_trace.py postgres://…/vb_bench [--on 2026-01-01]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


class Rolledback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", help="postgres:// URL of a database seeded by bench/revaluation.py")
    parser.add_argument("--on", default="2026-01-01", help="date of the traced revaluation")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetbridge.config.settings.test")
    import django

    django.setup()
    import json
    from decimal import Decimal

    import numpy as np
    from django.db import connection, transaction
    from django.utils import timezone

    from vetbridge.reparation import revaluation_bulk as bulk
    from vetbridge.reparation.kinds import kinds_where
    from vetbridge.reparation.revaluation import PAYING_OUTCOMES, _compute, _Pension, parse_date
    from vetbridge.rules.inputs import in_force
    from vetbridge.rules.parameters import default_set

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cur.fetchone()[0]}/stat")

    def server_cpu() -> float:
        if not stat.exists():
            return float("nan")
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def own_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    totals = [0.0, 0.0, 0.0]

    def step(name: str, fn: Callable[..., Any], *a: Any) -> Any:
        wall, own, server = time.perf_counter(), own_cpu(), server_cpu()
        out = fn(*a)
        row = (time.perf_counter() - wall, own_cpu() - own, server_cpu() - server)
        totals[:] = [t + x for t, x in zip(totals, row, strict=True)]
        print(f"{name:44s} wall {row[0]:7.2f} s  ours {row[1]:6.2f} s  server {row[2]:6.2f} s")
        return out

    def sql(statement: str, params: dict[str, Any]) -> None:
        with connection.cursor() as cur:
            cur.execute(statement, params)

    print(f"load average before: {os.getloadavg()}")
    date = parse_date(args.on)
    params = default_set("fr")
    point_value = Decimal(in_force(params, "fr.point_value", date, field="date"))
    try:
        with transaction.atomic():
            select = {
                "on": date,
                "outcomes": list(PAYING_OUTCOMES),
                "kinds": list(kinds_where(revaluable=True)),
            }
            for statement in bulk.SELECT_TODO.split(";\n"):
                if statement.strip():
                    step("read: " + " ".join(statement.split()[:4])[:38], sql, statement, select)
            cols = step("read: COPY out of the plain cases + polars", bulk.plain_arrays)
            others = step("read: the other cases", bulk.other_cases)
            ords, points, cents = step(
                "compute: batch kernel", bulk.compute_plain, cols, date, params
            )
            texts = step("compute: points as text", bulk.points_text, points)
            if others:
                pensions = [
                    _Pension(d, c, json.loads(inputs) or {}, Decimal(0), state)
                    for _o, d, c, state, inputs in others
                ]
                computed, _n = step(
                    "compute: other cases (row path)", _compute, pensions, date, params
                )
                ords = np.concatenate([ords, np.asarray([o for o, *_r in others], dtype=np.int64)])
                texts += [str(pts) for pts, _a in computed]
                cents = np.concatenate(
                    [cents, np.asarray([int(a * 100) for _p, a in computed], dtype=np.int64)]
                )
            step("write: COPY the new amounts back", bulk.store_new, ords, texts, cents)
            step("write: totals", bulk.totals)
            write = {
                "on": date,
                "day": date.isoformat(),
                "point_value": point_value,
                "digest": params.digest,
                "rules_version": "trace",
                "now": timezone.now(),
                "actor": None,
            }
            for statement in bulk.WRITE.split(";\n"):
                if statement.strip():
                    step("write: " + " ".join(statement.split()[:3])[:37], sql, statement, write)
            step("write: deferred foreign-key checks", sql, "SET CONSTRAINTS ALL IMMEDIATE", {})
            raise Rolledback
    except Rolledback:
        pass
    print(
        f"{'total (rolled back, commit not included)':44s} wall {totals[0]:7.2f} s  "
        f"ours {totals[1]:6.2f} s  server {totals[2]:6.2f} s"
    )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
