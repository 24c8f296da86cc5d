"""The French PMI formulas over a whole population, with numpy arrays.

Same law and parameters as `fr.pmi.compute_pmi`, and the same results: the remaining-validity
chain is computed in exact integer arithmetic. With rates scaled to integers (1 % = 10^k
units), the validity left after n infirmities is the integer product Π(S − raised_i) over the
denominator S^n, so rounding and thresholds are exact integer comparisons, never float
guesses. A person whose product would not fit in 64 bits (more infirmities than the scale
allows) is computed by the scalar path instead; the answer is the same, only slower.

Not in the batch path (scalar only): grade tables, third person, children, grand mutilé and
L125-9 arithmetic additions, since the batch input has no columns for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import InputError
from .fr.pmi import Infirmity, PmiCase, compute_pmi
from .inputs import in_force
from .parameters import Parameters

CAUSE_CODES = {"injury": 0, "disease": 1}
CONTEXT_CODES = {"peace": 0, "war": 1, "opex": 2, "captivity": 3}
INT64_MAX = np.iinfo(np.int64).max

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass
class BatchResult:
    person_id: npt.NDArray[Any]
    eligible: npt.NDArray[np.bool_]
    raw_rate: FloatArray
    global_rate: IntArray
    degrees: IntArray
    points: FloatArray
    annual_amount_eur: FloatArray

    def as_columns(self) -> dict[str, npt.NDArray[Any]]:
        return {"person_id": self.person_id, "eligible": self.eligible,
                "raw_rate": self.raw_rate, "global_rate": self.global_rate,
                "degrees": self.degrees, "points": self.points,
                "annual_amount_eur": self.annual_amount_eur}


def _scale_decimals(rate: FloatArray) -> int:
    for k in (0, 1, 2):
        scaled = rate * 10**k
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return k
    raise InputError("rate", "rates may have at most 2 decimals")


def _param_int(p: Parameters, name: str, date: dt.date, mult: int = 1) -> int:
    value = Decimal(p.at(name, date)) * mult
    if value != value.to_integral_value():
        raise InputError(name, "parameter is not a whole number at this scale")
    return int(value)


def compute_pmi_batch(person_id: npt.NDArray[Any], rate: npt.ArrayLike, cause: npt.ArrayLike,
                      context: npt.ArrayLike, date: dt.date | npt.NDArray[Any],
                      params: Parameters | None = None) -> BatchResult:
    """One row per infirmity. `cause` and `context` are codes (see CAUSE_CODES,
    CONTEXT_CODES) or strings; `date` is one date for all, or one per row (the first row of
    each person gives the person's date)."""
    p = params or Parameters.load("fr")
    rate_f = np.asarray(rate, dtype=np.float64)
    n_rows = rate_f.shape[0]
    cause_c = _codes(cause, CAUSE_CODES, "cause", n_rows)
    context_c = _codes(context, CONTEXT_CODES, "context", n_rows)
    if np.any(~np.isfinite(rate_f)) or np.any(rate_f <= 0) or np.any(rate_f > 100):
        bad = int(np.flatnonzero(~np.isfinite(rate_f) | (rate_f <= 0) | (rate_f > 100))[0])
        raise InputError(f"rate (row {bad + 1})", "must be greater than 0 and at most 100")

    uniq, inv = np.unique(np.asarray(person_id), return_inverse=True)
    inv = inv.astype(np.int64)
    n_p = uniq.shape[0]

    # Dates: one per person (from its first row), grouped so parameters are read once a date.
    if isinstance(date, dt.date):
        person_day = np.zeros(n_p, dtype=np.int64)
        days = [date]
    else:
        row_dates = np.asarray(date)
        first_row = np.full(n_p, n_rows, dtype=np.int64)
        np.minimum.at(first_row, inv, np.arange(n_rows, dtype=np.int64))
        days_arr, person_day = np.unique(row_dates[first_row], return_inverse=True)
        days = [d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10])
                for d in days_arr.tolist()]
        person_day = person_day.astype(np.int64)

    k = _scale_decimals(rate_f)
    unit = 10**k  # scaled units per percentage point
    S = 100 * unit
    r = np.round(rate_f * unit).astype(np.int64)

    eligible = np.zeros(n_p, dtype=bool)
    raw_rate = np.zeros(n_p, dtype=np.float64)
    global_rate = np.zeros(n_p, dtype=np.int64)
    degrees = np.zeros(n_p, dtype=np.int64)
    points = np.zeros(n_p, dtype=np.float64)
    amount_cents = np.zeros(n_p, dtype=np.int64)
    fallback = np.zeros(n_p, dtype=bool)

    for di, day in enumerate(days):
        persons_mask = person_day == di
        rows_mask = persons_mask[inv]
        _compute_day(p, day, r[rows_mask], cause_c[rows_mask], context_c[rows_mask],
                     inv[rows_mask], unit, S,
                     eligible, raw_rate, global_rate, degrees, points, amount_cents, fallback)

    if fallback.any():
        rows_by_person = np.argsort(inv, kind="stable")
        bounds = np.searchsorted(inv[rows_by_person], np.arange(n_p + 1))
        inv_cause = {v: k for k, v in CAUSE_CODES.items()}
        inv_ctx = {v: k for k, v in CONTEXT_CODES.items()}
        for pi in np.flatnonzero(fallback):
            rows = rows_by_person[bounds[pi]:bounds[pi + 1]]
            case = PmiCase(days[int(person_day[pi])], tuple(
                Infirmity(f"#{j}", Decimal(str(rate_f[j])), inv_cause[int(cause_c[j])],
                          inv_ctx[int(context_c[j])]) for j in rows))
            res = compute_pmi(case, p)
            eligible[pi], raw_rate[pi] = res.eligible, float(res.raw_rate)
            global_rate[pi], degrees[pi] = res.global_rate, res.degrees
            points[pi] = float(res.points)
            amount_cents[pi] = int(res.annual_amount_eur * 100)

    return BatchResult(uniq, eligible, raw_rate, global_rate, degrees, points,
                       amount_cents / 100.0)


def _codes(values: npt.ArrayLike, mapping: dict[str, int], name: str, n: int) -> IntArray:
    arr = np.asarray(values)
    if arr.shape[0] != n:
        raise InputError(name, "must have one value per row")
    if arr.dtype.kind in "iu":
        if n and (arr.min() < 0 or arr.max() >= len(mapping)):
            raise InputError(name, f"codes must be 0..{len(mapping) - 1}")
        return arr.astype(np.int64)
    out = np.full(n, -1, dtype=np.int64)
    for text, code in mapping.items():
        out[arr == text] = code
    if np.any(out < 0):
        bad = int(np.flatnonzero(out < 0)[0])
        raise InputError(f"{name} (row {bad + 1})",
                         f"'{arr[bad]}' is not one of {', '.join(mapping)}")
    return out


def _compute_day(p: Parameters, day: dt.date, r: IntArray, cause: IntArray, context: IntArray,
                 inv: IntArray, unit: int, S: int,
                 eligible: npt.NDArray[np.bool_], raw_rate: FloatArray, global_rate: IntArray,
                 degrees: IntArray, points: FloatArray, amount_cents: IntArray,
                 fallback: npt.NDArray[np.bool_]) -> None:
    pv = Decimal(in_force(p, "fr.point_value", day, field="date",
                          message=f"no PMI point value is known for {day}"))
    pv_cents = int(pv * 100)
    floor = _param_int(p, "fr.infirmity_floor", day, unit)
    trigger = _param_int(p, "fr.majoration_trigger", day, unit)
    step = _param_int(p, "fr.majoration_step", day, unit)
    cap = _param_int(p, "fr.rate_cap", day)
    rstep = _param_int(p, "fr.rounding_step", day)
    mode = str(p.at("fr.rounding_mode", day))
    privileged = [CONTEXT_CODES[c] for c in p.at("fr.privileged_disease_contexts", day)]
    t_inj = _param_int(p, "fr.threshold_injury", day)
    t_single = _param_int(p, "fr.threshold_disease_single", day)
    t_multi = _param_int(p, "fr.threshold_disease_multiple", day)
    t_mixed = _param_int(p, "fr.threshold_mixed", day)
    compares_raw = bool(p.at("fr.threshold_compares_raw_rate", day))
    deg_size = _param_int(p, "fr.degree_size", day, unit)
    deg_points = _param_int(p, "fr.degree_points", day)
    deg_cap = _param_int(p, "fr.degree_majoration_cap", day) * deg_size
    deg_mode = str(p.at("fr.degree_rounding", day))
    a5_base = _param_int(p, "fr.allocation_5_base", day)
    a5_deg = _param_int(p, "fr.allocation_5_per_degree", day)
    principal_tab = np.zeros(101, dtype=np.int64)
    for rate_key, v in p.at("fr.soldier_principal_points", day).items():
        principal_tab[int(rate_key)] = int(v)
    gi_tab = np.zeros(101, dtype=np.int64)
    for rate_key, v in p.at("fr.grand_invalide_points", day).items():
        gi_tab[int(rate_key)] = int(v)

    keep = r >= floor
    r, cause, context, inv = r[keep], cause[keep], context[keep], inv[keep]
    if r.size == 0:
        return
    order = np.lexsort((-r, inv))
    r, cause, context, inv = r[order], cause[order], context[order], inv[order]
    starts = np.flatnonzero(np.r_[True, inv[1:] != inv[:-1]])
    persons = inv[starts]
    counts = np.diff(np.r_[starts, r.size])
    rank = np.arange(r.size) - np.repeat(starts, counts)
    principal = np.repeat(r[starts], counts)

    # Eligibility class (L121-5, L121-6): diseases outside privileged contexts are "ordinary".
    ordinary = (cause == 1) & ~np.isin(context, privileged)
    n_ord = np.add.reduceat(ordinary.astype(np.int64), starts)
    n_inj = counts - n_ord
    threshold = np.where(n_ord == 0, t_inj,
                         np.where(n_inj == 0, np.where(n_ord == 1, t_single, t_multi), t_mixed))

    # Beyond 100 % (L125-10) for persons whose principal infirmity is at the cap.
    full = r[starts] >= cap * unit
    with_maj = np.repeat((counts - 1) >= 2, counts)
    maj = np.where((rank >= 1) & with_maj, step * rank, 0)
    contrib_full = np.where(rank >= 1, r + maj, 0)
    cum = np.cumsum(contrib_full)
    cum_before = cum - contrib_full - np.repeat(cum[starts] - contrib_full[starts], counts)
    maj_capped = np.where(cum_before >= deg_cap, np.minimum(maj, r), maj)
    contrib = np.where(rank >= 1, r + maj_capped, 0)
    deg_total = np.add.reduceat(contrib, starts)
    deg = deg_total // deg_size if deg_mode == "down" else -((-deg_total) // deg_size)

    # Remaining validity (L125-8) in exact integers: V = Π (S − raised), D = S^n.
    raised = np.where(rank == 0, r,
                      np.where(principal >= trigger, np.minimum(r + step * rank, S), r))
    max_n = int(np.floor(np.log(float(INT64_MAX)) / np.log(float(S))))
    too_long = counts > max_n
    V = np.multiply.reduceat(np.where(np.repeat(too_long, counts), 1, S - raised), starts)
    D = np.ones_like(V)
    for j in range(1, max_n + 1):
        D = np.where(counts >= j, D * S, D)
    left = D - V  # the invalidity, as a fraction of D
    step_unit = (D // 100) * rstep
    if mode == "up":
        g = -((-left) // step_unit) * rstep
    elif mode == "down":
        g = (left // step_unit) * rstep
    else:
        g = ((left + step_unit // 2) // step_unit) * rstep
    g = np.minimum(g, cap)
    raw = 100.0 * left.astype(np.float64) / D.astype(np.float64)
    reaches = left >= threshold * (D // 100) if compares_raw else g >= threshold
    g = np.where(full, cap, g)
    raw = np.where(full, float(cap), raw)
    reaches = np.where(full, cap >= threshold, reaches)
    deg = np.where(full, deg, 0)

    pts = principal_tab[g] + np.where(deg > 0, deg * deg_points, 0)
    allowance = np.maximum(gi_tab[g], np.where(deg > 0, a5_base + a5_deg * np.maximum(deg - 1, 0),
                                               0))
    pts = np.where(reaches, pts + allowance, 0)

    ok = ~too_long | full
    idx = persons[ok]
    eligible[idx] = reaches[ok]
    raw_rate[idx] = raw[ok]
    global_rate[idx] = g[ok]
    degrees[idx] = deg[ok]
    points[idx] = pts[ok]
    amount_cents[idx] = pts[ok] * pv_cents
    fallback[persons[~ok]] = True


def read_table(path: str) -> dict[str, npt.NDArray[Any]]:
    """Read a CSV or Parquet file of infirmities into numpy columns (via polars)."""
    import polars as pl

    if path.endswith(".parquet"):
        df = pl.read_parquet(path)
    else:
        df = pl.read_csv(path, infer_schema_length=10000, encoding="utf8-lossy")
    missing = [c for c in ("person_id", "rate", "cause", "context") if c not in df.columns]
    if missing:
        raise InputError(missing[0], "missing column")
    try:
        rate = df["rate"].cast(pl.Float64).to_numpy()
    except pl.exceptions.PolarsError as exc:
        raise InputError("rate", "must be numbers") from exc
    cols: dict[str, npt.NDArray[Any]] = {
        "person_id": df["person_id"].to_numpy(),
        "rate": rate,
        "cause": df["cause"].cast(pl.Utf8).to_numpy(),
        "context": df["context"].cast(pl.Utf8).to_numpy(),
    }
    if "date" in df.columns:
        try:
            cols["date"] = df["date"].cast(pl.Utf8).str.to_date("%Y-%m-%d").to_numpy()
        except pl.exceptions.PolarsError as exc:
            raise InputError("date", "must be dates as YYYY-MM-DD") from exc
    return cols


def write_table(result: BatchResult, path: str) -> None:
    import polars as pl

    df = pl.DataFrame({k: v for k, v in result.as_columns().items() if k != "degrees"})
    if path.endswith(".parquet"):
        df.write_parquet(path)
    else:
        df.write_csv(path)
