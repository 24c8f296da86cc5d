"""The statistics pages' charts on a national volume of claims: the figures the claim
indicators page draws (by state, filed per month, days from filing to the first decision) read
with GROUP BY in the database, against their peer, the decisions read one by one into Python
(what the page did before); then what the charts cost: building the specifications, the first
SVG rendering with vl-convert, and the same page again (SVG from the cache, by digest).

    PYTHONPATH=src .venv/bin/python bench/stats_charts.py [--n 100000] [--db URL]

Without --db a fresh SQLite file is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django_run import best_of, with_database  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000, help="claims")
    parser.add_argument("--db", default="", help="DATABASE_URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    return with_database(args.db, "vb-bench-charts-", lambda: run(args))


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.db.models import Min
    from django.utils import timezone, translation

    from vetbridge.accounts.models import User
    from vetbridge.core import charts
    from vetbridge.people.models import Person
    from vetbridge.reparation.models import Claim, ClaimState, Decision, RulesSnapshot
    from vetbridge.reparation.selectors import claims_stats, days_to_first_decision
    from vetbridge.reparation.stats_charts import claim_charts

    rng = random.Random(2026)
    today = timezone.localdate()
    now = timezone.now()
    t0 = time.perf_counter()
    people = Person.objects.bulk_create(
        [Person() for _ in range(max(1, args.n // 3))], batch_size=5000
    )
    states = ClaimState.values
    claims = Claim.objects.bulk_create(
        [
            Claim(
                person=rng.choice(people),
                kind="fr_pension",
                state=rng.choice(states),
                filed_at=today - dt.timedelta(days=rng.randint(0, 900)),
            )
            for _ in range(args.n)
        ],
        batch_size=5000,
    )
    snapshot = RulesSnapshot.objects.create(digest="b" * 32, country="fr", files={})
    decided = [
        c for c in claims if c.state in ("granted", "rejected", "appealed", "appeal_decided")
    ]
    Decision.objects.bulk_create(
        [
            Decision(
                claim=c,
                outcome="grant_definitive",
                computed_on=today,
                inputs={},
                result={},
                rules_version="b",
                snapshot=snapshot,
                decided_at=min(
                    now,
                    timezone.make_aware(
                        dt.datetime.combine(
                            c.filed_at + dt.timedelta(days=int(rng.lognormvariate(4, 0.6))),
                            dt.time(12),
                        )
                    ),
                ),
            )
            for c in decided
        ],
        batch_size=5000,
    )
    analyst = User.objects.create_user(username="bench-analyst", role="analyst")
    print(
        f"{connection.vendor}: {args.n} claims, {len(decided)} decided, "
        f"made in {time.perf_counter() - t0:.1f} s"
    )

    def in_python() -> list[int]:  # the peer: every first decision read into Python
        first = Decision.objects.values("claim_id", "claim__filed_at").annotate(
            first=Min("decided_at")
        )
        return [(timezone.localtime(r["first"]).date() - r["claim__filed_at"]).days for r in first]

    t_py, days_py = best_of(in_python, 3)
    t_db, pairs = best_of(days_to_first_decision, 3)
    assert sorted(days_py) == sorted(d for d, n in pairs for _ in range(n))  # type: ignore[union-attr]
    assert statistics.median(days_py) == charts.median_of(pairs)  # type: ignore[arg-type]
    print(
        f"days to first decision: GROUP BY {t_db * 1000:.0f} ms ({len(pairs)} rows back), "
        f"read one by one {t_py * 1000:.0f} ms ({len(days_py)} rows back); "
        f"ratio {t_py / t_db:.1f}x"
    )
    t_stats, stats = best_of(lambda: claims_stats(user=analyst), 3)
    print(f"claims_stats (state, 24 months, distribution): {t_stats * 1000:.0f} ms")
    for lang in ("uk", "fr"):
        with translation.override(lang):
            t_build, built = best_of(lambda: claim_charts(stats), 5)  # type: ignore[arg-type]
            start = time.perf_counter()
            for chart in built.values():  # type: ignore[union-attr]
                chart.svg()
            t_first = time.perf_counter() - start
            t_again, _ = best_of(lambda: [c.svg() for c in claim_charts(stats).values()], 5)  # type: ignore[arg-type]
        print(
            f"{lang}: 3 charts built in {t_build * 1000:.1f} ms, first SVG rendering "
            f"{t_first * 1000:.0f} ms, page again (build + SVG from the cache) "
            f"{t_again * 1000:.1f} ms; ratio {t_first / t_again:.0f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
