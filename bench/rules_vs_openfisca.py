"""French PMI over a synthetic population: Vetbridge's batch path against OpenFisca.

Both implement the same rules: per-infirmity floor, the heads of L121-5 / L121-6 (ordinary
diseases added only when the global rate with them reaches 30 %, else the injuries alone), the
remaining-validity chain with rank majorations (L125-8), rounding up to 5 (L125-3), degrees
beyond 100 % (L125-10), soldier points with the grands-invalides allowances n° 1–5 and 4 bis
(R125-2, R131-1) and the point value in force at the date. OpenFisca is written as its experts would: one
entity, fixed infirmity slots, fully vectorised numpy formulas in integer arithmetic (so it is
exact, not float32), the point value as a dated OpenFisca parameter.

Usage: python bench/rules_vs_openfisca.py [--persons 1000000] [--seed 7] [--repeat 5]
Prints the load average; persons/second for each (best wall time of the repeats, and CPU
time), the repeats interleaved (ours, the peer's formula alone, OpenFisca, then again) so a
shared machine loads all alike; the ratio to OpenFisca and to its formula alone (the same
function called directly, its input columns converted inside its timer: what is timed when
openfisca-core is not installed; not a bound of the ratio to OpenFisca, which can be faster
than it, as on a quiet machine); whether amounts are identical; the first call of the
compiled kernel (numba compiles it, or loads it from its cache: run with
NUMBA_CACHE_DIR=$(mktemp -d) for a cold compile); the numpy path it falls back to without
numba; the memory-traffic floor (bytes read and written over the bandwidth of one pass that
only reads the inputs) and our distance to it; and the latency of one case through the
scalar path. Everything runs on one thread. Needs openfisca-core (requirements/bench.txt)
for the OpenFisca line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
import types
from decimal import Decimal

import numpy as np

from vetbridge.rules import batch
from vetbridge.rules.batch import compute_pmi_batch
from vetbridge.rules.fr.pmi import Infirmity, PmiCase, compute_pmi
from vetbridge.rules.parameters import Parameters

SLOTS = 6
DATE = dt.date(2025, 6, 1)


def population(n: int, seed: int):
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, SLOTS + 1, n)
    pid = np.repeat(np.arange(n), counts)
    m = pid.size
    # Realistic barème rates: mostly multiples of 5, some single points, some 100 %.
    rate = rng.choice(np.arange(5, 105, 5), m, p=np.r_[np.full(19, 0.95 / 19), 0.05])
    odd = rng.random(m) < 0.15
    rate[odd] = rng.integers(1, 60, odd.sum())
    cause = (rng.random(m) < 0.35).astype(np.int64)
    context = rng.choice(4, m, p=[0.6, 0.2, 0.15, 0.05])
    return pid, rate.astype(np.float64), cause, context, counts


def peer_formula(p: Parameters):
    """The peer's formula, as an OpenFisca expert writes it: fixed slots, whole-array numpy,
    exact integers. OpenFisca runs it as the formula of `pmi_amount_cents`; the bench also
    runs it alone (the same function, without the framework around it)."""
    principal_tab = np.zeros(101, dtype=np.int64)
    for k, v in p.at("fr.soldier_principal_points", DATE).items():
        principal_tab[int(k)] = int(v)
    gi_tab = np.zeros(101, dtype=np.int64)
    for k, v in p.at("fr.grand_invalide_points", DATE).items():
        gi_tab[int(k)] = int(v)

    bands = p.at("fr.allocation_4bis_points", DATE)
    band_starts = np.array(sorted(int(b) for b in bands), dtype=np.int64)
    band_pts = np.r_[0, [int(bands[b]) for b in sorted(bands, key=int)]].astype(np.int64)

    def chain(rates):
        """L125-8 / L125-3 / L125-10 on fixed slots (0 = empty slot), exact integers."""
        r = -np.sort(-rates, axis=1)
        present = r > 0
        n = present.sum(axis=1)
        rank = np.arange(SLOTS)[None, :]
        principal = r[:, :1]
        raised = np.where(rank == 0, r, np.where(principal >= 20, np.minimum(r + 5 * rank, 100), r))
        V = np.prod(np.where(present, 100 - raised, 1), axis=1)
        D = 100**n
        left = D - V
        g = np.minimum(-((-left) // np.maximum(D // 20, 1)) * 5, 100)
        full = principal[:, 0] >= 100
        extra = present & (rank >= 1)
        maj = np.where(extra & ((n - 1) >= 2)[:, None], 5 * rank, 0)
        contrib_full = np.where(extra, r + maj, 0)
        before = np.cumsum(contrib_full, axis=1) - contrib_full
        maj = np.where(before >= 1000, np.minimum(maj, r), maj)
        deg = np.where(full, np.where(extra, r + maj, 0).sum(axis=1) // 10, 0)
        return np.where(full, 100, g), left, D, n, full, deg, r

    def pmi_formula(persons, period, parameters):
        rates = np.stack([persons(f"rate_{i}", period) for i in range(1, SLOTS + 1)], axis=1)
        causes = np.stack([persons(f"cause_{i}", period) for i in range(1, SLOTS + 1)], axis=1)
        ctx = np.stack([persons(f"context_{i}", period) for i in range(1, SLOTS + 1)], axis=1)
        rates = rates.astype(np.int64)
        counted = rates >= 10
        rates = np.where(counted, rates, 0)
        ordinary = counted & (causes == 1) & (ctx == 0)
        n_ord = ordinary.sum(axis=1)
        n_priv = counted.sum(axis=1) - n_ord
        threshold = np.where(
            n_ord == 0, 10, np.where(n_priv == 0, np.where(n_ord == 1, 30, 40), 30)
        )
        g, left, D, n, full, deg, r = chain(rates)
        reaches = np.where(full, True, left >= threshold * np.maximum(D // 100, 1)) & (n > 0)
        # L121-5 1° / 2°: below 30 % with the peacetime diseases, the injuries (and war, OPEX,
        # captivity diseases) are pensioned alone.
        redo = (n_ord > 0) & (n_priv > 0) & ~reaches
        g2, left2, D2, n2, full2, deg2, r2 = chain(np.where(ordinary, 0, rates))
        reaches2 = np.where(full2, True, left2 >= 10 * np.maximum(D2 // 100, 1)) & (n2 > 0)
        g = np.where(redo, g2, g)
        deg = np.where(redo, deg2, deg)
        full = np.where(redo, full2, full)
        reaches = np.where(redo, reaches2, reaches)
        kept = np.where(redo[:, None], r2, r)
        n_kept = (kept > 0).sum(axis=1)
        pts = (
            principal_tab[g]
            + deg * 16
            + np.maximum(gi_tab[g], np.where(deg > 0, 540 + 3 * np.maximum(deg - 1, 0), 0))
        )
        # Allocation n° 4 bis: 95/100 %, several infirmities, the first ≥ 85 %, no degrees.
        summed = -((-kept.sum(axis=1)) // 5) * 5
        a4bis = band_pts[np.searchsorted(band_starts, summed, side="right")]
        ok4 = (g >= 95) & (n_kept >= 2) & (kept[:, 0] >= 85) & ~(full & (n_kept > 1))
        pts = pts + np.where(ok4, a4bis, 0)
        pts = np.where(reaches, pts, 0)
        cents = int(round(parameters(period).point_value * 100))
        return pts * cents

    return pmi_formula


def build_openfisca(p: Parameters):
    from openfisca_core.entities import build_entity
    from openfisca_core.parameters import ParameterNode
    from openfisca_core.periods import DateUnit
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    person = build_entity(key="person", plural="persons", label="Person", is_person=True)
    values = {e.start.isoformat(): {"value": float(e.value)} for e in p["fr.point_value"].values}

    class TBS(TaxBenefitSystem):
        def __init__(self) -> None:
            super().__init__([person])
            self.parameters = ParameterNode("", data={"point_value": {"values": values}})

    tbs = TBS()
    for i in range(1, SLOTS + 1):
        for name in (f"rate_{i}", f"cause_{i}", f"context_{i}"):
            tbs.add_variable(
                type(
                    name,
                    (Variable,),
                    {
                        "value_type": int,
                        "entity": person,
                        "definition_period": DateUnit.MONTH,
                        "label": name,
                        "__module__": __name__,
                    },
                )
            )

    pmi_formula = peer_formula(p)

    tbs.add_variable(
        type(
            "pmi_amount_cents",
            (Variable,),
            {
                "value_type": int,
                "entity": person,
                "definition_period": DateUnit.MONTH,
                "label": "annual PMI amount in cents",
                "formula": pmi_formula,
                "__module__": __name__,
            },
        )
    )
    return tbs


def slot_grid(pid, rate, cause, context, counts):
    """The rows laid out as the peer's fixed slots (one column per slot and input)."""
    n = counts.size
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    slot = np.arange(pid.size) - np.repeat(starts, counts)
    grid = {k: np.zeros((n, SLOTS), dtype=np.int64) for k in ("rate", "cause", "context")}
    grid["rate"][pid, slot] = rate.astype(np.int64)
    grid["cause"][pid, slot] = cause
    grid["context"][pid, slot] = context
    return grid


def run_openfisca(tbs, grid):
    from openfisca_core.simulations import SimulationBuilder

    n = grid["rate"].shape[0]
    period = "2025-06"
    t0 = time.perf_counter()
    sim = SimulationBuilder().build_default_simulation(tbs, count=n)
    for i in range(SLOTS):
        for k in grid:
            sim.set_input(f"{k}_{i + 1}", period, grid[k][:, i].astype(np.int32))
    cents = sim.calculate("pmi_amount_cents", period)
    return time.perf_counter() - t0, np.asarray(cents, dtype=np.int64)


def run_formula_alone(formula, grid, point_value):
    """The peer's formula called directly on the same int32 input columns OpenFisca stores
    (no simulation, no holders, no period cache), the columns converted inside the timer:
    what is timed when openfisca-core is not installed. Measured on a quiet machine it can
    take longer than OpenFisca itself, so it is no bound of the ratio to OpenFisca."""
    period = "2025-06"
    t0 = time.perf_counter()
    columns = {f"{k}_{i + 1}": grid[k][:, i].astype(np.int32) for i in range(SLOTS) for k in grid}
    params = types.SimpleNamespace(point_value=point_value)
    cents = formula(lambda name, _period: columns[name], period, lambda _period: params)
    return time.perf_counter() - t0, np.asarray(cents, dtype=np.int64)


def _line(name, wall, cpu, persons):
    t = min(wall)
    return (
        f"{name:<22}: {t:8.3f} s  {persons / t:12,.0f} persons/s  (CPU {min(cpu):.3f} s; "
        f"wall of each run: {', '.join(f'{w:.3f}' for w in wall)})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    p = Parameters.load("fr")
    pid, rate, cause, context, counts = population(args.persons, args.seed)
    print(
        f"population: {args.persons:,} persons, {pid.size:,} infirmities, date {DATE}; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )

    kernel = batch._kernel
    if kernel is None:
        print("numba unavailable: the batch runs its numpy path")
    t0 = time.perf_counter()
    compute_pmi_batch(pid, rate, cause, context, DATE, p)
    first = time.perf_counter() - t0
    if kernel is not None:
        jitted = (kernel.scan_rows, kernel.group_bounds, kernel.pmi_persons)
        hits = sum(sum(f.stats.cache_hits.values()) for f in jitted)
        misses = sum(sum(f.stats.cache_misses.values()) for f in jitted)
        how = (
            "compiled (cold)"
            if misses and not hits
            else "loaded from the numba cache"
            if hits and not misses
            else f"{hits} loaded, {misses} compiled"
        )
        print(f"first call of the kernel: {first:.3f} s, {how}; one thread (no prange)")

    # The peers: OpenFisca (when installed) and its formula alone, on the same fixed slots.
    grid = slot_grid(pid, rate, cause, context, counts)
    formula = peer_formula(p)
    point_value = float(
        max((e for e in p["fr.point_value"].values if e.start <= DATE), key=lambda e: e.start).value
    )
    try:
        tbs = build_openfisca(p)
    except ImportError as exc:
        tbs = None
        print(
            f"openfisca-core is not installed ({exc}): `pip install -r requirements/bench.txt`; "
            "only its formula alone is timed below"
        )

    # Interleaved repeats (ours, formula alone, OpenFisca, then again): each sees the same
    # load on a shared machine; best wall time of each, one thread each.
    ours, ours_cpu, alone, alone_cpu, theirs, theirs_cpu = [], [], [], [], [], []
    of_cents = alone_cents = None
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = compute_pmi_batch(pid, rate, cause, context, DATE, p)
        ours.append(time.perf_counter() - t0)
        ours_cpu.append(time.process_time() - c0)
        c0 = time.process_time()
        elapsed, alone_cents = run_formula_alone(formula, grid, point_value)
        alone.append(elapsed)
        alone_cpu.append(time.process_time() - c0)
        if tbs is not None:
            c0 = time.process_time()
            elapsed, of_cents = run_openfisca(tbs, grid)
            theirs.append(elapsed)
            theirs_cpu.append(time.process_time() - c0)
    ours_cents = np.round(res.annual_amount_eur * 100).astype(np.int64)

    t0, c0 = time.perf_counter(), time.process_time()
    res_np = batch._batch(
        pid,
        rate,
        cause,
        context,
        DATE,
        p,
        arithmetic_addition=None,
        amputation_without_prosthesis=None,
        third_person=None,
        grade=None,
        left_service=None,
        use_kernel=False,
    )
    t_np, c_np = time.perf_counter() - t0, time.process_time() - c0
    same_np = all(np.array_equal(v, res_np.as_columns()[k]) for k, v in res.as_columns().items())

    t_ours, c_ours = min(ours), min(ours_cpu)
    print(_line("vetbridge batch", ours, ours_cpu, args.persons))
    if tbs is not None:
        print(_line("openfisca-core", theirs, theirs_cpu, args.persons))
    print(_line("its formula alone", alone, alone_cpu, args.persons))
    if tbs is not None:
        print(
            f"ratio (openfisca time / vetbridge time): {min(theirs) / t_ours:.2f}x wall, "
            f"{min(theirs_cpu) / c_ours:.2f}x CPU  (target >= 10x)"
        )
    print(
        f"ratio (formula alone / vetbridge): "
        f"{min(alone) / t_ours:.2f}x wall, {min(alone_cpu) / c_ours:.2f}x CPU"
    )
    for name, cents in (("openfisca", of_cents), ("formula alone", alone_cents)):
        if cents is not None:
            diff = int(np.count_nonzero(ours_cents != cents))
            print(f"identical amounts to {name}: {diff == 0} ({diff} of {args.persons:,} differ)")
    print(
        f"numpy path (fallback without numba): {t_np:.3f} s (CPU {c_np:.3f} s), "
        f"identical to the kernel in every column: {same_np}"
    )
    if kernel is not None:
        floor = []
        for _ in range(args.repeat + 1):
            t0 = time.perf_counter()
            kernel.read_floor(pid, rate, cause, context)
            floor.append(time.perf_counter() - t0)
        t_floor = min(floor[1:])  # the first call compiles
        read = pid.nbytes + rate.nbytes + cause.nbytes + context.nbytes
        written = sum(v.nbytes for v in res.as_columns().values())
        bandwidth = read / t_floor
        print(
            f"memory-traffic floor: the batch reads {read / 1e6:.0f} MB (4 input columns) and "
            f"writes {written / 1e6:.0f} MB (7 output columns); reading at the measured "
            f"{bandwidth / 1e9:.1f} GB/s (one pass that only reads the inputs) takes "
            f"{t_floor * 1000:.1f} ms, reading and writing at that rate "
            f"{(read + written) / bandwidth * 1000:.1f} ms; the batch takes "
            f"{t_ours * 1000:.1f} ms wall ({c_ours * 1000:.1f} ms CPU): "
            f"{t_ours / t_floor:.1f}x the read floor, "
            f"{t_ours / ((read + written) / bandwidth):.1f}x the read-and-write floor"
        )

    rng = np.random.default_rng(args.seed)
    lat = []
    for _ in range(2000):
        k = int(rng.integers(1, SLOTS + 1))
        case = PmiCase(
            DATE, tuple(Infirmity(str(j), Decimal(int(rng.integers(5, 101)))) for j in range(k))
        )
        t0 = time.perf_counter()
        compute_pmi(case, p)
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    print(
        f"one case, scalar path with explanation: p50 {statistics.median(lat):.3f} ms, "
        f"p99 {lat[int(len(lat) * 0.99)]:.3f} ms (target < 1 ms)"
    )


if __name__ == "__main__":
    main()
