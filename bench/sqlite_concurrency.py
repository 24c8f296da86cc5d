"""SQLite under concurrency: overlapping audited reads and same-version writes.

Runs tests/core/concurrency_probe.py (threads through the real Django stack, API tokens,
a real SQLite file in WAL mode) several rounds with the platform's settings (transactions
BEGIN IMMEDIATE, busy timeout) and, in the same run, with the peer at its best: the same
WAL database and busy timeout but Django's default DEFERRED transactions (the previous
configuration). Prints, for each: requests, server errors (500), reads answered 200, writes
that won, writes answered 409, and wall time per round; then the ratio of wall times.

    .venv/bin/python bench/sqlite_concurrency.py [--rounds 5] [--readers 24] [--writers 8]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(mode: str, rounds: int, readers: int, writers: int) -> dict[str, float]:
    totals: Counter[str] = Counter()
    wall = 0.0
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                "DJANGO_SETTINGS_MODULE": "vetbridge.config.settings.test",
                "VETBRIDGE_SQLITE_TRANSACTION_MODE": mode,
                "VETBRIDGE_PROBE_READERS": str(readers),
                "VETBRIDGE_PROBE_WRITERS": str(writers),
                "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            }
            done = subprocess.run(
                [sys.executable, "-m", "tests.core.concurrency_probe"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
        wall += result["seconds"]
        reads = {int(k): v for k, v in result["reads"].items()}
        writes = {int(k): v for k, v in result["writes"].items()}
        totals["requests"] += sum(reads.values()) + sum(writes.values())
        totals["server_errors"] += sum(v for k, v in (reads | {}).items() if k >= 500) + sum(
            v for k, v in writes.items() if k >= 500
        )
        totals["reads_ok"] += reads.get(200, 0)
        totals["write_winners"] += writes.get(200, 0)
        totals["write_409"] += writes.get(409, 0)
    return {**totals, "seconds_per_round": round(wall / rounds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--readers", type=int, default=24)
    parser.add_argument("--writers", type=int, default=8)
    args = parser.parse_args()
    started = time.monotonic()
    ours = run("IMMEDIATE", args.rounds, args.readers, args.writers)
    peer = run("DEFERRED", args.rounds, args.readers, args.writers)
    print(
        f"{args.rounds} rounds of {args.readers} audited reads + {args.writers} "
        f"same-version writes, all started at once"
    )
    for name, figures in (
        ("platform (IMMEDIATE + WAL + busy timeout)", ours),
        ("peer     (DEFERRED  + WAL + busy timeout)", peer),
    ):
        print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    if peer["seconds_per_round"]:
        print(
            f"wall time ratio platform/peer: "
            f"{ours['seconds_per_round'] / peer['seconds_per_round']:.2f}"
        )
    print(f"(bench took {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
